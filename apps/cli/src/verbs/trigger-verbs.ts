/**
 * `shipmate trigger delivery|evaluation|sequence`: Keptn's events and flags (the delivery sends
 * `sh.keptn.event.<stage>.<sequence>.triggered` with `configurationChange.values.image`, as
 * `keptn trigger delivery` does), then follow the sequence (follow-context.ts).
 */
import type { Command } from 'commander';
import type { KeptnEventInput } from '@shipmate/api';
import type { ApiClient } from '@shipmate/api-client';
import { ConfigError } from '../config/config-error.js';
import { followContext, planWatch, withWatch } from './follow-context.js';
import type { WatchFlags } from './follow-context.js';
import { collect, parseKeyValues } from './key-value-flags.js';
import { runVerb } from './run-verb.js';
import type { VerbFlags } from './run-verb.js';
import { verbGroup, withConnection, withOutput } from './verb-command.js';
import { VerbFailure } from './verb-failure.js';

/** Flags every trigger takes. */
export interface TriggerFlags extends VerbFlags, WatchFlags {
  project: string;
  service: string;
  stage?: string;
  labels?: string[];
}

/** Flags of `trigger delivery`. */
export interface DeliveryFlags extends TriggerFlags {
  image: string;
  sequence: string;
  values?: string[];
}

/** Flags of `trigger evaluation`. */
export interface EvaluationFlags extends TriggerFlags {
  timeframe?: string;
  start?: string;
  end?: string;
  gitCommitId?: string;
}

/** Flags of `trigger sequence`. */
export interface SequenceTriggerFlags extends TriggerFlags {
  data?: string[];
}

/** Where the CLI's events say they come from. */
export const CLI_SOURCE = 'shipmate-cli';

/**
 * Keptn's `--values a.b=c` / `--data a.b=c`: dotted keys unfolded into nested objects
 * (`{a: {b: 'c'}}`), later pairs winning; a key that is both a value and an object is a usage error.
 */
export function unfoldDotted(pairs: Record<string, string>, flag: string): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pairs)) {
    const path = key.split('.');
    if (path.some((part) => part === ''))
      throw new ConfigError(`${flag} '${key}=${value}': the key has an empty part; give e.g. ${flag} a.b=c`);
    let at = result;
    for (const part of path.slice(0, -1)) {
      const next = at[part];
      if (next !== undefined && (typeof next !== 'object' || next === null))
        throw new ConfigError(`${flag} '${key}': '${part}' is a value already, it cannot hold '${key}'`);
      at[part] = next ?? {};
      at = at[part] as Record<string, unknown>;
    }
    at[path.at(-1) ?? key] = value;
  }
  return result;
}

/** The stage to start in (the given one, else the shipyard's first) after checking the service is in it. */
async function startStage(client: ApiClient, project: string, service: string, stage: string | undefined): Promise<string> {
  const found = await client.project(project);
  const names = found.stages.map((s) => s.stageName);
  const name = stage ?? names[0];
  const chosen = found.stages.find((s) => s.stageName === name);
  if (chosen === undefined)
    throw new VerbFailure(`stage '${name ?? ''}' is not in the shipyard of project '${project}'; stages: ${names.join(', ') || 'none'}`);
  if (!chosen.services.some((s) => s.serviceName === service)) {
    throw new VerbFailure(
      `service '${service}' is not in stage '${chosen.stageName}' of project '${project}'; create it with \`shipmate create service ${service} --project ${project}\``,
    );
  }
  return chosen.stageName;
}

function triggerFlags(command: Command, stageRequired: boolean): Command {
  const withStage = stageRequired
    ? command.requiredOption('--stage <stage>', 'the stage')
    : command.option('--stage <stage>', "the stage to start in (default the shipyard's first)");
  return withWatch(withOutput(withConnection(withStage)))
    .requiredOption('--project <project>', 'the project')
    .requiredOption('--service <service>', 'the service')
    .option('-l, --labels <key=value,...>', 'labels of the sequence (repeat or separate with commas)', collect);
}

/** Registers the trigger verbs on `program`. */
export function registerTriggerVerbs(program: Command): void {
  const trigger = verbGroup(program, 'trigger', 'start a delivery, an evaluation or any sequence, and follow it');

  triggerFlags(trigger.command('delivery'), false)
    .description('deliver a new artifact of a service: sends <stage>.<sequence>.triggered with configurationChange.values.image')
    .requiredOption('--image <image[:tag]>', 'the artifact, e.g. ghcr.io/shop/carts:1.2.0')
    .option('--sequence <sequence>', 'the sequence to trigger', 'delivery')
    .option('--values <key=value>', 'more configurationChange.values, dotted keys nest (repeatable)', collect)
    .action((flags: DeliveryFlags) =>
      runVerb('trigger delivery', flags, async (context) => {
        const plan = planWatch(flags, context.out.interactive);
        const labels = parseKeyValues(flags.labels, '--labels', { commaSeparated: true, example: 'test-id=1234' });
        const values = unfoldDotted(parseKeyValues(flags.values, '--values', { commaSeparated: true, example: 'replicas=2' }), '--values');
        const stage = await startStage(context.client, flags.project, flags.service, flags.stage);
        const event: KeptnEventInput = {
          type: `sh.keptn.event.${stage}.${flags.sequence}.triggered`,
          source: CLI_SOURCE,
          specversion: '1.0',
          contenttype: 'application/json',
          data: {
            project: flags.project,
            stage,
            service: flags.service,
            labels,
            configurationChange: { values: { ...values, image: flags.image } },
          },
        };
        const { keptnContext } = await context.client.sendEvent(event);
        const what = `${flags.sequence} of ${flags.service} ${flags.image} in ${flags.project} from ${stage}`;
        return followContext(context, { project: flags.project, keptnContext, what }, plan, true);
      }),
    );

  triggerFlags(trigger.command('evaluation'), true)
    .description('evaluate the quality gate of a service in a stage over a time frame (Keptn: default the last 5 minutes)')
    .option('--timeframe <duration>', 'how long the window is, e.g. 5m (ending now, or starting at --start)')
    .option('--start <time>', 'start of the window, e.g. 2024-05-01T12:00:00')
    .option('--end <time>', 'end of the window (with --start, instead of --timeframe)')
    .option('--git-commit-id <commit>', 'evaluate with the configuration at this commit')
    .action((flags: EvaluationFlags) =>
      runVerb('trigger evaluation', flags, async (context) => {
        const plan = planWatch(flags, context.out.interactive);
        if (flags.end !== undefined && flags.timeframe !== undefined)
          throw new ConfigError('--end and --timeframe exclude each other: give one');
        if (flags.end !== undefined && flags.start === undefined) throw new ConfigError('--end needs --start');
        const labels = parseKeyValues(flags.labels, '--labels', { commaSeparated: true, example: 'test-id=1234' });
        const { keptnContext } = await context.client.triggerEvaluation(flags.project, flags.stage ?? '', flags.service, {
          ...(flags.timeframe !== undefined ? { timeframe: flags.timeframe } : {}),
          ...(flags.start !== undefined ? { start: flags.start } : {}),
          ...(flags.end !== undefined ? { end: flags.end } : {}),
          ...(flags.gitCommitId !== undefined ? { gitcommitid: flags.gitCommitId } : {}),
          labels,
        });
        const what = `evaluation of ${flags.service} in ${flags.project}/${flags.stage ?? ''}`;
        return followContext(context, { project: flags.project, keptnContext, what }, plan, true);
      }),
    );

  triggerFlags(trigger.command('sequence <name>'), true)
    .description('start any sequence of the shipyard: sends <stage>.<name>.triggered')
    .option('-d, --data <key=value>', 'more fields of the event data, dotted keys nest, e.g. test.strategy=direct (repeatable)', collect)
    .action((name: string, flags: SequenceTriggerFlags) =>
      runVerb('trigger sequence', flags, async (context) => {
        const plan = planWatch(flags, context.out.interactive);
        const labels = parseKeyValues(flags.labels, '--labels', { commaSeparated: true, example: 'test-id=1234' });
        const data = unfoldDotted(
          parseKeyValues(flags.data, '--data', { commaSeparated: true, example: 'test.strategy=direct' }),
          '--data',
        );
        const stage = await startStage(context.client, flags.project, flags.service, flags.stage);
        const { keptnContext } = await context.client.sendEvent({
          type: `sh.keptn.event.${stage}.${name}.triggered`,
          source: CLI_SOURCE,
          specversion: '1.0',
          contenttype: 'application/json',
          data: { ...data, project: flags.project, stage, service: flags.service, labels },
        });
        const what = `${name} of ${flags.service} in ${flags.project}/${stage}`;
        return followContext(context, { project: flags.project, keptnContext, what }, plan, true);
      }),
    );
}
