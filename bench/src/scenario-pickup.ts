/**
 * Figure (p5): task pickup across replicas. A poller (an `@shipmate/agent-sdk` session, the long
 * poll every agent holds) is parked on one replica; the bench triggers the sequences of
 * `bench-agents` and answers every task through another replica, so each task `.triggered` is
 * recorded by the trigger replica and must reach the poller through the replicas' notices
 * (PostgreSQL LISTEN/NOTIFY). A sample is the time from the acknowledgement of the POST that made
 * the task (the sequence's trigger for the first task, the previous task's `.finished` for the
 * others) to the task in the poller's hands. Sequences run one at a time, after a few untimed ones.
 *
 * Run with the poller on the trigger replica, the same code gives the baseline without a notice.
 */
import { performance } from 'node:perf_hooks';
import { createAgentSession, createControlPlaneClient } from '@shipmate/agent-sdk';
import { AGENT_PROJECT, AGENT_SEQUENCE, AGENT_STAGE, AGENT_TASKS } from './agent-project.js';
import { LATENCY_EDGES, createHandlerSamples } from './handler-samples.js';
import type { KeptnApi, TriggeredTask } from './keptn-api.js';
import { pollUntil } from './poll.js';
import { createProblemLog } from './sdk-agents.js';
import type { ControlPlaneTarget } from './sdk-agents.js';
import { histogram, summarize } from './stats.js';

/** Untimed sequences first: the poller's first poll is parked and both replicas are warm. */
const WARM_UP_SEQUENCES = 3;
/** Longest wait for one task to reach the poller, and for a sequence to finish. */
const TIMEOUT_MS = 15_000;

export interface PickupOptions {
  /** The replica every trigger and answer goes to. */
  triggerApi: KeptnApi;
  /** The replica the poller is parked on. */
  pollTarget: ControlPlaneTarget;
  /** Integration name of the poller (one per run, unregistered at the end). */
  pollerName: string;
  /** Sequences timed, 5 tasks each. */
  sequences: number;
  /** A service of `bench-agents` no other poller is subscribed to meanwhile. */
  service: string;
}

export interface PickupResult {
  /** Acknowledgement of the POST that made the task → task in the poller's hands, ms (the figure). */
  fromAckMs: ReturnType<typeof summarize>;
  /** The task's stored time (`time`, ms resolution) → in the poller's hands, ms: (d)'s measure. */
  fromStoredMs: ReturnType<typeof summarize>;
  /** Samples whose task was in hand before the acknowledgement arrived (counted as 0 ms). */
  handedBeforeAck: number;
  histogramMs: Record<string, number>;
  /** Warnings and errors of the SDK session. */
  pollerProblems: string[];
}

/** `deployment` from `sh.keptn.event.deployment.triggered`. */
function taskOf(type: string): string {
  return type.split('.')[3] ?? '';
}

/** Runs the timed sequences; the poller is registered first and unregistered at the end. */
export async function runPickup(options: PickupOptions): Promise<PickupResult> {
  const { triggerApi: api } = options;
  const stored = createHandlerSamples();
  const handedAt = new Map<string, number>();
  const tasksByKey = new Map<string, TriggeredTask>();
  const problems = createProblemLog();
  const client = createControlPlaneClient({ endpoint: `${options.pollTarget.serverUrl}/api`, token: options.pollTarget.token });
  const session = createAgentSession({
    client,
    identity: {
      name: options.pollerName,
      podname: `${options.pollerName}-1`,
      namespace: 'bench',
      hostname: 'bench',
      location: 'remote-execution-plane',
      version: '',
      topics: AGENT_TASKS.map((task) => `sh.keptn.event.${task}.triggered`),
      filters: { projects: [AGENT_PROJECT], stages: [], services: [options.service] },
    },
    onTask: (event) => {
      const key = `${event.shkeptncontext} ${taskOf(event.type)}`;
      handedAt.set(key, performance.now());
      const data = event.data as Record<string, unknown>;
      tasksByKey.set(key, {
        id: event.id,
        type: event.type,
        shkeptncontext: event.shkeptncontext,
        project: String(data.project),
        stage: String(data.stage),
        service: String(data.service),
      });
      stored.record(event);
    },
    onAborted: () => {},
    logger: problems,
  });

  const fromAck: number[] = [];
  let handedBeforeAck = 0;
  /** One sequence: each task awaited in the poller's hands, then answered through the trigger replica. */
  const runSequence = async (timed: boolean) => {
    const context = await api.triggerSequence(AGENT_PROJECT, AGENT_STAGE, AGENT_SEQUENCE, options.service);
    let ackAt = performance.now();
    for (const task of AGENT_TASKS) {
      await stored.waitFor(context, task, TIMEOUT_MS);
      const key = `${context} ${task}`;
      const elapsed = handedAt.get(key)! - ackAt;
      if (timed) {
        if (elapsed < 0) handedBeforeAck++;
        fromAck.push(Math.max(0, elapsed));
      }
      const triggered = tasksByKey.get(key)!;
      await api.sendStarted(triggered);
      await api.sendFinished(triggered);
      ackAt = performance.now();
    }
    await pollUntil(
      `sequence ${context} finished`,
      async () => {
        const [state] = await api.sequenceStates(AGENT_PROJECT, [context]);
        return state?.state === 'finished' ? state : undefined;
      },
      { timeoutMs: TIMEOUT_MS },
    );
  };

  await session.start();
  try {
    for (let i = 0; i < WARM_UP_SEQUENCES; i++) await runSequence(false);
    stored.take();
    for (let i = 0; i < options.sequences; i++) await runSequence(true);
  } catch (error) {
    const recent = problems.recent();
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}${recent.length ? `; poller said: ${recent.join(' | ')}` : ''}`,
    );
  } finally {
    await session.close({ unregister: true });
    client.close();
  }
  return {
    fromAckMs: summarize(fromAck),
    fromStoredMs: summarize(stored.take()),
    handedBeforeAck,
    histogramMs: histogram(fromAck, LATENCY_EDGES),
    pollerProblems: problems.recent(),
  };
}
