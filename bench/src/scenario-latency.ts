/**
 * Figure (c): latency from posting task n's `.finished` to task n+1's `.triggered` being listed.
 * Sequences run one at a time: wait for `deployment.triggered`, send `.started`, then time from
 * sending `deployment.finished` until `test.triggered` of that context shows up on the
 * triggered-events endpoint (filtered by service, polled back to back). `test` and `release` are
 * then answered and the sequence is awaited to `finished` before the next one starts.
 */
import { performance } from 'node:perf_hooks';
import { PROJECT, SEQUENCE, STAGE, TASKS } from './bench-project.js';
import type { KeptnApi, TriggeredTask } from './keptn-api.js';
import { pollUntil } from './poll.js';
import { summarize } from './stats.js';

export interface TaskLatencyOptions {
  api: KeptnApi;
  services: readonly string[];
  /** Sequences to run, one after the other. */
  sequences: number;
  log(line: string): void;
}

export interface TaskLatencyResult {
  /** Posting `deployment.finished` → `test.triggered` listed, in ms. */
  latencyMs: ReturnType<typeof summarize>;
  /** The acknowledgement of the `deployment.finished` POST alone, in ms. */
  finishedAckMs: ReturnType<typeof summarize>;
}

export async function runTaskLatency(options: TaskLatencyOptions): Promise<TaskLatencyResult> {
  const { api, services } = options;
  const [first, second, ...rest] = TASKS;
  const latencies: number[] = [];
  const acks: number[] = [];

  const waitForTask = (task: string, service: string, context: string): Promise<TriggeredTask> =>
    pollUntil(
      `${task}.triggered of ${context}`,
      async () => (await api.openTriggered(task, { project: PROJECT, stage: STAGE, service })).find((e) => e.shkeptncontext === context),
      { intervalMs: 0, timeoutMs: 10_000 },
    );

  for (let i = 0; i < options.sequences; i++) {
    const service = services[i % services.length]!;
    const context = await api.triggerSequence(PROJECT, STAGE, SEQUENCE, service);
    const deployment = await waitForTask(first, service, context);
    await api.sendStarted(deployment);

    const sentAt = performance.now();
    await api.sendFinished(deployment);
    acks.push(performance.now() - sentAt);
    let next = await waitForTask(second, service, context);
    latencies.push(performance.now() - sentAt);

    await api.answerTask(next);
    for (const task of rest) {
      next = await waitForTask(task, service, context);
      await api.answerTask(next);
    }
    await pollUntil(`sequence ${context} finished`, async () => {
      const [state] = await api.sequenceStates(PROJECT, [context]);
      return state?.state === 'finished' ? state : undefined;
    });
    if ((i + 1) % 50 === 0) options.log(`  (c) ${i + 1}/${options.sequences} sequences measured`);
  }
  return { latencyMs: summarize(latencies), finishedAckMs: summarize(acks) };
}
