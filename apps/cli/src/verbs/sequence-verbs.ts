/**
 * Sequences and events: `get sequence[s]` (filters; `--keptn-context … --watch` follows one),
 * `get event TYPE`, `send event --file`, and Keptn's `pause`, `resume` and `abort` (also spelled
 * `abort sequence`, as `keptn` does).
 */
import type { Command } from 'commander';
import type { KeptnEvent, KeptnEventInput, SequenceControlState, SequenceState } from '@shipmate/api';
import { ConfigError } from '../config/config-error.js';
import { followContext, planWatch, withWatch } from './follow-context.js';
import type { WatchFlags } from './follow-context.js';
import { readInputFile } from './input-file.js';
import { runVerb } from './run-verb.js';
import type { VerbFlags } from './run-verb.js';
import { verbGroup, withConnection, withOutput } from './verb-command.js';
import { displayTime, renderTable } from './verb-output.js';

/** Flags of `get sequence`. */
export interface GetSequenceFlags extends VerbFlags, WatchFlags {
  project: string;
  keptnContext?: string;
  name?: string;
  state?: string;
  stage?: string;
  service?: string;
  limit?: string;
}

/** Flags of `get event`. */
export interface GetEventFlags extends VerbFlags {
  project: string;
  keptnContext?: string;
  stage?: string;
  service?: string;
  pageSize?: string;
  numOfPages?: string;
}

/** Flags of `pause`, `resume` and `abort`. */
export interface ControlFlags extends VerbFlags {
  project: string;
  keptnContext: string;
  stage?: string;
}

/** `approval.triggered` is `sh.keptn.event.approval.triggered`, as `keptn get event` takes it; a full type stays. */
export function fullEventType(type: string): string {
  return type.startsWith('sh.keptn.') ? type : `sh.keptn.event.${type}`;
}

/** A positive whole number from a flag, else a usage error naming it. */
export function positiveInteger(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) === 0)
    throw new ConfigError(`${flag} '${value}' is not a whole number above 0: give e.g. ${flag} ${fallback}`);
  return Number(value);
}

/**
 * `dev:succeeded hardening:fail production:started`: the stages of a sequence and where each is. A
 * stage's state is Keptn's, the `status` of its last event, so a stage that ended with a failed
 * result is `succeeded` there; when its last event is its latest failed one, it shows `fail`.
 */
export function stagesText(state: SequenceState): string {
  return (state.stages ?? [])
    .map((stage) => {
      const failed =
        stage.state === 'succeeded' && stage.latestFailedEvent?.id !== undefined && stage.latestFailedEvent.id === stage.latestEvent?.id;
      return `${stage.name ?? ''}:${failed ? 'fail' : (stage.state ?? '')}`;
    })
    .join(' ');
}

/** Registers the sequence and event verbs on `program`. */
export function registerSequenceVerbs(program: Command): void {
  const get = verbGroup(program, 'get', 'show projects, stages, services, sequences, events, resources, approvals, secrets, integrations');

  withWatch(withOutput(withConnection(get.command('sequence').alias('sequences'))))
    .description('list the sequences of a project, newest first; with --keptn-context and --watch, follow one until it ends')
    .requiredOption('--project <project>', 'the project')
    .option('--keptn-context <context>', 'only this keptn context (several separated by commas)')
    .option('--name <sequence>', 'only sequences of this name, e.g. delivery')
    .option('--state <state>', 'only in this state: triggered, started, waiting, paused, finished, aborted, timedOut')
    .option('--stage <stage>', 'only sequences that reached this stage')
    .option('--service <service>', 'only sequences of this service')
    .option('--limit <n>', 'at most this many (default 20)')
    .action((flags: GetSequenceFlags) =>
      runVerb('get sequence', flags, async (context) => {
        const { client, out } = context;
        // Follows only when asked: listing is the default even on a terminal.
        const plan = planWatch({ ...flags, watch: flags.watch === true }, false);
        if (plan.watch) {
          if (flags.keptnContext === undefined || flags.keptnContext.includes(','))
            throw new ConfigError('--watch follows one sequence: give its --keptn-context');
          const what = `the sequence of project ${flags.project}`;
          return followContext(context, { project: flags.project, keptnContext: flags.keptnContext, what }, plan, false);
        }
        const limit = positiveInteger(flags.limit, '--limit', 20);
        const answer = await client.sequences(flags.project, {
          pageSize: String(limit),
          ...(flags.keptnContext ? { keptnContext: flags.keptnContext } : {}),
          ...(flags.name ? { name: flags.name } : {}),
          ...(flags.state ? { state: flags.state } : {}),
        });
        const states = answer.states.filter(
          (state) =>
            (flags.service === undefined || state.service === flags.service) &&
            (flags.stage === undefined || (state.stages ?? []).some((stage) => stage.name === flags.stage)),
        );
        out.data(states, () =>
          renderTable(
            states,
            [
              { header: 'KEPTN CONTEXT', value: (state) => state.shkeptncontext ?? '' },
              { header: 'SEQUENCE', value: (state) => state.name ?? '' },
              { header: 'SERVICE', value: (state) => state.service ?? '' },
              { header: 'STATE', value: (state) => state.state ?? '', tone: (cell, style) => style.outcome(cell) },
              { header: 'STAGES', value: stagesText },
              { header: 'STARTED', value: (state) => displayTime(state.time) },
            ],
            out.style,
          ),
        );
      }),
    );

  withOutput(withConnection(get.command('event <type>').alias('events')))
    .description('show the latest events of a type, e.g. approval.triggered or sh.keptn.event.evaluation.finished, newest first')
    .requiredOption('--project <project>', 'the project')
    .option('--keptn-context <context>', 'only of this keptn context')
    .option('--stage <stage>', 'only of this stage')
    .option('--service <service>', 'only of this service')
    .option('--page-size <n>', 'events per page (default 20)')
    .option('--num-of-pages <n>', 'how many pages at most (default 1)')
    .action((type: string, flags: GetEventFlags) =>
      runVerb('get event', flags, async ({ client, out }) => {
        const pageSize = positiveInteger(flags.pageSize, '--page-size', 20);
        const pages = positiveInteger(flags.numOfPages, '--num-of-pages', 1);
        const events: KeptnEvent[] = [];
        let nextPageKey: string | undefined;
        for (let page = 0; page < pages; page += 1) {
          const answer = await client.events({
            type: fullEventType(type),
            project: flags.project,
            pageSize: String(pageSize),
            ...(flags.keptnContext ? { keptnContext: flags.keptnContext } : {}),
            ...(flags.stage ? { stage: flags.stage } : {}),
            ...(flags.service ? { service: flags.service } : {}),
            ...(nextPageKey ? { nextPageKey } : {}),
          });
          events.push(...answer.events);
          nextPageKey = answer.nextPageKey && answer.nextPageKey !== '0' ? answer.nextPageKey : undefined;
          if (nextPageKey === undefined) break;
        }
        out.data(events, () =>
          renderTable(
            events,
            [
              { header: 'TIME', value: (event) => displayTime(event.time) },
              { header: 'TYPE', value: (event) => event.type.replace(/^sh\.keptn\.event\./, '') },
              { header: 'STAGE', value: (event) => (typeof event.data.stage === 'string' ? event.data.stage : '') },
              { header: 'SERVICE', value: (event) => (typeof event.data.service === 'string' ? event.data.service : '') },
              { header: 'RESULT', value: (event) => event.data.result ?? '', tone: (cell, style) => style.outcome(cell) },
              { header: 'SOURCE', value: (event) => event.source },
              { header: 'ID', value: (event) => event.id },
              { header: 'KEPTN CONTEXT', value: (event) => event.shkeptncontext },
            ],
            out.style,
          ),
        );
      }),
    );

  const send = verbGroup(program, 'send', 'send an event');
  withOutput(withConnection(send.command('event')))
    .description('send a Keptn CloudEvent from a JSON file; prints its keptn context')
    .requiredOption('-f, --file <file>', 'the event as JSON')
    .action((flags: VerbFlags & { file: string }) =>
      runVerb('send event', flags, async ({ client, out }) => {
        const text = readInputFile(flags.file, '--file', 'a JSON file with the event').toString('utf8');
        let event: unknown;
        try {
          event = JSON.parse(text);
        } catch (error) {
          throw new ConfigError(
            `--file '${flags.file}' is not JSON (${error instanceof Error ? error.message : String(error)}): fix the file`,
          );
        }
        if (typeof event !== 'object' || event === null || Array.isArray(event))
          throw new ConfigError(`--file '${flags.file}' must hold one JSON object, the event`);
        const accepted = await client.sendEvent(event as KeptnEventInput);
        out.data(accepted, () => `${accepted.keptnContext}\n`);
        const type = (event as { type?: unknown }).type;
        out.note(`sent ${typeof type === 'string' ? type : 'the event'} (id ${accepted.id}, keptn context ${accepted.keptnContext})`);
      }),
    );

  const controls: Array<[SequenceControlState, string, string]> = [
    ['pause', 'pause', 'paused'],
    ['resume', 'resume', 'resumed'],
    ['abort', 'abort', 'aborted'],
  ];
  for (const [state, verb, done] of controls) {
    withConnection(program.command(verb))
      .description(`${verb} a running sequence${state === 'abort' ? ' (its open tasks are told to stop)' : ''}; with --stage only there`)
      .argument('[noun]', `Keptn's spelling \`${verb} sequence …\` is accepted`)
      .requiredOption('-p, --project <project>', 'the project')
      .requiredOption('-c, --keptn-context <context>', 'the keptn context of the sequence')
      .option('-s, --stage <stage>', 'only this stage')
      .action((noun: string | undefined, flags: ControlFlags) =>
        runVerb(verb, flags, async ({ client, out }) => {
          if (noun !== undefined && noun !== 'sequence')
            throw new ConfigError(`'${noun}' is not something to ${verb}: give \`shipmate ${verb} --project P --keptn-context C\``);
          await client.controlSequence(flags.project, flags.keptnContext, { state, ...(flags.stage ? { stage: flags.stage } : {}) });
          out.note(`${done} the sequence ${flags.keptnContext} of ${flags.project}${flags.stage ? ` in ${flags.stage}` : ''}`);
        }),
      );
  }
}
