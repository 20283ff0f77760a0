/**
 * Collects every change of one orchestration step so that it is committed in one transaction,
 * and overlays the changes not yet committed on the store's reads (a step that creates an
 * execution and then dispatches the queue must see that execution; the second of two events
 * handled in one batch must see what the first did). Reads the orchestrator makes that are not
 * overlaid here (projects, pause markers) are never changed by event handling.
 */
import type { KeptnEvent } from '../events/keptn-event.js';
import { ExecutionState } from '../sequence/execution.js';
import type { SequenceExecution } from '../sequence/execution.js';
import type { SequenceState } from '../sequence/sequence-state.js';
import type {
  Changeset,
  ControlPlaneStore,
  ExecutionContextRef,
  OpenTriggeredEvent,
  PauseMarker,
  ServiceActivity,
  TimerRecord,
} from '../ports/store.js';

/** One orchestration step's pending changes. */
export class UnitOfWork {
  private readonly executions = new Map<string, SequenceExecution>();
  private readonly states = new Map<string, SequenceState>();
  private readonly newEvents: Array<{ event: KeptnEvent; pending: boolean }> = [];
  private readonly openedIncoming: KeptnEvent[] = [];
  private readonly incoming: KeptnEvent[] = [];
  private readonly processedSeqs: number[] = [];
  private readonly openPut: OpenTriggeredEvent[] = [];
  private readonly openRemove: string[] = [];
  private readonly timersPut: TimerRecord[] = [];
  private readonly timersRemoveForTask: string[] = [];
  private readonly timersRemove: string[] = [];
  private readonly firedTimers: string[] = [];
  private readonly pausePut: PauseMarker[] = [];
  private readonly pauseRemove: PauseMarker[] = [];
  private readonly activity: ServiceActivity[] = [];
  private readonly lastContexts: Array<{ project: string; keptnContext: string }> = [];
  private latestCauseMs = Number.NEGATIVE_INFINITY;
  /** Store reads done ahead for this step ({@link readAhead}), by task id; undefined: it has none. */
  private readonly storedByTask = new Map<string, SequenceExecution | undefined>();
  /** Store reads done ahead for this step, by project and keptn context. */
  private readonly storedOfContext = new Map<string, SequenceExecution[]>();
  /** Sequence states read ahead for this step, by project and keptn context; undefined: it has none. */
  private readonly storedStates = new Map<string, SequenceState | undefined>();

  constructor(private readonly store: ControlPlaneStore) {}

  /** Events emitted by this step, in order. */
  get emitted(): readonly KeptnEvent[] {
    return this.newEvents.map((e) => e.event);
  }

  /**
   * Events that became deliverable in this step: those it emitted, and incoming sub-task
   * `.triggered` events it opened (both may wake agents waiting for tasks).
   */
  get deliverable(): readonly KeptnEvent[] {
    return [...this.emitted, ...this.openedIncoming];
  }

  saveExecution(execution: SequenceExecution): void {
    this.executions.set(execution._id, execution);
  }

  /**
   * Reads ahead, in one store read each, the executions of these tasks and contexts, which
   * {@link executionByTask} and {@link executionsOfContext} then take instead of one read per event
   * of a batch. Sound because nothing this step reads is written before its commit, and a step holds
   * the claims of its scopes (the read ahead returns what a read later in the step would).
   */
  async readAhead(ahead: {
    taskIds?: readonly string[];
    contexts?: readonly ExecutionContextRef[];
    states?: readonly ExecutionContextRef[];
  }): Promise<void> {
    const states = notYetRead(
      this.storedStates,
      ahead.states ?? [],
      (c) => contextKey(c.project, c.keptnContext),
      () => undefined,
    );
    if (states.length > 0) {
      for (const state of await this.store.getSequenceStates(states)) {
        this.storedStates.set(contextKey(state.project, state.shkeptncontext), state);
      }
    }
    const taskIds = notYetRead(
      this.storedByTask,
      ahead.taskIds ?? [],
      (id) => id,
      () => undefined,
    );
    if (taskIds.length > 0) {
      const found = await this.store.findExecutionsByTasks(taskIds);
      for (const id of taskIds) this.storedByTask.set(id, found.get(id));
    }
    const contexts = notYetRead(
      this.storedOfContext,
      ahead.contexts ?? [],
      (c) => contextKey(c.project, c.keptnContext),
      () => [],
    );
    if (contexts.length > 0) {
      for (const execution of await this.store.listExecutionsOfContexts(contexts)) {
        this.storedOfContext.get(contextKey(execution.scope.project, execution.scope.keptnContext))?.push(execution);
      }
    }
  }

  /** Whether the store has an execution whose current task has this id, if it was read ahead. */
  storedTaskKnown(triggeredId: string): boolean | undefined {
    return this.storedByTask.has(triggeredId) ? this.storedByTask.get(triggeredId) !== undefined : undefined;
  }

  /** The execution whose current task has this triggered id, with this step's changes applied. */
  async executionByTask(triggeredId: string): Promise<SequenceExecution | undefined> {
    const stored = this.storedByTask.has(triggeredId)
      ? this.storedByTask.get(triggeredId)
      : await this.store.findExecutionByTask(triggeredId);
    if (stored) return this.executions.get(stored._id) ?? stored;
    for (const e of this.executions.values()) if (e.status.currentTask?.triggeredID === triggeredId) return e;
    return undefined;
  }

  /** Executions of a keptn context, with this step's changes applied, oldest first. */
  async executionsOfContext(project: string, keptnContext: string): Promise<SequenceExecution[]> {
    const stored =
      this.storedOfContext.get(contextKey(project, keptnContext)) ?? (await this.store.listExecutionsOfContext(project, keptnContext));
    const byId = new Map(stored.map((e) => [e._id, e]));
    for (const e of this.executions.values()) {
      if (e.scope.project === project && e.scope.keptnContext === keptnContext) byId.set(e._id, e);
    }
    return [...byId.values()].sort((a, b) => (a.triggeredAt < b.triggeredAt ? -1 : a.triggeredAt > b.triggeredAt ? 1 : 0));
  }

  /** The execution started by this sequence `.triggered` id, with this step's changes applied. */
  async executionByTrigger(triggeredId: string): Promise<SequenceExecution | undefined> {
    for (const e of this.executions.values()) if (e.scope.triggeredId === triggeredId) return e;
    return this.store.findExecutionByTrigger(triggeredId);
  }

  /** Executions of a scope in the given states, with this step's changes applied, oldest first. */
  async executionsInScope(
    project: string,
    stage: string,
    service: string,
    states: readonly ExecutionState[],
  ): Promise<SequenceExecution[]> {
    const stored = await this.store.listExecutionsInScope(project, stage, service, states);
    const byId = new Map(stored.map((e) => [e._id, e]));
    for (const e of this.executions.values()) {
      if (e.scope.project === project && e.scope.stage === stage && e.scope.service === service) byId.set(e._id, e);
    }
    return [...byId.values()]
      .filter((e) => states.includes(e.status.state))
      .sort((a, b) => (a.triggeredAt < b.triggeredAt ? -1 : a.triggeredAt > b.triggeredAt ? 1 : 0));
  }

  async sequenceState(project: string, keptnContext: string): Promise<SequenceState | undefined> {
    const key = contextKey(project, keptnContext);
    const changed = this.states.get(key);
    if (changed) return changed;
    return this.storedStates.has(key) ? this.storedStates.get(key) : await this.store.getSequenceState(project, keptnContext);
  }

  saveSequenceState(state: SequenceState): void {
    this.states.set(contextKey(state.project, state.shkeptncontext), state);
  }

  /** Stores an incoming event that this step handles (so it is stored as processed). */
  storeIncoming(event: KeptnEvent): void {
    this.incoming.push(event);
  }

  emit(event: KeptnEvent, options: { pending: boolean }): void {
    this.newEvents.push({ event, pending: options.pending });
  }

  /** Notes an event that causes what this step emits next (a handled event, an emitted sequence `.finished`). */
  noteCause(event: KeptnEvent): void {
    const ms = Date.parse(event.time);
    if (ms > this.latestCauseMs) this.latestCauseMs = ms;
  }

  /**
   * The earliest `time` (ms) an event emitted now may carry: `nowMs`, or 1 ms after the latest
   * cause noted when the clock has not moved past it (an effect is always strictly later than its
   * cause, so the Bridge never sees a task before the sequence that triggered it).
   */
  eventTimeMs(nowMs: number): number {
    return Math.max(nowMs, this.latestCauseMs + 1);
  }

  markProcessed(seq: number): void {
    this.processedSeqs.push(seq);
  }

  openTriggered(entry: OpenTriggeredEvent, options: { incoming?: boolean } = {}): void {
    this.openPut.push(entry);
    if (options.incoming) this.openedIncoming.push(entry.event);
  }

  closeTriggered(eventId: string): void {
    this.openRemove.push(eventId);
  }

  setTimer(timer: TimerRecord): void {
    this.timersPut.push(timer);
  }

  clearTaskTimers(triggeredId: string): void {
    this.timersRemoveForTask.push(triggeredId);
  }

  removeTimer(id: string): void {
    this.timersRemove.push(id);
  }

  /** Removes the timer this step fires; the commit fails with `AlreadyHandledError` if it is gone. */
  firedTimer(id: string): void {
    this.firedTimers.push(id);
  }

  putPause(marker: PauseMarker): void {
    this.pausePut.push(marker);
  }

  removePause(marker: PauseMarker): void {
    this.pauseRemove.push(marker);
  }

  noteActivity(activity: ServiceActivity): void {
    this.activity.push(activity);
  }

  noteLastContext(project: string, keptnContext: string): void {
    this.lastContexts.push({ project, keptnContext });
  }

  /** The changes as one changeset. */
  toChangeset(): Changeset {
    return {
      newEvents: [...this.incoming.map((event) => ({ event, pending: false })), ...this.newEvents],
      processedSeqs: this.processedSeqs,
      executions: [...this.executions.values()],
      openTriggeredPut: this.openPut,
      openTriggeredRemove: this.openRemove,
      timersPut: this.timersPut,
      timersRemoveForTask: this.timersRemoveForTask,
      timersRemove: this.timersRemove,
      firedTimers: this.firedTimers,
      sequenceStates: [...this.states.values()],
      pausePut: this.pausePut,
      pauseRemove: this.pauseRemove,
      serviceActivity: this.activity,
      projectLastContext: this.lastContexts,
    };
  }

  /** Commits everything in one transaction. */
  async commit(): Promise<void> {
    await this.store.commit(this.toChangeset());
  }
}

/** States that take part in the project/stage/service queue. */
export const QUEUE_STATES: readonly ExecutionState[] = [ExecutionState.triggered, ExecutionState.waiting, ExecutionState.started];

/**
 * The items of `wanted` whose key `read` does not hold yet, each once, in order; their keys are put
 * in `read` with `initial()` (what a read that finds nothing leaves), so a later read ahead skips them.
 */
function notYetRead<T, V>(read: Map<string, V>, wanted: readonly T[], keyOf: (item: T) => string, initial: () => V): T[] {
  const unread: T[] = [];
  for (const item of wanted) {
    const key = keyOf(item);
    if (read.has(key)) continue;
    read.set(key, initial());
    unread.push(item);
  }
  return unread;
}

function contextKey(project: string, keptnContext: string): string {
  return `${project}\u0000${keptnContext}`;
}
