/**
 * Runs the orchestrator: one step at a time (steps are serialised through one promise chain, so
 * two steps never interleave their reads and writes), draining the store's pending events as soon
 * as they are stored (no polling ticks; the events stored meanwhile are handled together in one
 * transaction) and firing timers at their due time with one
 * `setTimeout` armed for the earliest timer. On start it resumes whatever the store holds:
 * pending events, due timers, queued sequences.
 */
import type { KeptnEvent } from '../events/keptn-event.js';
import type { Clock } from '../ports/clock.js';
import type { ControlPlaneStore } from '../ports/store.js';
import type { Orchestrator, SequenceControlState } from './orchestrator.js';

/** Settings of the processor. */
export interface EventProcessorOptions {
  store: ControlPlaneStore;
  orchestrator: Orchestrator;
  clock: Clock;
  /** Called with every event the orchestrator emitted, after it is committed. */
  onEmitted?: (events: readonly KeptnEvent[]) => void;
  /** Called when a step fails; the event is then marked processed so it cannot wedge the queue. */
  onError: (error: unknown, what: string) => void;
  /** Pending events read per batch. @default 256 */
  batchSize?: number;
}

/** The running orchestrator loop. */
export interface EventProcessor {
  /** Resumes from the store and starts reacting. */
  start(): Promise<void>;
  /**
   * Stores new events and handles them in one transaction, after anything already pending.
   * Resolves once they are durable. If handling fails they are stored as pending and handled
   * one by one (so a bad event cannot take good ones down with it).
   */
  ingest(events: readonly KeptnEvent[]): Promise<void>;
  /** Sequence control, serialised with the other steps. */
  control(project: string, keptnContext: string, state: SequenceControlState, stage?: string): Promise<void>;
  /**
   * Runs `work` between two steps, never during one: for a write to data a step reads and
   * rewrites (such as a note in the sequence state view), which a running step would otherwise
   * overwrite. {@link idle} waits for it too.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /** Resolves once nothing is pending (used by tests and shutdown). */
  idle(): Promise<void>;
  /** Stops timers and waits for the running step and the work queued meanwhile. */
  stop(): Promise<void>;
}

const MAX_TIMEOUT_MS = 2_147_483_647;

/** Creates the processor. */
export function createEventProcessor(options: EventProcessorOptions): EventProcessor {
  const { store, orchestrator, clock } = options;
  const batchSize = options.batchSize ?? 256;
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let armedForMs: number | undefined;

  function serial<T>(work: () => Promise<T>): Promise<T> {
    const result = chain.then(work);
    chain = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  function emitted(events: readonly KeptnEvent[]): void {
    if (events.length > 0) options.onEmitted?.(events);
  }

  async function drain(): Promise<void> {
    for (;;) {
      const batch = await store.pendingEvents(batchSize);
      if (batch.length === 0) break;
      try {
        emitted(await orchestrator.handleEvents(batch));
        continue;
      } catch (error) {
        options.onError(error, `handling a batch of ${batch.length} events; retrying them one by one`);
      }
      for (const pending of batch) {
        try {
          emitted(await orchestrator.handleEvent(pending));
        } catch (error) {
          options.onError(error, `handling event ${pending.event.id} (${pending.event.type})`);
          await store.commit({ processedSeqs: [pending.seq] });
        }
      }
    }
    await armTimer();
  }

  async function fireDueTimers(): Promise<void> {
    armedForMs = undefined;
    for (;;) {
      const due = await store.dueTimers(clock.nowMs(), batchSize);
      if (due.length === 0) break;
      for (const record of due) {
        try {
          emitted(await orchestrator.fireTimer(record));
        } catch (error) {
          options.onError(error, `firing timer ${record.kind} of task ${record.triggeredId}`);
          await store.commit({ timersRemove: [record.id] });
        }
      }
    }
    await drain();
  }

  async function armTimer(): Promise<void> {
    if (stopped) return;
    const next = await store.nextTimerDueMs();
    if (next === undefined) {
      if (timer) clearTimeout(timer);
      timer = undefined;
      armedForMs = undefined;
      return;
    }
    if (armedForMs === next && timer) return;
    if (timer) clearTimeout(timer);
    armedForMs = next;
    const delay = Math.min(Math.max(0, next - clock.nowMs()), MAX_TIMEOUT_MS);
    timer = setTimeout(() => {
      timer = undefined;
      void serial(fireDueTimers).catch((error: unknown) => options.onError(error, 'firing timers'));
    }, delay);
    timer.unref?.();
  }

  return {
    async start() {
      await serial(async () => {
        await orchestrator.recover();
        await fireDueTimers();
      });
    },
    async ingest(events) {
      // No drain first: every step ends with one and pending events are only written inside
      // steps, so nothing stored earlier can be waiting when this step starts.
      await serial(async () => {
        try {
          emitted(await orchestrator.ingestEvents(events));
        } catch (error) {
          options.onError(error, `handling ${events.length} new events; storing them for one-by-one handling`);
          await store.appendEvents([...events], { pending: true });
        }
        await drain();
      });
    },
    async control(project, keptnContext, state, stage) {
      await serial(async () => {
        emitted(await orchestrator.control(project, keptnContext, state, stage));
        await drain();
      });
    },
    exclusive(work) {
      return serial(work);
    },
    async idle() {
      await serial(async () => {
        await drain();
      });
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      // Steps may queue work (exclusive) while they run: wait until nothing was added.
      for (let last = chain; ; last = chain) {
        await last;
        if (last === chain) break;
      }
    },
  };
}
