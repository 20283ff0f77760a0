/**
 * The embedded store: {@link ControlPlaneStore} on one SQLite file through better-sqlite3.
 *
 * better-sqlite3 is synchronous, so each method runs to completion inside its own call; the
 * returned promise only carries the result. Every method that writes runs in one transaction, and
 * the statements of the hot paths (appendEvents, commit, pendingEvents, findExecutionByTask,
 * listExecutionsInScope) are prepared once when the store opens. Queries whose shape depends on
 * the filters given are prepared on first use and kept in a small cache keyed by their SQL.
 *
 * Documents (events, executions, sequence states, projects) are stored whole as JSON text; the
 * filter and sort columns are copies written from the document in the same statement.
 */
import { dirname } from 'node:path';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import {
  ConflictError,
  AlreadyHandledError,
  EVENT_FIELD_COLUMNS,
  ErrorCode,
  InputError,
  NotFoundError,
  UnavailableError,
  eventFieldPathSegments,
  requireActiveStates,
  withStageMessage,
} from '@shipmate/core';
import type {
  Changeset,
  ControlPlaneStore,
  IntegrationRegistryStore,
  TaskLeaseStore,
  SecretStore,
  ApiTokenStore,
  EventQuery,
  ExecutionQuery,
  ExecutionState,
  KeptnEvent,
  OpenTriggeredEvent,
  OpenTriggeredQuery,
  Page,
  PageQuery,
  PauseMarker,
  PendingEvent,
  ProjectRecord,
  SequenceExecution,
  SequenceState,
  SequenceStateQuery,
  ServiceRecord,
  StageMessageUpdate,
  TimerRecord,
} from '@shipmate/core';
import { MIGRATIONS, applyMigrations } from './migrations.js';
import { translateSqliteError as translateError } from './sqlite-errors.js';
import { buildSqliteRegistryStore } from './sqlite-registry-store.js';
import { buildSqliteTaskLeaseStore } from './sqlite-task-lease-store.js';
import { startWalCheckpointer } from './wal-checkpointer.js';
import type { WalCheckpointer } from './wal-checkpointer.js';
import { buildSqliteSecretStore } from './sqlite-secret-store.js';
import { buildSqliteApiTokenStore } from './sqlite-api-token-store.js';
import { createPrivateFile } from './private-file.js';
import { createEventRoots } from './event-roots.js';
import { createServiceActivityLog } from './service-activity-log.js';
import { enableWalCoalescing } from './wal-coalescing.js';

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /** Database file (created with mode 0600 if missing; its directory must exist), or `':memory:'`. */
  path: string;
  /**
   * How long a write waits for another connection's lock before failing with
   * `ERR_STORE_UNAVAILABLE`.
   * @default 5000
   */
  busyTimeoutMs?: number;
  /**
   * Ceiling of the WAL file (`<path>-wal`) in bytes. Checkpoints run in a worker thread; when it
   * falls behind a sustained write load, the commit that takes the WAL past half of this
   * checkpoints itself and the WAL starts over (wal-checkpointer.ts). At least 1 MiB.
   * @default 67108864 (64 MiB)
   */
  walMaxBytes?: number;
  /**
   * Told before the schema of an existing database is upgraded: an upgrade can take a while on a
   * large history (migration 10 took 7 s for 1.1M events), so the server says so.
   */
  beforeUpgrade?: (from: number, to: number) => void;
}

/** {@link SqliteStoreOptions} with defaults applied. */
export interface ResolvedSqliteStoreOptions {
  readonly path: string;
  readonly busyTimeoutMs: number;
  readonly walMaxBytes: number;
}

/** Default of {@link SqliteStoreOptions.walMaxBytes}: 64 MiB. */
export const DEFAULT_WAL_MAX_BYTES = 64 * 1024 * 1024;
/** Smallest {@link SqliteStoreOptions.walMaxBytes}: 1 MiB. */
export const MIN_WAL_MAX_BYTES = 1024 * 1024;

/** The SQLite adapter of the store port and of the integration registry port (one connection). */
export interface SqliteControlPlaneStore extends ControlPlaneStore, IntegrationRegistryStore, TaskLeaseStore, SecretStore, ApiTokenStore {
  /** The options the store was opened with. */
  readonly options: ResolvedSqliteStoreOptions;
  /**
   * Test hook: sets SQLite's `max_page_count` of this connection (never stored; gone when the
   * store is reopened) and returns the limit in force. SQLite raises a limit below the current size
   * to the current size, so `maxPageCount(1)` caps the database where it is: every write that needs
   * a new page then fails with a real SQLITE_FULL, as on a full disk.
   */
  maxPageCount(pages: number): number;
}

type SqlValue = string | number | bigint | null;
type Statement = Database.Statement<SqlValue[]>;

/** SQLite's name of the primary-key index of `sequence_states` (project, keptn_context). */
const SEQUENCE_STATES_PRIMARY_KEY = 'sqlite_autoindex_sequence_states_1';

/** Most distinct dynamic query shapes kept prepared. */
const DYNAMIC_STATEMENT_CACHE_SIZE = 200;

/** Page size of a database this store creates (SQLite's default, chosen on purpose: see openDatabase). */
export const PAGE_BYTES = 4096;

const PLAIN_SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The context's root (event-roots.ts); `root = 1` word for word, so that SQLite uses the partial index events_roots. */
const ROOT_EVENT_CLAUSE = 'e.root = 1';

/**
 * The event's triggeredid has no `.invalidated` event in the same project. The GLOB term matches
 * the partial index `events_invalidated` word for word, which is what lets SQLite use it.
 */
const NOT_INVALIDATED_CLAUSE = `NOT (e.triggeredid IS NOT NULL AND EXISTS (
  SELECT 1 FROM events i
  WHERE i.type GLOB '*.invalidated' AND i.triggeredid = e.triggeredid AND i.project IS e.project))`;

/** Opens (creating and migrating if needed) the SQLite store at `options.path`. */
export function createSqliteStore(options: SqliteStoreOptions): SqliteControlPlaneStore {
  const resolved = resolveOptions(options);
  // Before the first database is opened: the WAL of every file opened after it is written through it.
  enableWalCoalescing();
  const db = openDatabase(resolved);
  try {
    applyMigrations(db, MIGRATIONS, options.beforeUpgrade);
  } catch (error) {
    db.close();
    throw translateError(error, resolved);
  }
  const checkpointer =
    resolved.path === ':memory:'
      ? undefined
      : startWalCheckpointer(db, resolved.path, { busyTimeoutMs: resolved.busyTimeoutMs, walMaxBytes: resolved.walMaxBytes });
  return buildStore(db, resolved, checkpointer);
}

function resolveOptions(options: SqliteStoreOptions): ResolvedSqliteStoreOptions {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new InputError(
      ErrorCode.invalidField,
      `busyTimeoutMs must be a whole number of milliseconds >= 0, got ${busyTimeoutMs}; e.g. 5000`,
    );
  }
  const walMaxBytes = options.walMaxBytes ?? DEFAULT_WAL_MAX_BYTES;
  if (!Number.isSafeInteger(walMaxBytes) || walMaxBytes < MIN_WAL_MAX_BYTES) {
    throw new InputError(
      ErrorCode.invalidField,
      `walMaxBytes must be a whole number of bytes >= ${MIN_WAL_MAX_BYTES} (1 MiB), got ${walMaxBytes}; e.g. ${DEFAULT_WAL_MAX_BYTES} (64 MiB)`,
    );
  }
  if (options.path === '')
    throw new InputError(ErrorCode.invalidField, "SQLite path is empty; give a file path such as './data/shipmate.db' or ':memory:'");
  return Object.freeze({ path: options.path, busyTimeoutMs, walMaxBytes });
}

function openDatabase(options: ResolvedSqliteStoreOptions): Database.Database {
  if (options.path !== ':memory:' && !existsSync(dirname(options.path))) {
    throw new UnavailableError(
      ErrorCode.storeUnavailable,
      `cannot open SQLite database '${options.path}': directory '${dirname(options.path)}' does not exist; create it or choose another data directory`,
    );
  }
  let db: Database.Database;
  try {
    // A new database file is created 0600 here, before SQLite would create it 0644 minus the umask;
    // SQLite gives the -wal and -shm files the database file's mode.
    if (options.path !== ':memory:') createDatabaseFile(options.path);
    db = new Database(options.path, { timeout: options.busyTimeoutMs });
  } catch (error) {
    throw translateError(error, options);
  }
  try {
    // 4 KiB pages for a new database (an existing one keeps the size it was created with). 8 KiB
    // saved 5.0-5.6 % of the server's CPU per sequence in bench (a), but a commit then writes twice
    // the bytes, the WAL starts over twice as often, and each restart fsyncs on the event loop:
    // bench (c)'s p99 rose from about 4.6 to 5.3 ms on this disk (not on tmpfs).
    // docs/architecture.md, "Per commit".
    db.pragma(`page_size = ${PAGE_BYTES}`);
    // WAL lets readers run beside the one writer. With WAL, synchronous=NORMAL still writes every
    // committed transaction to the WAL file before the commit returns, so a process crash or
    // kill -9 loses nothing acknowledged; only an OS crash or power loss can lose the last
    // transactions (those not yet checkpointed by an fsync). FULL would fsync on every commit
    // for that case alone, at several times the write latency.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
  } catch (error) {
    db.close();
    throw translateError(error, options);
  }
  return db;
}

/** {@link createPrivateFile}, with a file system error told as `ERR_STORE_UNAVAILABLE`. */
function createDatabaseFile(path: string): void {
  try {
    createPrivateFile(path);
  } catch (error) {
    throw new UnavailableError(
      ErrorCode.storeUnavailable,
      `cannot create SQLite database '${path}' (${(error as NodeJS.ErrnoException).code ?? String(error)}); check that its directory is writable and the disk has space`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Row shapes and conversions

interface DocRow {
  doc: string;
}
interface PendingRow {
  seq: number;
  doc: string;
}
interface CountRow {
  n: number;
}
interface ProjectRow {
  doc: string;
  last_event_context: string | null;
}
interface ServiceRow {
  project: string;
  stage: string;
  name: string;
  creation_date: string;
  deployed_image: string | null;
  last_event_types: string;
}
interface TimerRow {
  id: string;
  kind: TimerRecord['kind'];
  execution_id: string;
  triggered_id: string;
  due_at_ms: number;
}
interface PauseRow {
  project: string;
  keptn_context: string;
  stage: string;
}

// The store wrote every doc from the typed value, so parsing it back to that type is sound.
function parseDoc<T>(row: DocRow): T {
  return JSON.parse(row.doc) as T;
}

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function toProject(row: ProjectRow): ProjectRecord {
  return { ...(JSON.parse(row.doc) as ProjectRecord), lastEventContext: row.last_event_context };
}

function toService(row: ServiceRow): ServiceRecord {
  return {
    project: row.project,
    stage: row.stage,
    name: row.name,
    creationDate: row.creation_date,
    ...(row.deployed_image !== null ? { deployedImage: row.deployed_image } : {}),
    lastEventTypes: JSON.parse(row.last_event_types) as ServiceRecord['lastEventTypes'],
  };
}

function toTimer(row: TimerRow): TimerRecord {
  return { id: row.id, kind: row.kind, executionId: row.execution_id, triggeredId: row.triggered_id, dueAtMs: row.due_at_ms };
}

function toPauseMarker(row: PauseRow): PauseMarker {
  return { project: row.project, keptnContext: row.keptn_context, stage: row.stage };
}

/**
 * `limit`, checked, for writing into the SQL instead of binding it. SQLite re-prepares a statement
 * whose `LIMIT` is a bound parameter every time it is bound (the value may change the plan): 5 us
 * per run for the pending-events read after every step (1.6 us with the limit in the SQL), 8 to
 * 21 us for the page reads of the API. Callers use few distinct limits (a batch size, page sizes,
 * page ends), each its own statement in {@link cached}; `OFFSET` stays bound (it costs nothing).
 */
function limitLiteral(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be a whole number >= 0, got ${limit}`);
  return limit;
}

/** A document row with the columns that order executions: `triggered_at`, then `rowid`. */
interface TimedDocRow extends DocRow {
  triggered_at: string;
  rowid: number;
}

/** The first row by `triggered_at, rowid` (what `ORDER BY triggered_at, rowid LIMIT 1` returns). */
function oldestRow<T extends TimedDocRow>(rows: readonly T[]): T | undefined {
  let oldest: T | undefined;
  for (const row of rows) {
    if (!oldest || row.triggered_at < oldest.triggered_at || (row.triggered_at === oldest.triggered_at && row.rowid < oldest.rowid))
      oldest = row;
  }
  return oldest;
}

/** SQLite reads `LIMIT -1` as no limit; the port's queries use 0 for that. */
function sqlLimit(limit: number): number {
  return limit > 0 ? limit : -1;
}

/**
 * The `json_extract` path of a dotted document path (`data.get-sli.x` → `$.data."get-sli".x`).
 * Throws on anything but a document path (see `eventFieldPathSegments`).
 */
export function jsonPathOf(path: string): string {
  return (
    '$' +
    eventFieldPathSegments(path)
      .map((s) => (PLAIN_SEGMENT.test(s) ? `.${s}` : `."${s}"`))
      .join('')
  );
}

/** A WHERE clause under construction: terms joined with AND, parameters in order. */
class Where {
  readonly terms: string[] = [];
  readonly params: SqlValue[] = [];

  /** Adds `column = value` when the value is given. */
  eq(column: string, value: string | undefined): this {
    if (value !== undefined) this.add(`${column} = ?`, value);
    return this;
  }

  add(term: string, ...params: SqlValue[]): this {
    this.terms.push(term);
    this.params.push(...params);
    return this;
  }

  toString(): string {
    return this.terms.length === 0 ? '' : `WHERE ${this.terms.join(' AND ')}`;
  }
}

// ---------------------------------------------------------------------------------------------
// The store

function buildStore(
  db: Database.Database,
  options: ResolvedSqliteStoreOptions,
  checkpointer: WalCheckpointer | undefined,
): SqliteControlPlaneStore {
  const prepare = (sql: string): Statement => db.prepare<SqlValue[]>(sql);
  /** Commits log their service activity; reads and deletes of services fold it first. */
  const activityLog = createServiceActivityLog(db);
  const roots = createEventRoots(db);

  const s = {
    insertEvent: prepare(
      `INSERT INTO events (id, project, stage, service, type, shkeptncontext, triggeredid, source, time, pending, doc, root)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    ),
    markProcessed: prepare('UPDATE events SET pending = 0 WHERE seq = ? AND pending = 1'),

    upsertExecution: prepare(
      `INSERT INTO executions (id, project, stage, service, keptn_context, name, state, triggered_id, current_task_id, triggered_at, doc)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET
         state = excluded.state, current_task_id = excluded.current_task_id, doc = excluded.doc`,
    ),
    getExecution: prepare('SELECT doc FROM executions WHERE id = ?'),
    executionByTrigger: prepare('SELECT doc FROM executions WHERE triggered_id = ?'),
    // No ORDER BY: SQLite would sort through a temporary b-tree on every run (~2 us; it runs for
    // every task .started/.finished) for the one row a task id almost always has. oldestRow picks.
    executionByTask: prepare('SELECT doc, triggered_at, rowid FROM executions WHERE current_task_id = ?'),
    // IS NOT NULL: lets SQLite use the partial index executions_current_task for the IN list.
    executionsByTasks: prepare(
      `SELECT doc, triggered_at, rowid, current_task_id FROM executions
       WHERE current_task_id IS NOT NULL AND current_task_id IN (SELECT value FROM json_each(?))`,
    ),
    // INDEXED BY: without it SQLite takes executions_project_time for the ORDER BY and reads every
    // execution of the project (the sub-task lookup runs this for every .finished).
    executionsOfContext: prepare(
      'SELECT doc FROM executions INDEXED BY executions_context WHERE project = ? AND keptn_context = ? ORDER BY triggered_at, rowid',
    ),
    executionsOfContexts: prepare(
      `SELECT doc FROM executions INDEXED BY executions_context
       WHERE (project, keptn_context) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))
       ORDER BY triggered_at, rowid`,
    ),
    // A view's name and time are its first trigger's and never change: leaving them out of the
    // update keeps sequence_states_project_time untouched, instead of moving its entry at every step.
    upsertState: prepare(
      `INSERT INTO sequence_states (project, keptn_context, name, state, time, doc) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (project, keptn_context) DO UPDATE SET state = excluded.state, doc = excluded.doc`,
    ),
    getState: prepare('SELECT doc FROM sequence_states WHERE project = ? AND keptn_context = ?'),
    statesOfContexts: prepare(
      `SELECT doc FROM sequence_states
       WHERE (project, keptn_context) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))`,
    ),

    putOpen: prepare(
      `INSERT INTO open_triggered (event_id, execution_id, project, stage, service, type, time, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (event_id) DO UPDATE SET
         execution_id = excluded.execution_id, project = excluded.project, stage = excluded.stage,
         service = excluded.service, type = excluded.type, time = excluded.time, doc = excluded.doc`,
    ),
    removeOpen: prepare('DELETE FROM open_triggered WHERE event_id = ?'),

    putTimer: prepare(
      `INSERT INTO timers (id, kind, execution_id, triggered_id, due_at_ms) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET
         kind = excluded.kind, execution_id = excluded.execution_id, triggered_id = excluded.triggered_id, due_at_ms = excluded.due_at_ms`,
    ),
    removeTimer: prepare('DELETE FROM timers WHERE id = ?'),
    removeTimersOfTask: prepare('DELETE FROM timers WHERE triggered_id = ?'),
    nextTimerDue: prepare('SELECT due_at_ms FROM timers ORDER BY due_at_ms LIMIT 1').pluck(),

    putPause: prepare('INSERT INTO pause_markers (project, keptn_context, stage) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
    removePause: prepare('DELETE FROM pause_markers WHERE project = ? AND keptn_context = ? AND stage = ?'),
    listPause: prepare('SELECT project, keptn_context, stage FROM pause_markers WHERE project = ? AND keptn_context = ? ORDER BY stage'),

    projectLastContext: prepare('UPDATE projects SET last_event_context = ? WHERE name = ?'),

    insertProject: prepare(
      'INSERT INTO projects (name, creation_date, last_event_context, doc) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING',
    ),
    updateProject: prepare('UPDATE projects SET creation_date = ?, doc = ? WHERE name = ?'),
    getProject: prepare('SELECT doc, last_event_context FROM projects WHERE name = ?'),
    listProjects: prepare('SELECT doc, last_event_context FROM projects ORDER BY name'),
    putShipyard: prepare('INSERT INTO shipyard_versions (project, commit_id, content) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
    getShipyard: prepare('SELECT content FROM shipyard_versions WHERE project = ? AND commit_id = ?').pluck(),

    serviceExists: prepare('SELECT 1 FROM services WHERE project = ? AND name = ? LIMIT 1').pluck(),
    insertService: prepare('INSERT INTO services (project, stage, name, creation_date) VALUES (?, ?, ?, ?)'),
    deleteService: prepare('DELETE FROM services WHERE project = ? AND name = ?'),
    // rowid breaks ties: a service's rows were inserted in the project's stage order.
    listServices: prepare(
      'SELECT project, stage, name, creation_date, deployed_image, last_event_types FROM services WHERE project = ? ORDER BY name, rowid',
    ),
    hasService: prepare('SELECT 1 FROM services WHERE project = ? AND stage = ? AND name = ?'),
    listServicesOfStage: prepare(
      'SELECT project, stage, name, creation_date, deployed_image, last_event_types FROM services WHERE project = ? AND stage = ? ORDER BY name, rowid',
    ),
  };

  // Cascade of deleteProject, child rows first. Timers hang off executions, so they go before them.
  const deleteProjectSteps = [
    'DELETE FROM timers WHERE execution_id IN (SELECT id FROM executions WHERE project = ?)',
    'DELETE FROM open_triggered WHERE project = ?',
    'DELETE FROM executions WHERE project = ?',
    'DELETE FROM sequence_states WHERE project = ?',
    'DELETE FROM pause_markers WHERE project = ?',
    'DELETE FROM events WHERE project = ?',
    'DELETE FROM services WHERE project = ?',
    'DELETE FROM shipyard_versions WHERE project = ?',
    'DELETE FROM projects WHERE name = ?',
  ].map(prepare);

  const dynamic = new Map<string, Statement>();
  /** The scope queue's statement by the number of states asked for (listExecutionsInScope). */
  const scopeQueues = new Map<number, Statement>();
  /**
   * The scope queue's query for `count` states; it depends on the count alone, so each is prepared
   * once. A bound list costs less than expanding a JSON array with json_each at every step.
   * INDEXED BY: with a json_each list the planner could not size, it picked executions_project_time
   * and scanned every execution of the project at each dispatch, and it still does with a bound
   * list. The NOT IN term repeats the partial index's WHERE (migration 7) word for word, which
   * SQLite needs to use it.
   */
  function scopeQueue(count: number): Statement {
    let statement = scopeQueues.get(count);
    if (!statement) {
      statement = prepare(`SELECT doc FROM executions INDEXED BY executions_active_scope
        WHERE project = ? AND stage = ? AND service = ? AND state NOT IN ('finished', 'timedOut')
          AND state IN (${Array.from({ length: count }, () => '?').join(', ')})
        ORDER BY triggered_at, rowid`);
      scopeQueues.set(count, statement);
    }
    return statement;
  }
  /** A prepared statement for SQL built from the filters given; reused per distinct text. */
  function cached(sql: string): Statement {
    let statement = dynamic.get(sql);
    if (!statement) {
      if (dynamic.size >= DYNAMIC_STATEMENT_CACHE_SIZE) {
        const oldest = dynamic.keys().next();
        if (!oldest.done) dynamic.delete(oldest.value);
      }
      statement = prepare(sql);
      dynamic.set(sql, statement);
    }
    return statement;
  }

  /** Runs `fn` and maps SQLite lock and I/O errors; the caller's promise carries the outcome. */
  async function run<T>(fn: () => T): Promise<T> {
    try {
      return fn();
    } catch (error) {
      throw translateError(error, options);
    }
  }

  function insertEvent(event: KeptnEvent, pending: boolean): void {
    const project = textOrNull(event.data.project);
    const rootDecision = roots.decide(project, event.shkeptncontext, event.time);
    const inserted = s.insertEvent.run(
      event.id,
      project,
      textOrNull(event.data.stage),
      textOrNull(event.data.service),
      event.type,
      event.shkeptncontext,
      // An empty triggeredid means none; storing it as '' would tie unrelated events together.
      event.triggeredid ? event.triggeredid : null,
      event.source,
      event.time,
      pending ? 1 : 0,
      JSON.stringify(event),
      rootDecision.root ? 1 : 0,
    );
    if (inserted.changes === 1) roots.inserted(project, event.shkeptncontext, rootDecision);
  }

  /** Runs a transaction that inserts events, then tells the roots whether it committed. */
  function inserting<T>(transaction: () => T): T {
    try {
      const result = transaction();
      roots.settle(true);
      return result;
    } catch (error) {
      roots.settle(false);
      throw error;
    }
  }

  function upsertExecution(e: SequenceExecution): void {
    s.upsertExecution.run(
      e._id,
      e.scope.project,
      e.scope.stage,
      e.scope.service,
      e.scope.keptnContext,
      e.sequence.name,
      e.status.state,
      e.scope.triggeredId,
      e.status.currentTask?.triggeredID ?? null,
      e.triggeredAt,
      JSON.stringify(e),
    );
  }

  function upsertState(state: SequenceState): void {
    s.upsertState.run(state.project, state.shkeptncontext, state.name, state.state, state.time, JSON.stringify(state));
  }

  function putOpen(entry: OpenTriggeredEvent): void {
    s.putOpen.run(
      entry.event.id,
      entry.executionId,
      entry.project,
      entry.stage,
      entry.service,
      entry.event.type,
      entry.visibleAt ?? entry.event.time,
      JSON.stringify(entry.event),
    );
  }

  function putTimer(timer: TimerRecord): void {
    s.putTimer.run(timer.id, timer.kind, timer.executionId, timer.triggeredId, timer.dueAtMs);
  }

  const appendTx = db.transaction((events: readonly KeptnEvent[], pending: boolean) => {
    for (const event of events) insertEvent(event, pending);
  });

  // Within one changeset, puts apply before removes: a step that opens and closes the same
  // thing ends with it closed.
  const commitTx = db.transaction((c: Changeset) => {
    for (const { event, pending } of c.newEvents ?? []) insertEvent(event, pending);
    for (const seq of c.processedSeqs ?? []) if (s.markProcessed.run(seq).changes !== 1) throw new AlreadyHandledError(`event ${seq}`);
    for (const id of c.firedTimers ?? []) if (s.removeTimer.run(id).changes !== 1) throw new AlreadyHandledError(`timer ${id}`);
    for (const execution of c.executions ?? []) upsertExecution(execution);
    for (const entry of c.openTriggeredPut ?? []) putOpen(entry);
    for (const eventId of c.openTriggeredRemove ?? []) s.removeOpen.run(eventId);
    for (const timer of c.timersPut ?? []) putTimer(timer);
    for (const triggeredId of c.timersRemoveForTask ?? []) s.removeTimersOfTask.run(triggeredId);
    for (const id of c.timersRemove ?? []) s.removeTimer.run(id);
    for (const state of c.sequenceStates ?? []) upsertState(state);
    for (const m of c.pausePut ?? []) s.putPause.run(m.project, m.keptnContext, m.stage);
    for (const m of c.pauseRemove ?? []) s.removePause.run(m.project, m.keptnContext, m.stage);
    if (c.serviceActivity) activityLog.append(c.serviceActivity);
    for (const { project, keptnContext } of c.projectLastContext ?? []) s.projectLastContext.run(keptnContext, project);
  });

  const stageMessageTx = db.transaction((u: StageMessageUpdate): boolean => {
    const view = optionalDoc<SequenceState>(s.getState.get(u.project, u.keptnContext));
    const next = view && withStageMessage(view, u.stage, u.latestEventId, u.message);
    if (!next) return false;
    upsertState(next);
    return true;
  });

  /**
   * One page of a query and its count, read in one transaction so both see the same data. The
   * count stops at `paging.countLimit` (SQLite stops reading the subquery at its LIMIT), so a
   * bounded count costs at most that many index steps however many rows match.
   */
  const pageTx = db.transaction((from: string, where: Where, orderBy: string, paging: PageQuery): Page<DocRow> => {
    const offset = Math.max(0, paging.offset);
    const limit = sqlLimit(limitLiteral(paging.limit));
    const rows = cached(`SELECT doc FROM ${from} ${where.toString()} ORDER BY ${orderBy} LIMIT ${limit} OFFSET ?`).all(
      ...where.params,
      offset,
    ) as DocRow[];
    const seen = rows.length > 0 ? offset + rows.length : 0;
    return { items: rows, totalCount: Math.max(seen, countMatches(from, where, paging.countLimit)) };
  });

  /** Rows matching `where`, up to `countLimit` of them (0: none counted; undefined: all). */
  function countMatches(from: string, where: Where, countLimit: number | undefined): number {
    if (countLimit === undefined)
      return (cached(`SELECT count(*) AS n FROM ${from} ${where.toString()}`).get(...where.params) as CountRow).n;
    if (countLimit <= 0) return 0;
    const sql = `SELECT count(*) AS n FROM (SELECT 1 FROM ${from} ${where.toString()} LIMIT ${limitLiteral(countLimit)})`;
    return (cached(sql).get(...where.params) as CountRow).n;
  }

  function page<T>(from: string, where: Where, orderBy: string, paging: PageQuery): Page<T> {
    const result = pageTx(from, where, orderBy, paging);
    return { items: result.items.map((row) => parseDoc<T>(row)), totalCount: result.totalCount };
  }

  function eventWhere(q: EventQuery): Where {
    const w = new Where()
      .eq('e.shkeptncontext', q.keptnContext)
      .eq('e.type', q.type)
      .eq('e.project', q.project)
      .eq('e.stage', q.stage)
      .eq('e.service', q.service)
      .eq('e.id', q.eventId)
      .eq('e.source', q.source)
      .eq('e.triggeredid', q.triggeredId);
    if (q.fromTime !== undefined) w.add('e.time > ?', q.fromTime);
    if (q.beforeTime !== undefined) w.add('e.time < ?', q.beforeTime);
    for (const [path, values] of Object.entries(q.fieldIn ?? {})) {
      const column = EVENT_FIELD_COLUMNS[path];
      // json_each keeps one statement shape whatever the number of values; [] matches nothing.
      if (column) w.add(`e.${column} IN (SELECT value FROM json_each(?))`, JSON.stringify(values));
      else w.add('json_extract(e.doc, ?) IN (SELECT value FROM json_each(?))', jsonPathOf(path), JSON.stringify(values));
    }
    if (q.rootOnly) w.add(ROOT_EVENT_CLAUSE);
    if (q.excludeInvalidated) w.add(NOT_INVALIDATED_CLAUSE);
    return w;
  }

  const deleteEventsBeforeTx = db.transaction((time: string): number => roots.deleteBefore(time));

  const deleteProjectTx = db.transaction((name: string): boolean => {
    if (s.getProject.get(name) === undefined) return false;
    for (const step of deleteProjectSteps) step.run(name);
    return true;
  });

  const insertProjectTx = db.transaction((project: ProjectRecord) => {
    const { lastEventContext, ...doc } = project;
    const inserted = s.insertProject.run(project.name, project.creationDate, lastEventContext ?? null, JSON.stringify(doc));
    if (inserted.changes === 0)
      throw new ConflictError(ErrorCode.projectExists, `project '${project.name}' already exists; choose another name or update it`);
  });

  const insertServiceTx = db.transaction((project: string, service: string, stages: readonly string[], creationDate: string) => {
    if (s.getProject.get(project) === undefined) {
      throw new NotFoundError(
        ErrorCode.projectNotFound,
        `project '${project}' not found; create the project before adding service '${service}'`,
      );
    }
    if (s.serviceExists.get(project, service) !== undefined) {
      throw new ConflictError(ErrorCode.serviceExists, `service '${service}' already exists in project '${project}'`);
    }
    for (const stage of stages) s.insertService.run(project, stage, service, creationDate);
  });

  return {
    options,
    ...buildSqliteRegistryStore(db, run),
    ...buildSqliteTaskLeaseStore(db, run),
    ...buildSqliteSecretStore(db, run),
    ...buildSqliteApiTokenStore(db, run),

    maxPageCount(pages) {
      return Number(db.pragma(`max_page_count = ${Math.max(1, Math.floor(pages))}`, { simple: true }));
    },

    async close() {
      activityLog.stop();
      if (db.open) {
        try {
          activityLog.fold();
        } catch {
          // The notes stay logged (the disk full, say) and are folded after the next open.
        }
      }
      await checkpointer?.stop();
      if (db.open) db.close();
    },

    appendEvents(events, { pending }) {
      return run(() => {
        if (events.length > 0) inserting(() => appendTx(events, pending));
      });
    },

    pendingEvents(limit) {
      return run(() =>
        (cached(`SELECT seq, doc FROM events WHERE pending = 1 ORDER BY seq LIMIT ${limitLiteral(limit)}`).all() as PendingRow[]).map(
          (row): PendingEvent => ({ seq: row.seq, event: parseDoc<KeptnEvent>(row) }),
        ),
      );
    },

    commit(changes) {
      return run(() => inserting(() => commitTx(changes)));
    },

    queryEvents(query) {
      return run(() => page<KeptnEvent>('events e', eventWhere(query), 'e.time DESC, e.seq DESC', query));
    },

    deleteEventsBefore(time) {
      return run(() => deleteEventsBeforeTx(time));
    },

    insertProject(project) {
      return run(() => insertProjectTx(project));
    },

    updateProject(project) {
      return run(() => {
        const { lastEventContext: _ownedByCommit, ...doc } = project;
        const updated = s.updateProject.run(project.creationDate, JSON.stringify(doc), project.name);
        if (updated.changes === 0)
          throw new NotFoundError(ErrorCode.projectNotFound, `project '${project.name}' not found; create it before updating it`);
      });
    },

    deleteProject(name) {
      return run(() => {
        activityLog.fold();
        const deleted = deleteProjectTx(name);
        roots.forget();
        return deleted;
      });
    },

    getProject(name) {
      return run(() => {
        const row = s.getProject.get(name) as ProjectRow | undefined;
        return row && toProject(row);
      });
    },

    listProjects() {
      return run(() => (s.listProjects.all() as ProjectRow[]).map(toProject));
    },

    putShipyardVersion(project, commit, content) {
      return run(() => {
        s.putShipyard.run(project, commit, content);
      });
    },

    getShipyardVersion(project, commit) {
      return run(() => s.getShipyard.get(project, commit) as string | undefined);
    },

    insertService(project, service, stages, creationDate) {
      return run(() => insertServiceTx(project, service, stages, creationDate));
    },

    deleteService(project, service) {
      return run(() => {
        activityLog.fold();
        s.deleteService.run(project, service);
      });
    },

    listServices(project, stage) {
      return run(() => {
        activityLog.fold();
        const rows = stage === undefined ? s.listServices.all(project) : s.listServicesOfStage.all(project, stage);
        return (rows as ServiceRow[]).map(toService);
      });
    },

    hasService(project, stage, service) {
      return run(() => s.hasService.get(project, stage, service) !== undefined);
    },

    getExecution(id) {
      return run(() => optionalDoc<SequenceExecution>(s.getExecution.get(id)));
    },

    findExecutionByTrigger(triggeredId) {
      return run(() => optionalDoc<SequenceExecution>(s.executionByTrigger.get(triggeredId)));
    },

    findExecutionByTask(triggeredId) {
      return run(() => optionalDoc<SequenceExecution>(oldestRow(s.executionByTask.all(triggeredId) as TimedDocRow[])));
    },

    findExecutionsByTasks(triggeredIds) {
      return run(() => {
        const rows = s.executionsByTasks.all(JSON.stringify(triggeredIds)) as Array<TimedDocRow & { current_task_id: string }>;
        const oldest = new Map<string, TimedDocRow>();
        for (const row of rows) {
          const kept = oldest.get(row.current_task_id);
          if (!kept || oldestRow([kept, row]) === row) oldest.set(row.current_task_id, row);
        }
        return new Map([...oldest].map(([id, row]) => [id, parseDoc<SequenceExecution>(row)]));
      });
    },

    listExecutionsOfContext(project, keptnContext) {
      return run(() => (s.executionsOfContext.all(project, keptnContext) as DocRow[]).map((row) => parseDoc<SequenceExecution>(row)));
    },

    listExecutionsOfContexts(contexts) {
      return run(() => {
        if (contexts.length === 0) return [];
        const pairs = JSON.stringify(contexts.map((c) => [c.project, c.keptnContext]));
        return (s.executionsOfContexts.all(pairs) as DocRow[]).map((row) => parseDoc<SequenceExecution>(row));
      });
    },

    async listExecutionsInScope(project, stage, service, states: readonly ExecutionState[]) {
      requireActiveStates(states);
      if (states.length === 0) return [];
      const statement = scopeQueue(states.length);
      return run(() => (statement.all(project, stage, service, ...states) as DocRow[]).map((row) => parseDoc<SequenceExecution>(row)));
    },

    queryExecutions(q: ExecutionQuery) {
      return run(() => {
        const w = new Where()
          .eq('project', q.project)
          .eq('stage', q.stage)
          .eq('service', q.service)
          .eq('keptn_context', q.keptnContext)
          .eq('name', q.name)
          .eq('state', q.state);
        // With a context, its few executions by executions_context; the planner otherwise walks
        // executions_project_time for the ORDER BY through every execution of the project.
        const from = q.keptnContext !== undefined ? 'executions INDEXED BY executions_context' : 'executions';
        return page<SequenceExecution>(from, w, 'triggered_at DESC, rowid DESC', q);
      });
    },

    getSequenceState(project, keptnContext) {
      return run(() => optionalDoc<SequenceState>(s.getState.get(project, keptnContext)));
    },

    getSequenceStates(contexts) {
      return run(() => {
        if (contexts.length === 0) return [];
        const pairs = JSON.stringify(contexts.map((c) => [c.project, c.keptnContext]));
        return (s.statesOfContexts.all(pairs) as DocRow[]).map((row) => parseDoc<SequenceState>(row));
      });
    },

    querySequenceStates(q: SequenceStateQuery) {
      return run(() => {
        const w = new Where().eq('project', q.project).eq('name', q.name).eq('state', q.state);
        if (q.fromTime !== undefined) w.add('time > ?', q.fromTime);
        if (q.beforeTime !== undefined) w.add('time < ?', q.beforeTime);
        if (q.keptnContexts !== undefined) w.add('keptn_context IN (SELECT value FROM json_each(?))', JSON.stringify(q.keptnContexts));
        // With a list of contexts, look each up by the primary key (project, keptn_context): the
        // planner, unable to size the json_each list, otherwise walks sequence_states_project_time
        // for the ORDER BY and reads every state of the project.
        const from = q.keptnContexts !== undefined ? `sequence_states INDEXED BY ${SEQUENCE_STATES_PRIMARY_KEY}` : 'sequence_states';
        return page<SequenceState>(from, w, 'time DESC, rowid DESC', q);
      });
    },

    updateStageMessage(update) {
      return run(() => stageMessageTx(update));
    },

    queryOpenTriggered(q: OpenTriggeredQuery) {
      return run(() => {
        const w = new Where()
          .eq('type', q.type)
          .add('time <= ?', q.visibleAt)
          .eq('project', q.project)
          .eq('stage', q.stage)
          .eq('service', q.service)
          .eq('event_id', q.eventId);
        const rows = cached(`SELECT doc FROM open_triggered ${w.toString()} ORDER BY time DESC, rowid DESC`).all(...w.params) as DocRow[];
        return rows.map((row) => parseDoc<KeptnEvent>(row));
      });
    },

    dueTimers(nowMs, limit) {
      return run(() => {
        const sql = `SELECT id, kind, execution_id, triggered_id, due_at_ms FROM timers WHERE due_at_ms <= ? ORDER BY due_at_ms, rowid LIMIT ${limitLiteral(limit)}`;
        return (cached(sql).all(nowMs) as TimerRow[]).map(toTimer);
      });
    },

    nextTimerDueMs() {
      return run(() => s.nextTimerDue.get() as number | undefined);
    },

    listPauseMarkers(project, keptnContext) {
      return run(() => (s.listPause.all(project, keptnContext) as PauseRow[]).map(toPauseMarker));
    },
  };
}

function optionalDoc<T>(row: unknown): T | undefined {
  return row === undefined ? undefined : parseDoc<T>(row as DocRow);
}
