/**
 * The store port: everything the control plane keeps. Adapters (SQLite, PostgreSQL) implement it
 * and pass the shared contract suite in @shipmate/testing. Every method that changes state is
 * one transaction.
 */
import type { KeptnEvent } from '../events/keptn-event.js';
import type { SequenceExecution, ExecutionState } from '../sequence/execution.js';
import type { SequenceState } from '../sequence/sequence-state.js';
import type { TimerKind } from '../sequence/transition.js';

/** A project row. `stages` mirrors the shipyard's stage order. */
export interface ProjectRecord {
  name: string;
  /** Unix nanoseconds as a decimal string (Keptn's `creationDate`). */
  creationDate: string;
  /** The shipyard YAML as given (plain text). */
  shipyard: string;
  /** Configuration version of the shipyard currently in force. */
  shipyardCommit: string;
  /** Shipyard `apiVersion` of the current shipyard. */
  shipyardVersion: string;
  stages: string[];
  /** Public part of the git credentials (no token, key, password or certificate). */
  gitCredentials?: Record<string, unknown>;
  lastEventContext?: string | null;
}

/** Last event of one type seen for a service (Keptn's `lastEventTypes` entry). */
export interface LastEventType {
  eventId: string;
  keptnContext: string;
  time: string;
}

/** A service in one stage. */
export interface ServiceRecord {
  project: string;
  stage: string;
  name: string;
  creationDate: string;
  deployedImage?: string;
  lastEventTypes: Record<string, LastEventType>;
}

/** Activity to note on a service: a task event went through it. */
export interface ServiceActivity {
  project: string;
  stage: string;
  service: string;
  eventType: string;
  ref: LastEventType;
  deployedImage?: string;
}

/** An open `.triggered` event (task or sequence) with the execution that owns it. */
export interface OpenTriggeredEvent {
  event: KeptnEvent;
  /**
   * When executors may see the task (`queryOpenTriggered`'s `visibleAt`); earlier than
   * `event.time` when that was moved 1 ms past its cause's. @default event.time
   */
  visibleAt?: string;
  executionId: string;
  project: string;
  stage: string;
  service: string;
}

/** A persisted timer. */
export interface TimerRecord {
  id: string;
  kind: TimerKind;
  executionId: string;
  triggeredId: string;
  dueAtMs: number;
}

/** A pause marker for a context: `stage` is `''` for the whole context. */
export interface PauseMarker {
  project: string;
  keptnContext: string;
  stage: string;
}

/** An event waiting for the orchestrator, with its store sequence number. */
export interface PendingEvent {
  seq: number;
  event: KeptnEvent;
}

/** All changes of one orchestration step; applied in one transaction. */
export interface Changeset {
  /** New events to store; `pending` ones are handed to the orchestrator afterwards. */
  newEvents?: Array<{ event: KeptnEvent; pending: boolean }>;
  /**
   * Pending events this step has handled. Each must still be pending: if another replica processed
   * one meanwhile, the store applies nothing and throws `AlreadyHandledError`.
   */
  processedSeqs?: number[];
  /**
   * Timers this step fired (removed like `timersRemove`). Each must still exist: if another replica
   * fired one meanwhile, the store applies nothing and throws `AlreadyHandledError`.
   */
  firedTimers?: string[];
  /**
   * Executions created or changed. An execution's scope, sequence name and trigger time never change
   * after its first save: saved again, a store writes only its state, current task and document.
   */
  executions?: SequenceExecution[];
  openTriggeredPut?: OpenTriggeredEvent[];
  openTriggeredRemove?: string[];
  timersPut?: TimerRecord[];
  /** Removes every timer of these triggered ids. */
  timersRemoveForTask?: string[];
  timersRemove?: string[];
  sequenceStates?: SequenceState[];
  pausePut?: PauseMarker[];
  pauseRemove?: PauseMarker[];
  serviceActivity?: ServiceActivity[];
  /** Sets `lastEventContext` of a project. */
  projectLastContext?: Array<{ project: string; keptnContext: string }>;
}

/**
 * The page asked of a list query, and how far its `totalCount` is counted. Counting every match
 * costs a pass over all of them however small the page, so the API routes bound it: `totalCount`
 * is then exact while at most `countLimit` items match, else `countLimit` (a lower bound). A SQL
 * store counts `SELECT count(*) FROM (SELECT 1 … LIMIT countLimit)`, which stops at the bound.
 */
export interface PageQuery {
  offset: number;
  /** Items in the page; 0 = no limit. */
  limit: number;
  /**
   * Count matches only up to this many; 0 counts none (`totalCount` is then `offset` plus the
   * items returned). Without it, every match is counted. A `totalCount` is never below `offset`
   * plus the items returned.
   */
  countLimit?: number;
}

/** Filter of the event store queries (mongodb-datastore `GET /event`). */
export interface EventQuery extends PageQuery {
  keptnContext?: string;
  type?: string;
  project?: string;
  stage?: string;
  service?: string;
  eventId?: string;
  source?: string;
  triggeredId?: string;
  /** `time > fromTime` (string comparison of keptn timestamps). */
  fromTime?: string;
  /** `time < beforeTime`. */
  beforeTime?: string;
  /** Only the first event of each context. */
  rootOnly?: boolean;
  /** A dotted path of the event document (`data.result`, `shkeptncontext`, `source`, ...) equals one of the values (DS `filter`), e.g. `{ 'data.result': ['pass', 'warning'] }`. */
  fieldIn?: Record<string, string[]>;
  /** Drop events whose `triggeredid` has an `.invalidated` event in the project. */
  excludeInvalidated?: boolean;
}

/** Filter of the open triggered-event query (`/v1/event/triggered/{type}`). */
export interface OpenTriggeredQuery {
  /** Exact type; without it, every type (task delivery with wildcard subscriptions). */
  type?: string;
  project?: string;
  stage?: string;
  service?: string;
  eventId?: string;
  /** Only events whose `time <= visibleAt` (hides tasks stored future-dated for `triggeredAfter` by earlier versions). */
  visibleAt: string;
}

/** Filter of the sequence-execution query. */
export interface ExecutionQuery extends PageQuery {
  project: string;
  stage?: string;
  service?: string;
  keptnContext?: string;
  name?: string;
  state?: string;
}

/** Filter of the sequence-state query. */
export interface SequenceStateQuery extends PageQuery {
  project: string;
  name?: string;
  state?: string;
  fromTime?: string;
  beforeTime?: string;
  keptnContexts?: string[];
}

/** A change of one stage's `message` in a sequence view (see {@link ControlPlaneStore.updateStageMessage}). */
export interface StageMessageUpdate {
  project: string;
  keptnContext: string;
  stage: string;
  /** The event the message is about: nothing changes unless it is still the stage's `latestEvent`. */
  latestEventId: string;
  /** The new message; undefined removes it. */
  message: string | undefined;
}

/** A page of results. */
export interface Page<T> {
  items: T[];
  /** Matches in all, counted as far as {@link PageQuery.countLimit} says. */
  totalCount: number;
}

/** One keptn context of a project. */
export interface ExecutionContextRef {
  readonly project: string;
  readonly keptnContext: string;
}

/** The store port. */
export interface ControlPlaneStore {
  /** Releases the connection(s). */
  close(): Promise<void>;

  /** Stores events in one transaction; resolves only once they are durable. */
  appendEvents(events: KeptnEvent[], options: { pending: boolean }): Promise<void>;
  /** Oldest pending events first. */
  pendingEvents(limit: number): Promise<PendingEvent[]>;
  /** Applies one orchestration step atomically. */
  commit(changes: Changeset): Promise<void>;
  queryEvents(query: EventQuery): Promise<Page<KeptnEvent>>;
  /** Deletes events older than `time` and returns how many went. */
  deleteEventsBefore(time: string): Promise<number>;

  insertProject(project: ProjectRecord): Promise<void>;
  updateProject(project: ProjectRecord): Promise<void>;
  /** Removes the project with its services, events and sequence data; false if unknown. */
  deleteProject(name: string): Promise<boolean>;
  getProject(name: string): Promise<ProjectRecord | undefined>;
  listProjects(): Promise<ProjectRecord[]>;
  /** Stores a shipyard version (idempotent). */
  putShipyardVersion(project: string, commit: string, content: string): Promise<void>;
  getShipyardVersion(project: string, commit: string): Promise<string | undefined>;

  /** Creates the service in each of the given stages. */
  insertService(project: string, service: string, stages: string[], creationDate: string): Promise<void>;
  deleteService(project: string, service: string): Promise<void>;
  /** Services of a project, optionally of one stage, sorted by name. */
  listServices(project: string, stage?: string): Promise<ServiceRecord[]>;
  /** Whether the service exists in the stage (asked at every sequence start: no rows are read). */
  hasService(project: string, stage: string, service: string): Promise<boolean>;

  getExecution(id: string): Promise<SequenceExecution | undefined>;
  /** The execution whose sequence `.triggered` had this id. */
  findExecutionByTrigger(triggeredId: string): Promise<SequenceExecution | undefined>;
  /** The execution whose current task was triggered with this id (the oldest, should there be two). */
  findExecutionByTask(triggeredId: string): Promise<SequenceExecution | undefined>;
  /**
   * {@link findExecutionByTask} for several ids in one read (an orchestration step reads ahead for
   * a batch of events): per id that has one, its execution; ids without are absent.
   */
  findExecutionsByTasks(triggeredIds: readonly string[]): Promise<Map<string, SequenceExecution>>;
  /** Executions of a keptn context, oldest trigger first. */
  listExecutionsOfContext(project: string, keptnContext: string): Promise<SequenceExecution[]>;
  /** {@link listExecutionsOfContext} for several contexts in one read: all their executions, oldest trigger first. */
  listExecutionsOfContexts(contexts: readonly ExecutionContextRef[]): Promise<SequenceExecution[]>;
  /**
   * Executions of one project/stage/service in the given states, oldest trigger first: the queue of
   * that scope. Only states an execution leaves may be asked for (not TERMINAL_STATES; a RangeError
   * otherwise): the stores keep an index of active executions alone, so that the queue stays a few
   * index pages however long the history grows.
   */
  listExecutionsInScope(project: string, stage: string, service: string, states: readonly ExecutionState[]): Promise<SequenceExecution[]>;
  queryExecutions(query: ExecutionQuery): Promise<Page<SequenceExecution>>;

  getSequenceState(project: string, keptnContext: string): Promise<SequenceState | undefined>;
  /** {@link getSequenceState} for several contexts in one read: the states that exist, in no particular order. */
  getSequenceStates(contexts: readonly ExecutionContextRef[]): Promise<SequenceState[]>;
  querySequenceStates(query: SequenceStateQuery): Promise<Page<SequenceState>>;
  /**
   * Sets or removes one stage's `message` in a sequence view, only while the stage's `latestEvent`
   * is `latestEventId` (so a note about a task never overwrites a newer state), in one
   * transaction; true when the view changed.
   */
  updateStageMessage(update: StageMessageUpdate): Promise<boolean>;

  /** Open triggered events, newest first. */
  queryOpenTriggered(query: OpenTriggeredQuery): Promise<KeptnEvent[]>;

  /** Timers due at or before `nowMs`, earliest first. */
  dueTimers(nowMs: number, limit: number): Promise<TimerRecord[]>;
  /** Due time of the earliest timer, if any. */
  nextTimerDueMs(): Promise<number | undefined>;

  listPauseMarkers(project: string, keptnContext: string): Promise<PauseMarker[]>;
}
