/**
 * Runs the orchestrator: one step at a time (steps are serialised through one promise chain, so
 * two steps never interleave their reads and writes), draining the store's pending events as soon
 * as they are stored (no polling ticks; the events stored meanwhile are handled together in one
 * transaction) and firing timers at their due time with one
 * `setTimeout` armed for the earliest timer. On start it resumes whatever the store holds:
 * pending events, due timers, queued sequences.
 *
 * An acknowledged event is never dropped. When handling an event (or firing a timer) fails:
 * - transiently ({@link isTransient}: the store is busy, full or failing I/O), the event stays
 *   pending and the timer in place, and the same timer is armed to retry after a pause that
 *   doubles from `retryInitialMs` to `retryMaxMs`. Until the retry succeeds no other pending
 *   event or timer is handled (they queue behind it, in order) and new events are only stored;
 *   once the cause is gone everything continues where it stopped, also after a restart.
 * - permanently (anything else: the event cannot be handled), its sequence is ended visibly
 *   (`Orchestrator.failEvent` / `failTimer`: an errored `.finished` and the reason in the sequence
 *   state) and the event marked processed or the timer removed. Recording that failure is retried
 *   like any step when it fails transiently; only if it fails permanently too is the event marked
 *   processed without it (logged), so that one broken record cannot stop every other sequence.
 *
 * With several control-plane replicas (`claims.shared`, ports/step-claims.ts) every step holds the
 * claims of its scopes while it reads and commits, so steps of one scope never interleave across
 * replicas; a pending event or timer another replica handled first fails the commit with
 * `AlreadyHandledError` and is skipped; and every `sweepMs` each replica looks for pending events
 * and due timers, so work a dead replica left behind (or a timer another replica set) runs.
 */
import type { KeptnEvent } from '../events/keptn-event.js';
import { keptnTime } from '../events/keptn-event.js';
import { isAlreadyHandled, isTransient } from '../errors/errors.js';
import type { Clock } from '../ports/clock.js';
import type { ControlPlaneStore, PendingEvent, TimerRecord } from '../ports/store.js';
import { processClaims, scopesOfEvents } from '../ports/step-claims.js';
import type { StepClaims, StepScope } from '../ports/step-claims.js';
import type { Orchestrator, SequenceControlState } from './orchestrator.js';

/** Settings of the processor. */
export interface EventProcessorOptions {
  store: ControlPlaneStore;
  orchestrator: Orchestrator;
  clock: Clock;
  /** Called with every event the orchestrator emitted, after it is committed. */
  onEmitted?: (events: readonly KeptnEvent[]) => void;
  /** Called when a step fails, with what failed and what happens next (a retry and when, or the sequence ended). */
  onError: (error: unknown, what: string) => void;
  /** Pending events read per batch. @default 256 */
  batchSize?: number;
  /** Pause before the first retry after a transient failure; doubles on every further failure. @default 100 */
  retryInitialMs?: number;
  /** Longest pause between retries. @default 30000 */
  retryMaxMs?: number;
  /** Claims across replicas. @default one process ({@link processClaims}) */
  claims?: StepClaims;
  /** With shared claims: how often to look for pending events and due timers. @default 1000 */
  sweepMs?: number;
}

/** The running orchestrator loop. */
export interface EventProcessor {
  /** Resumes from the store and starts reacting. */
  start(): Promise<void>;
  /**
   * Stores new events and handles them in one transaction, after anything already pending.
   * Resolves once they are durable. If handling fails they are stored as pending and handled
   * one by one (so a bad event cannot take good ones down with it); while a transient failure
   * is being retried they are only stored, and handled after the events ahead of them.
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
  /**
   * Resolves once nothing is pending (used by tests and shutdown), or, while a transient failure
   * waits for its retry, once the steps queued before it have run (the retry is not hurried).
   */
  idle(): Promise<void>;
  /** Stops timers and waits for the running step and the work queued meanwhile. */
  stop(): Promise<void>;
}

const MAX_TIMEOUT_MS = 2_147_483_647;
/** Most events one ingest step takes from the inbox (a caller's own batch is never split). */
const MAX_INGEST_EVENTS = 512;

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Creates the processor. */
export function createEventProcessor(options: EventProcessorOptions): EventProcessor {
  const { store, orchestrator, clock } = options;
  const batchSize = options.batchSize ?? 256;
  const retryInitialMs = options.retryInitialMs ?? 100;
  const retryMaxMs = Math.max(retryInitialMs, options.retryMaxMs ?? 30_000);
  const claims = options.claims ?? processClaims;
  let sweep: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let armedForMs: number | undefined;
  /** Transient failures in a row; 0 when the last pass went through. */
  let failures = 0;
  /** When the retry of the last transient failure is due; set until its timer fires. */
  let retryAtMs: number | undefined;

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

  /** Notes a transient failure and schedules the retry (armed by {@link armTimer}); returns false. */
  function retryLater(error: unknown, what: string): false {
    failures += 1;
    const delayMs = Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(failures - 1, 30));
    retryAtMs = clock.nowMs() + delayMs;
    options.onError(
      error,
      `${what} failed transiently (${reasonOf(error)}); nothing is dropped, retry ${failures} in ${delayMs} ms at ${keptnTime(retryAtMs)}`,
    );
    return false;
  }

  /** A store read of the loop; undefined (retry scheduled) when it failed transiently. */
  async function read<T>(what: string, work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (error) {
      if (!isTransient(error)) throw error;
      retryLater(error, what);
      return undefined;
    }
  }

  /**
   * Records a permanent failure (`fail`), falling back to `giveUp` (mark processed, remove the
   * timer) if recording it fails permanently too. False when a retry was scheduled.
   */
  async function recordFailure(what: string, fail: () => Promise<KeptnEvent[]>, giveUp: () => Promise<void>): Promise<boolean> {
    try {
      emitted(await fail());
      return true;
    } catch (error) {
      if (isAlreadyHandled(error)) return true;
      if (isTransient(error)) return retryLater(error, `recording the failure of ${what}`);
      options.onError(error, `recording the failure of ${what} failed too; it is dropped so that the work behind it can run`);
    }
    try {
      await giveUp();
      return true;
    } catch (error) {
      if (isAlreadyHandled(error)) return true;
      if (isTransient(error)) return retryLater(error, `dropping ${what}`);
      throw error;
    }
  }

  /**
   * Events handed to {@link EventProcessor.ingest} wait here for their step. One step takes every
   * event that arrived while the steps before it ran (up to {@link MAX_INGEST_EVENTS}), so the
   * longer a step takes (a store across the network), the more events share its transaction, and
   * each caller still resolves only once its events are committed.
   */
  const inbox: Array<{ events: readonly KeptnEvent[]; resolve: () => void; reject: (error: unknown) => void }> = [];
  let inboxScheduled = false;

  function scheduleInbox(): void {
    if (inboxScheduled || inbox.length === 0) return;
    inboxScheduled = true;
    void serial(takeInbox);
  }

  async function takeInbox(): Promise<void> {
    inboxScheduled = false;
    let count = 0;
    let taken = 0;
    while (taken < inbox.length && (taken === 0 || count + (inbox[taken]?.events.length ?? 0) <= MAX_INGEST_EVENTS))
      count += inbox[taken++]?.events.length ?? 0;
    const batch = inbox.splice(0, taken);
    scheduleInbox();
    try {
      await ingestStep(batch.flatMap((entry) => entry.events));
      for (const entry of batch) entry.resolve();
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }

  /**
   * Stores new events and handles them in one transaction. No drain first: every step ends with
   * one and pending events are only written inside steps, so nothing stored earlier can be waiting
   * when this step starts, unless a retry is scheduled (then these are stored behind them).
   */
  async function ingestStep(events: readonly KeptnEvent[]): Promise<void> {
    if (retryAtMs !== undefined) {
      // Events ahead of these wait for a retry: store these behind them, the retry handles all.
      await store.appendEvents([...events], { pending: true });
      return;
    }
    try {
      emitted(await claims.hold(scopesOfEvents(events), () => orchestrator.ingestEvents(events)));
    } catch (error) {
      options.onError(error, `handling ${events.length} new events; storing them for one-by-one handling`);
      await store.appendEvents([...events], { pending: true });
    }
    await pump(false);
  }

  /** Handles one pending event; false when a retry was scheduled. */
  async function handleOne(pending: PendingEvent): Promise<boolean> {
    const what = `event ${pending.event.id} (${pending.event.type})`;
    const scopes = scopesOfEvents([pending.event]);
    try {
      emitted(await claims.hold(scopes, () => orchestrator.handleEvent(pending)));
      return true;
    } catch (error) {
      if (isAlreadyHandled(error)) return true;
      if (isTransient(error)) return retryLater(error, `handling ${what}`);
      options.onError(error, `handling ${what} failed permanently; ending its sequence as errored`);
      return recordFailure(
        what,
        () => claims.hold(scopes, () => orchestrator.failEvent(pending, reasonOf(error))),
        () => store.commit({ processedSeqs: [pending.seq] }),
      );
    }
  }

  /** Handles the pending events in order; false when it stopped for a retry. */
  async function drain(): Promise<boolean> {
    for (;;) {
      const batch = await read('reading pending events', () => store.pendingEvents(batchSize));
      if (batch === undefined) return false;
      if (batch.length === 0) return true;
      try {
        emitted(await claims.hold(scopesOfEvents(batch.map((p) => p.event)), () => orchestrator.handleEvents(batch)));
        continue;
      } catch (error) {
        // Another replica handled some of them first: read what is still pending.
        if (isAlreadyHandled(error)) continue;
        if (isTransient(error)) return retryLater(error, `handling a batch of ${batch.length} events`);
        options.onError(error, `handling a batch of ${batch.length} events; retrying them one by one`);
      }
      for (const pending of batch) if (!(await handleOne(pending))) return false;
    }
  }

  /** The scope of a timer's execution (only asked when replicas share the store: a scope needs a read). */
  async function scopesOfTimer(record: TimerRecord): Promise<StepScope[]> {
    if (!claims.shared) return [];
    const execution = await store.getExecution(record.executionId);
    return execution ? [{ project: execution.scope.project, service: execution.scope.service }] : [];
  }

  /** Fires one due timer; false when a retry was scheduled. */
  async function fireOne(record: TimerRecord): Promise<boolean> {
    const what = `timer ${record.kind} of task ${record.triggeredId}`;
    let scopes: StepScope[] = [];
    try {
      scopes = await scopesOfTimer(record);
      emitted(await claims.hold(scopes, () => orchestrator.fireTimer(record)));
      return true;
    } catch (error) {
      if (isAlreadyHandled(error)) return true;
      if (isTransient(error)) return retryLater(error, `firing ${what}`);
      options.onError(error, `firing ${what} failed permanently; ending its sequence as errored`);
      return recordFailure(
        what,
        () => claims.hold(scopes, () => orchestrator.failTimer(record, reasonOf(error))),
        () => store.commit({ timersRemove: [record.id] }),
      );
    }
  }

  /** Fires the due timers, then handles what they emitted; false when it stopped for a retry. */
  async function fireDueTimers(): Promise<boolean> {
    for (;;) {
      const due = await read('reading due timers', () => store.dueTimers(clock.nowMs(), batchSize));
      if (due === undefined) return false;
      if (due.length === 0) break;
      for (const record of due) if (!(await fireOne(record))) return false;
    }
    return drain();
  }

  /**
   * One pass: pending events, then (`timers`) due timers; then arms the timer. Does nothing while
   * a retry is scheduled (the retry runs the full pass), so a failing store is not hammered by
   * every request.
   */
  async function pump(timers: boolean): Promise<void> {
    if (retryAtMs !== undefined) return;
    try {
      if ((await drain()) && (!timers || (await fireDueTimers()))) failures = 0;
    } finally {
      await armTimer();
    }
  }

  async function armTimer(): Promise<void> {
    if (stopped) return;
    let next = retryAtMs;
    if (next === undefined) {
      next = await read('reading the next timer', () => store.nextTimerDueMs());
      // A failed read scheduled a retry: arm for it instead.
      next ??= retryAtMs;
    }
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
      armedForMs = undefined;
      retryAtMs = undefined;
      void serial(() => pump(true)).catch((error: unknown) => options.onError(error, 'running due work'));
    }, delay);
    timer.unref?.();
  }

  return {
    async start() {
      await serial(async () => {
        for (const project of await store.listProjects())
          await claims.hold([{ project: project.name }], () => orchestrator.recoverProject(project.name));
        await pump(true);
      });
      if (claims.shared) {
        // One sweep queued at a time: behind a long step, ticks do not pile up passes.
        let sweepQueued = false;
        sweep = setInterval(() => {
          if (retryAtMs !== undefined || sweepQueued) return;
          sweepQueued = true;
          void serial(() => {
            sweepQueued = false;
            return pump(true);
          }).catch((error: unknown) => options.onError(error, 'sweeping for work'));
        }, options.sweepMs ?? 1000);
        sweep.unref?.();
      }
    },
    ingest(events) {
      return new Promise<void>((resolve, reject) => {
        inbox.push({ events, resolve, reject });
        scheduleInbox();
      });
    },
    async control(project, keptnContext, state, stage) {
      await serial(async () => {
        emitted(await claims.hold([{ project }], () => orchestrator.control(project, keptnContext, state, stage)));
        await pump(false);
      });
    },
    exclusive(work) {
      return serial(work);
    },
    async idle() {
      await serial(() => pump(false));
    },
    async stop() {
      stopped = true;
      if (sweep) clearInterval(sweep);
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
