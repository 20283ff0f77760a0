/**
 * What `trigger …` and `get sequence --keptn-context` do with a context: with `--watch` (the
 * default on a terminal) follow it live, one line (or JSON line, or YAML document) per step and a
 * last one with the result, exiting 0 for pass or warning and 1 otherwise; without, print the
 * context and how to follow it.
 */
import type { Command } from 'commander';
import { InputError, parseGoDuration } from '@shipmate/core';
import { ConfigError } from '../config/config-error.js';
import type { VerbContext } from './run-verb.js';
import { StepKind, outcomeExitCode, stepLine } from './sequence-steps.js';
import type { SequenceOutcome, SequenceStep } from './sequence-steps.js';
import { VerbFailure } from './verb-failure.js';
import { ENDED_STATES, watchSequence } from './watch-sequence.js';

/** The watch flags (`--watch`, `--no-watch`, `--timeout`, Keptn's `--watch-time`). */
export interface WatchFlags {
  watch?: boolean;
  timeout?: string;
  watchTime?: string;
}

/** How long `--watch` follows without `--timeout`. */
export const DEFAULT_WATCH_TIMEOUT = '1h';

/** Adds the watch flags. */
export function withWatch(command: Command): Command {
  return command
    .option('-w, --watch', 'follow the sequence until it ends and exit with its result (the default on a terminal)')
    .option('--no-watch', 'print the keptn context and return at once')
    .option(
      '--timeout <duration>',
      `how long --watch follows, e.g. 90s, 10m (default ${DEFAULT_WATCH_TIMEOUT}); the sequence goes on after it`,
    )
    .option('--watch-time <seconds>', "Keptn's spelling of --timeout, in seconds");
}

/** The watch timeout in ms from `--timeout` or `--watch-time`; a bad value is a usage error. */
export function watchTimeoutMs(flags: WatchFlags): number {
  if (flags.timeout !== undefined && flags.watchTime !== undefined) throw new ConfigError('give --timeout or --watch-time, not both');
  if (flags.watchTime !== undefined) {
    if (!/^\d+$/.test(flags.watchTime.trim()) || Number(flags.watchTime) === 0)
      throw new ConfigError(`--watch-time '${flags.watchTime}' is not a number of seconds: give e.g. --watch-time 600, or --timeout 10m`);
    return Number(flags.watchTime) * 1000;
  }
  const text = flags.timeout ?? DEFAULT_WATCH_TIMEOUT;
  let ms: number;
  try {
    ms = parseGoDuration(text, '--timeout');
  } catch (error) {
    if (error instanceof InputError) throw new ConfigError(error.message);
    throw error;
  }
  if (ms <= 0) throw new ConfigError(`--timeout '${text}' must be longer than 0, e.g. 10m`);
  return ms;
}

/** What a context is, for the messages: e.g. `delivery of carts to dev in shop`. */
export interface FollowTarget {
  readonly project: string;
  readonly keptnContext: string;
  readonly what: string;
}

/** The human last line of a followed context. */
export function outcomeLine(outcome: SequenceOutcome, context: VerbContext['out']['style']): string {
  const stages = outcome.stages.map((stage) => `${stage.stage} ${stage.sequence} ${stage.result}`).join(', ');
  return `${context.bold('Result:')} ${context.outcome(outcome.result)}${stages ? `  (${stages})` : ''}${
    outcome.result !== 'pass' && outcome.result !== 'warning' && outcome.message ? ` - ${outcome.message}` : ''
  }`;
}

/** Whether and how long to follow, decided before anything is sent (a bad --timeout must not start a sequence). */
export interface WatchPlan {
  readonly watch: boolean;
  readonly timeoutMs: number;
}

/** The plan of the watch flags: `--watch`/`--no-watch`, else on a terminal or when a timeout is given. */
export function planWatch(flags: WatchFlags, interactive: boolean): WatchPlan {
  const watch = flags.watch ?? (interactive || flags.timeout !== undefined || flags.watchTime !== undefined);
  return { watch, timeoutMs: watch ? watchTimeoutMs(flags) : 0 };
}

/** The `.triggered` ids of approval tasks the approval-service left to a person and nobody decided yet. */
export function waitingApprovals(steps: readonly SequenceStep[]): string[] {
  const finished = new Set(steps.filter((step) => step.kind === StepKind.taskFinished).map((step) => step.triggeredId));
  const manual = steps.filter(
    (step) =>
      step.kind === StepKind.taskProgress &&
      step.task === 'approval' &&
      /: manual\b/.test(step.message ?? '') &&
      !finished.has(step.triggeredId),
  );
  return [...new Set(manual.map((step) => step.triggeredId))];
}

/** Follows the context or says how to; resolves with the exit code. */
export async function followContext(
  { client, out }: VerbContext,
  target: FollowTarget,
  { watch, timeoutMs }: WatchPlan,
  started: boolean,
): Promise<number> {
  const { project, keptnContext } = target;
  const again = `shipmate get sequence --project ${project} --keptn-context ${keptnContext} --watch`;
  if (!watch) {
    out.record({ keptnContext }, () => keptnContext);
    if (started) out.note(`started ${target.what} (keptn context ${keptnContext}); follow it with \`${again}\``);
    return 0;
  }
  out.note(`${started ? 'started' : 'following'} ${target.what} (keptn context ${keptnContext}); Ctrl-C stops following, not the sequence`);
  const hinted = new Set<string>();
  const end = await watchSequence(
    client,
    {
      project,
      keptnContext,
      timeoutMs,
      // After each look: say how to decide the approvals still waiting for a person, once each.
      onLook: (steps, state) => {
        if (ENDED_STATES.has(state)) return;
        for (const id of waitingApprovals(steps)) {
          if (hinted.has(id)) continue;
          hinted.add(id);
          out.note(`    waiting for a person: \`shipmate approve --project ${project} --id ${id}\` (or \`shipmate decline …\`)`);
        }
      },
    },
    (step) => out.record(step, () => stepLine(step, out.style)),
  );
  if (!end.ended) {
    throw new VerbFailure(
      `${target.what} is still ${end.state} after ${Math.round(timeoutMs / 1000)} s; it goes on: follow it again with \`${again}\``,
    );
  }
  out.record({ kind: 'result', keptnContext, ...end.outcome }, () => outcomeLine(end.outcome, out.style));
  return outcomeExitCode(end.outcome);
}
