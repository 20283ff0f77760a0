/**
 * Trigger → handler timing for the agent scenarios (d, e). A handler calls {@link HandlerSamples.record}
 * first thing with the task's `.triggered` event; the latency is `Date.now()` then minus the
 * event's `time`, which the server sets when it records the task (ISO string, ms resolution, same
 * machine clock). {@link driveSequences} triggers sequences of `bench-agents` and waits for each to
 * finish, so the agent answering task n is what triggers task n+1.
 */
import { AGENT_PROJECT, AGENT_SEQUENCE, AGENT_STAGE, AGENT_TASKS } from './agent-project.js';
import type { KeptnApi } from './keptn-api.js';
import { pollUntil } from './poll.js';
import { FAILED_STATES } from './scenario-sequences.js';

/** Bucket edges (ms) of the latency histograms in the JSON. */
export const LATENCY_EDGES = [2, 5, 10, 15, 20, 25, 50, 100];

/** The fields of a task `.triggered` event the timing uses. */
export interface TimedTask {
  type: string;
  shkeptncontext: string;
  time: string;
}

/** Latencies of handler starts, and waiting for a given task to be handled. */
export interface HandlerSamples {
  /** Records the start of `task`'s handler at `atMs` (default `Date.now()`). */
  record(task: TimedTask, atMs?: number): void;
  /** Resolves once `task` of `context` was recorded; rejects after `timeoutMs`. */
  waitFor(context: string, task: string, timeoutMs: number): Promise<void>;
  /** The latencies (ms) recorded since the last call, oldest first; clears them. */
  take(): number[];
}

/** `deployment` from `sh.keptn.event.deployment.triggered`. */
function taskOf(type: string): string {
  return type.split('.')[3] ?? '';
}

export function createHandlerSamples(): HandlerSamples {
  let latencies: number[] = [];
  const seen = new Set<string>();
  const waiters = new Map<string, () => void>();
  return {
    record(task, atMs = Date.now()) {
      const storedAt = Date.parse(task.time);
      if (Number.isNaN(storedAt)) throw new Error(`task ${task.type} of ${task.shkeptncontext} has no valid time: '${task.time}'`);
      latencies.push(atMs - storedAt);
      const key = `${task.shkeptncontext} ${taskOf(task.type)}`;
      seen.add(key);
      waiters.get(key)?.();
    },
    waitFor(context, task, timeoutMs) {
      const key = `${context} ${task}`;
      if (seen.has(key)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(key);
          reject(new Error(`no handler started for task ${task} of ${context} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.set(key, () => {
          clearTimeout(timer);
          waiters.delete(key);
          resolve();
        });
      });
    },
    take() {
      const taken = latencies;
      latencies = [];
      return taken;
    },
  };
}

/** Options of {@link driveSequences}. */
export interface DriveOptions {
  api: KeptnApi;
  samples: HandlerSamples;
  /** Services of `bench-agents`; one per sequence in flight. */
  services: readonly string[];
  /** Sequences to run in total. */
  sequences: number;
  /** Sequences in flight at once (at most one per service). */
  inFlight: number;
  /** Limit for one task to reach its handler, and for a sequence to show `finished`. @default 15000 */
  timeoutMs?: number;
}

/**
 * Runs `sequences` sequences of `dev.chain`, `inFlight` at a time: each slot triggers one on its
 * own service, waits until the handler of the last task started and the sequence state shows
 * `finished`, then triggers the next. Resolves with the latencies of every task (5 per sequence).
 */
export async function driveSequences(options: DriveOptions): Promise<number[]> {
  const { api, samples } = options;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const lastTask = AGENT_TASKS[AGENT_TASKS.length - 1]!;
  const slots = options.services.slice(0, Math.max(1, options.inFlight));
  samples.take();
  let started = 0;
  const slot = async (service: string) => {
    while (started < options.sequences) {
      started++;
      const context = await api.triggerSequence(AGENT_PROJECT, AGENT_STAGE, AGENT_SEQUENCE, service);
      await samples.waitFor(context, lastTask, timeoutMs);
      const state = await pollUntil(
        `sequence ${context} to end`,
        async () => {
          const [found] = await api.sequenceStates(AGENT_PROJECT, [context]);
          return found && (found.state === 'finished' || FAILED_STATES.has(found.state)) ? found.state : undefined;
        },
        { timeoutMs },
      );
      if (state !== 'finished') throw new Error(`sequence ${context} ended ${state}`);
    }
  };
  await Promise.all(slots.map(slot));
  const latencies = samples.take();
  const expected = options.sequences * AGENT_TASKS.length;
  if (latencies.length !== expected) throw new Error(`expected ${expected} handler starts, got ${latencies.length}`);
  return latencies;
}
