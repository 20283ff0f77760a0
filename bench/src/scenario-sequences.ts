/**
 * Figure (a): sequences completed per second. An executor answers every task at once over HTTP
 * while one sequence per service is kept in flight: three pollers (one per task type) list open
 * `.triggered` events, answer new ids with `.started` + `.finished`; a checker reads the sequence
 * states of answered contexts in batches and, on `finished`, triggers the next sequence of that
 * service until the total is reached.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROJECT, SEQUENCE, STAGE, TASKS } from './bench-project.js';
import type { KeptnApi, TriggeredTask } from './keptn-api.js';
import { summarize } from './stats.js';

/** Sequence states that end a sequence without `finished`. */
export const FAILED_STATES = new Set(['aborted', 'timedOut', 'cancelled', 'failed', 'errored']);
/** Contexts per sequence-state request. */
const STATE_BATCH = 50;

export interface SequenceThroughputOptions {
  api: KeptnApi;
  services: readonly string[];
  /** Sequences to complete in total. */
  sequences: number;
  /** Give up when nothing progresses for this long. @default 30000 */
  stallTimeoutMs?: number;
  log(line: string): void;
}

export interface SequenceThroughputResult {
  completed: number;
  failed: number;
  elapsedMs: number;
  sequencesPerSecond: number;
  /** Trigger-to-`finished`-seen time of one sequence, in ms. */
  sequenceDurationMs: ReturnType<typeof summarize>;
  /** Requests to the triggered-events endpoint and to the sequence-state endpoint. */
  triggeredPolls: number;
  statePolls: number;
}

export async function runSequenceThroughput(options: SequenceThroughputOptions): Promise<SequenceThroughputResult> {
  const { api, services, sequences: total } = options;
  const stallTimeoutMs = options.stallTimeoutMs ?? 30_000;
  const answered = new Set<string>();
  const awaitingState = new Map<string, string>(); // context → service, once its last task is answered
  const triggeredAt = new Map<string, number>();
  const durations: number[] = [];
  let triggered = 0;
  let completed = 0;
  let failed = 0;
  let triggeredPolls = 0;
  let statePolls = 0;
  let lastProgress = performance.now();
  let failure: Error | undefined;
  let done = false;
  let lastCompletionAt = 0;

  const fail = (error: unknown) => {
    failure ??= error instanceof Error ? error : new Error(String(error));
    done = true;
  };
  const progress = () => {
    lastProgress = performance.now();
  };
  const checkStall = () => {
    if (performance.now() - lastProgress > stallTimeoutMs) {
      fail(
        new Error(
          `no progress for ${stallTimeoutMs} ms (triggered ${triggered}, completed ${completed}, failed ${failed}, awaiting state ${awaitingState.size})`,
        ),
      );
    }
  };

  const trigger = (service: string) => {
    triggered++;
    const at = performance.now();
    api.triggerSequence(PROJECT, STAGE, SEQUENCE, service).then((context) => {
      triggeredAt.set(context, at);
      progress();
    }, fail);
  };

  const answer = (task: TriggeredTask, last: boolean) => {
    api.answerTask(task).then(() => {
      progress();
      if (last) awaitingState.set(task.shkeptncontext, task.service);
    }, fail);
  };

  const pollTask = async (task: string, last: boolean) => {
    while (!done) {
      const open = await api.openTriggered(task, { project: PROJECT, stage: STAGE });
      triggeredPolls++;
      let fresh = 0;
      for (const event of open) {
        if (answered.has(event.id)) continue;
        answered.add(event.id);
        fresh++;
        answer(event, last);
      }
      if (fresh === 0) {
        checkStall();
        await sleep(1);
      }
    }
  };

  const checkStates = async () => {
    while (!done) {
      if (awaitingState.size === 0) {
        checkStall();
        await sleep(1);
        continue;
      }
      const batch = [...awaitingState.keys()].slice(0, STATE_BATCH);
      const states = await api.sequenceStates(PROJECT, batch);
      statePolls++;
      let ended = 0;
      for (const { shkeptncontext: context, state } of states) {
        const service = awaitingState.get(context);
        if (service === undefined) continue;
        if (state === 'finished') completed++;
        else if (FAILED_STATES.has(state)) failed++;
        else continue;
        ended++;
        awaitingState.delete(context);
        const at = triggeredAt.get(context);
        if (at !== undefined) durations.push(performance.now() - at);
        progress();
        lastCompletionAt = performance.now();
        if (completed + failed === total) done = true;
        else if (triggered < total) trigger(service);
      }
      if (ended > 0 && (completed + failed) % 100 < ended) options.log(`  (a) ${completed + failed}/${total} sequences done`);
      if (ended === 0) {
        checkStall();
        await sleep(1);
      }
    }
  };

  const started = performance.now();
  for (const service of services.slice(0, total)) trigger(service);
  const loops = [...TASKS.map((task, i) => pollTask(task, i === TASKS.length - 1)), checkStates()].map((loop) => loop.catch(fail));
  await Promise.all(loops);
  if (failure) throw failure;
  // Up to the last completion, not to when the loops noticed that they were done.
  const elapsedMs = lastCompletionAt - started;
  return {
    completed,
    failed,
    elapsedMs,
    sequencesPerSecond: (completed * 1000) / elapsedMs,
    sequenceDurationMs: summarize(durations),
    triggeredPolls,
    statePolls,
  };
}
