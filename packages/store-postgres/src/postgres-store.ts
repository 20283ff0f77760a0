/**
 * The shared store: {@link ControlPlaneStore} (and the registry, lease, secret and API token ports)
 * on PostgreSQL through a `pg` pool.
 *
 * Every method that writes runs in one transaction on one pooled connection; a page and its count
 * are read in one REPEATABLE READ snapshot. Writers that must not interleave lock what they
 * decide on (`SELECT … FOR UPDATE` of the row, or a transaction-level advisory lock where the row
 * may not exist yet). Each connection runs with `statement_timeout`, so a statement stuck behind a
 * lock fails with `ERR_STORE_UNAVAILABLE` instead of hanging a request.
 *
 * Documents are stored whole as `json` (the text as written); the filter and sort columns are
 * copies written from the document in the same statement, as in the SQLite store, whose ordering,
 * paging and counting this adapter reproduces (the contract suites in @shipmate/testing pin them).
 */
import pg from 'pg';
import {
  ConflictError,
  EVENT_FIELD_COLUMNS,
  ErrorCode,
  InputError,
  NotFoundError,
  eventFieldPathSegments,
  requireActiveStates,
  withStageMessage,
} from '@shipmate/core';
import type {
  ApiTokenStore,
  Changeset,
  ControlPlaneStore,
  EventQuery,
  IntegrationRegistryStore,
  KeptnEvent,
  OpenTriggeredEvent,
  Page,
  PageQuery,
  PauseMarker,
  ProjectRecord,
  SecretStore,
  SequenceExecution,
  SequenceState,
  ServiceActivity,
  StepClaims,
  ServiceRecord,
  TaskLeaseStore,
  TimerRecord,
} from '@shipmate/core';
import { applyMigrations, readMigrations } from './migrations.js';
import { translatePostgresError } from './postgres-errors.js';
import type { PostgresErrorContext } from './postgres-errors.js';
import { parsePostgresUrl } from './postgres-url.js';
import { buildPostgresRegistryStore } from './postgres-registry-store.js';
import { buildPostgresTaskLeaseStore } from './postgres-task-lease-store.js';
import { buildPostgresSecretStore } from './postgres-secret-store.js';
import { buildPostgresApiTokenStore } from './postgres-api-token-store.js';
import { createPostgresStepClaims } from './postgres-step-claims.js';
import { Where, changed, inTransaction, inlineStatement, namedStatements, sqlLimit } from './sql.js';
import { rootCandidates } from './root-candidates.js';
import type { Queryable, RunInTransaction, RunOnPool, TransactionMode } from './sql.js';

/** Options of {@link createPostgresStore}. */
export interface PostgresStoreOptions {
  /**
   * Most connections the pool opens.
   * @default 10
   */
  poolSize?: number;
  /**
   * `statement_timeout` of every connection: a statement running longer is cancelled and the call
   * fails with `ERR_STORE_UNAVAILABLE`.
   * @default 30000
   */
  statementTimeoutMs?: number;
  /**
   * How long opening a connection (or waiting for a free one of the pool) may take.
   * @default 10000
   */
  connectTimeoutMs?: number;
}

/** {@link PostgresStoreOptions} with defaults applied, and the URL without its password. */
export interface ResolvedPostgresStoreOptions {
  /** The connection URL with the password replaced by `***`. */
  readonly redactedUrl: string;
  readonly poolSize: number;
  readonly statementTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

/** The PostgreSQL adapter of every store port (one pool). */
export interface PostgresControlPlaneStore extends ControlPlaneStore, IntegrationRegistryStore, TaskLeaseStore, SecretStore, ApiTokenStore {
  /** The options the store was opened with. */
  readonly options: ResolvedPostgresStoreOptions;
  /** Claims of orchestrator steps across the replicas sharing this database (postgres-step-claims.ts). */
  readonly claims: StepClaims;
  /**
   * Records `id` as the id of the data dir the replicas on this database share, unless one is
   * recorded already; returns the recorded id (`id` itself the first time).
   */
  shareDataDir(id: string): Promise<string>;
  /** What in the server's settings works against the store, each a line for the operator; empty when nothing does. */
  settingWarnings(): Promise<string[]>;
}

/**
 * The operator's warning for PostgreSQL's `autovacuum` setting (`SHOW autovacuum`), if any: the
 * root list's count reads its index alone only where vacuum has marked the pages all-visible
 * (migration 0006), and the planner's statistics follow a growing history only through ANALYZE.
 */
export function autovacuumWarning(setting: string | undefined): string | undefined {
  if (setting === undefined || setting === 'on') return undefined;
  return (
    `PostgreSQL runs with autovacuum ${setting}: as the event history grows, the Bridge's lists slow down ` +
    '(their counts fetch rows the visibility map would spare, and the planner keeps the statistics of a small table); ' +
    "turn it on (ALTER SYSTEM SET autovacuum = on; SELECT pg_reload_conf();) or run VACUUM (ANALYZE) regularly"
  );
}

/** OID of `int8`: seqs, counts and millisecond times, all far below 2^53, come back as numbers. */
const INT8_OID = 20;

/**
 * Root of a context: no earlier event (by time, then seq) in the same context and project (as
 * the SQLite store's ROOT_EVENT_CLAUSE), marked when stored (migration 0004, SQL.insertEvents).
 */
export const ROOT_EVENT_CLAUSE = 'e.root';

/** The event's triggeredid has no `.invalidated` event in the same project (uses the partial index events_invalidated). */
export const NOT_INVALIDATED_CLAUSE = `NOT (e.triggeredid IS NOT NULL AND EXISTS (
  SELECT 1 FROM events i
  WHERE i.type LIKE '%.invalidated' AND i.triggeredid = e.triggeredid AND i.project IS NOT DISTINCT FROM e.project))`;

/**
 * Opens the store on the PostgreSQL database that `url` names (`postgres://user:password@host:5432/db`),
 * creating or upgrading its schema first. The database must exist. Throws `ERR_INVALID_FIELD`
 * for a malformed URL or option and `ERR_STORE_UNAVAILABLE` when the server cannot be reached,
 * refuses the login or the database is missing; the pool is closed again then.
 */
export async function createPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<PostgresControlPlaneStore> {
  const target = parsePostgresUrl(url);
  const resolved = resolveOptions(target.redacted, options);
  const context: PostgresErrorContext = { redactedUrl: resolved.redactedUrl, statementTimeoutMs: resolved.statementTimeoutMs };
  const pool = new pg.Pool({
    connectionString: target.url,
    max: resolved.poolSize,
    statement_timeout: resolved.statementTimeoutMs,
    connectionTimeoutMillis: resolved.connectTimeoutMs,
    application_name: 'shipmate',
    types: int8AsNumber(),
  });
  // An idle connection that the server drops (restart, idle timeout) is reported here; the pool
  // discards it and opens a new one on the next query, so there is nothing else to do.
  pool.on('error', () => undefined);
  try {
    await applyMigrations(pool, await readMigrations(), resolved.redactedUrl);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw translatePostgresError(error, context);
  }
  return buildStore(pool, resolved, context);
}

/** Type parsers of the pool: `pg`'s defaults, with `int8` read as a number instead of a string. */
function int8AsNumber(): pg.TypeOverrides {
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8_OID, Number);
  return types;
}

function resolveOptions(redactedUrl: string, options: PostgresStoreOptions): ResolvedPostgresStoreOptions {
  const poolSize = wholeNumber('poolSize', options.poolSize ?? 10, 1, 10);
  const statementTimeoutMs = wholeNumber('statementTimeoutMs', options.statementTimeoutMs ?? 30_000, 1, 30_000);
  const connectTimeoutMs = wholeNumber('connectTimeoutMs', options.connectTimeoutMs ?? 10_000, 1, 10_000);
  return Object.freeze({ redactedUrl, poolSize, statementTimeoutMs, connectTimeoutMs });
}

function wholeNumber(field: string, value: number, min: number, example: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new InputError(ErrorCode.invalidField, `${field} must be a whole number >= ${min}, got ${value}; e.g. ${example}`);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Row shapes and conversions (json columns arrive parsed)

interface DocRow<T> {
  doc: T;
}
interface ProjectRow {
  doc: Omit<ProjectRecord, 'lastEventContext'>;
  last_event_context: string | null;
}
interface ServiceRow {
  project: string;
  stage: string;
  name: string;
  creation_date: string;
  deployed_image: string | null;
  last_event_types: ServiceRecord['lastEventTypes'];
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

/** One statement of a write and its parameters. */
interface Statement {
  query: pg.QueryConfig;
  values: unknown[];
}

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function toProject(row: ProjectRow): ProjectRecord {
  return { ...row.doc, lastEventContext: row.last_event_context };
}

function toService(row: ServiceRow): ServiceRecord {
  return {
    project: row.project,
    stage: row.stage,
    name: row.name,
    creationDate: row.creation_date,
    ...(row.deployed_image !== null ? { deployedImage: row.deployed_image } : {}),
    lastEventTypes: row.last_event_types,
  };
}

function toTimer(row: TimerRow): TimerRecord {
  return { id: row.id, kind: row.kind, executionId: row.execution_id, triggeredId: row.triggered_id, dueAtMs: row.due_at_ms };
}

function toPauseMarker(row: PauseRow): PauseMarker {
  return { project: row.project, keptnContext: row.keptn_context, stage: row.stage };
}

function docs<T>(result: pg.QueryResult<DocRow<T>>): T[] {
  return result.rows.map((row) => row.doc);
}

function firstDoc<T>(result: pg.QueryResult<DocRow<T>>): T | undefined {
  return result.rows[0]?.doc;
}

// ---------------------------------------------------------------------------------------------
// Statements

const SERVICE_COLUMNS = 'project, stage, name, creation_date, deployed_image, last_event_types';
const TIMER_COLUMNS = 'id, kind, execution_id, triggered_id, due_at_ms';

const SQL = namedStatements('store', {
  // One statement for a whole batch (one round trip), rows in the batch's order (their seq order).
  // `candidate` marks the earliest event of its (context, project) within the batch: it is the root
  // unless the table holds one of that context at the same time or before; a candidate earlier than
  // the context's stored root takes the mark from it (events sent out of time order). LATERAL keeps
  // the demotion an index probe per candidate whatever the planner guesses of unnest's size.
  insertEvents: `WITH batch AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                            $9::text[], $10::boolean[], $11::text[], $12::boolean[])
         WITH ORDINALITY AS b(id, project, stage, service, type, shkeptncontext, triggeredid, source, time, pending, doc, candidate, position)
     ), demoted AS (
       UPDATE events SET root = false
       WHERE seq IN (
         SELECT later.seq FROM batch b
         CROSS JOIN LATERAL (
           SELECT r.seq FROM events r
           WHERE r.shkeptncontext = b.shkeptncontext AND r.time > b.time AND r.root AND r.project IS NOT DISTINCT FROM b.project
         ) later
         WHERE b.candidate)
     )
     INSERT INTO events (id, project, stage, service, type, shkeptncontext, triggeredid, source, time, pending, doc, root)
     SELECT id, project, stage, service, type, shkeptncontext, triggeredid, source, time, pending, doc::json,
            candidate AND NOT EXISTS (
              SELECT 1 FROM events r
              WHERE r.shkeptncontext = b.shkeptncontext AND r.time <= b.time AND r.project IS NOT DISTINCT FROM b.project)
     FROM batch b
     ORDER BY position
     ON CONFLICT (id) DO NOTHING`,
  pendingEvents: 'SELECT seq, doc FROM events WHERE pending ORDER BY seq LIMIT $1',
  recordDataDir: "INSERT INTO control_plane_settings (name, value) VALUES ('data_dir_id', $1) ON CONFLICT (name) DO NOTHING",
  readDataDir: "SELECT value FROM control_plane_settings WHERE name = 'data_dir_id'",
  // A step's claims, in its commit (commitChangeset): exactly one row, or the commit rolls back
  // with SQLSTATE SH001 (migration 0007), $2 naming what was claimed.
  claimPending: `WITH claimed AS (UPDATE events SET pending = false WHERE seq = $1 AND pending RETURNING 1)
     SELECT shipmate_expect_one(count(*), $2) FROM claimed`,
  claimTimer: `WITH claimed AS (DELETE FROM timers WHERE id = $1 RETURNING 1)
     SELECT shipmate_expect_one(count(*), $2) FROM claimed`,
  deleteEventsBefore: `WITH deleted AS (DELETE FROM events WHERE NOT pending AND time < $1 RETURNING shkeptncontext, project, root)
     SELECT count(*)::int AS n,
            coalesce(array_agg(DISTINCT shkeptncontext) FILTER (WHERE root), '{}') AS contexts
     FROM deleted`,
  // After deletions: the earliest remaining event of each context that lost its root becomes it.
  markRoots: `UPDATE events e SET root = true
     WHERE e.shkeptncontext = ANY($1::text[]) AND NOT e.root AND NOT EXISTS (
       SELECT 1 FROM events r
       WHERE r.shkeptncontext = e.shkeptncontext AND r.time <= e.time AND r.project IS NOT DISTINCT FROM e.project
         AND (r.time < e.time OR r.seq < e.seq))`,

  upsertExecution: `INSERT INTO executions (id, project, stage, service, keptn_context, name, state, triggered_id, current_task_id, triggered_at, doc)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (id) DO UPDATE SET
       state = excluded.state, current_task_id = excluded.current_task_id, doc = excluded.doc`,
  getExecution: 'SELECT doc FROM executions WHERE id = $1',
  executionByTrigger: 'SELECT doc FROM executions WHERE triggered_id = $1',
  executionByTask: 'SELECT doc FROM executions WHERE current_task_id = $1 ORDER BY triggered_at, seq LIMIT 1',
  executionsOfContext: 'SELECT doc FROM executions WHERE project = $1 AND keptn_context = $2 ORDER BY triggered_at, seq',
  executionsByTasks: `SELECT DISTINCT ON (current_task_id) current_task_id, doc FROM executions
    WHERE current_task_id = ANY($1::text[]) ORDER BY current_task_id, triggered_at, seq`,
  executionsOfContexts: `SELECT e.doc FROM executions e
    JOIN unnest($1::text[], $2::text[]) AS c (project, keptn_context) ON e.project = c.project AND e.keptn_context = c.keptn_context
    ORDER BY e.triggered_at, e.seq`,
  // The NOT IN term repeats the partial index's predicate (0005), which the planner must see to use it.
  executionsInScope: `SELECT doc FROM executions
     WHERE project = $1 AND stage = $2 AND service = $3 AND state NOT IN ('finished', 'timedOut') AND state = ANY($4::text[])
     ORDER BY triggered_at, seq`,

  upsertState: `INSERT INTO sequence_states (project, keptn_context, name, state, time, doc) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (project, keptn_context) DO UPDATE SET
       name = excluded.name, state = excluded.state, time = excluded.time, doc = excluded.doc`,
  getState: 'SELECT doc FROM sequence_states WHERE project = $1 AND keptn_context = $2',
  statesOfContexts: `SELECT s.doc FROM sequence_states s
    JOIN unnest($1::text[], $2::text[]) AS c (project, keptn_context) ON s.project = c.project AND s.keptn_context = c.keptn_context`,
  getStateForUpdate: 'SELECT doc FROM sequence_states WHERE project = $1 AND keptn_context = $2 FOR UPDATE',

  putOpen: `INSERT INTO open_triggered (event_id, execution_id, project, stage, service, type, time, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (event_id) DO UPDATE SET
       execution_id = excluded.execution_id, project = excluded.project, stage = excluded.stage,
       service = excluded.service, type = excluded.type, time = excluded.time, doc = excluded.doc`,
  removeOpen: 'DELETE FROM open_triggered WHERE event_id = $1',

  putTimer: `INSERT INTO timers (id, kind, execution_id, triggered_id, due_at_ms) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET
       kind = excluded.kind, execution_id = excluded.execution_id, triggered_id = excluded.triggered_id, due_at_ms = excluded.due_at_ms`,
  removeTimer: 'DELETE FROM timers WHERE id = $1',
  removeTimersOfTask: 'DELETE FROM timers WHERE triggered_id = $1',
  dueTimers: `SELECT ${TIMER_COLUMNS} FROM timers WHERE due_at_ms <= $1 ORDER BY due_at_ms, seq LIMIT $2`,
  nextTimerDue: 'SELECT due_at_ms FROM timers ORDER BY due_at_ms LIMIT 1',

  putPause: 'INSERT INTO pause_markers (project, keptn_context, stage) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
  removePause: 'DELETE FROM pause_markers WHERE project = $1 AND keptn_context = $2 AND stage = $3',
  listPause: 'SELECT project, keptn_context, stage FROM pause_markers WHERE project = $1 AND keptn_context = $2 ORDER BY stage',

  // The entry of the event type is replaced whole (`||` of jsonb objects replaces a key's value).
  serviceActivity: `UPDATE services SET
       last_event_types = last_event_types || jsonb_build_object($1::text, $2::jsonb),
       deployed_image = coalesce($3, deployed_image)
     WHERE project = $4 AND stage = $5 AND name = $6`,
  projectLastContext: 'UPDATE projects SET last_event_context = $1 WHERE name = $2',

  insertProject:
    'INSERT INTO projects (name, creation_date, last_event_context, doc) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING',
  updateProject: 'UPDATE projects SET creation_date = $1, doc = $2 WHERE name = $3',
  getProject: 'SELECT doc, last_event_context FROM projects WHERE name = $1',
  lockProject: 'SELECT 1 FROM projects WHERE name = $1 FOR UPDATE',
  listProjects: 'SELECT doc, last_event_context FROM projects ORDER BY name',
  putShipyard: 'INSERT INTO shipyard_versions (project, commit_id, content) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
  getShipyard: 'SELECT content FROM shipyard_versions WHERE project = $1 AND commit_id = $2',

  serviceExists: 'SELECT 1 FROM services WHERE project = $1 AND name = $2 LIMIT 1',
  insertService: 'INSERT INTO services (project, stage, name, creation_date) VALUES ($1, $2, $3, $4)',
  deleteService: 'DELETE FROM services WHERE project = $1 AND name = $2',
  // seq breaks ties: a service's rows were inserted in the project's stage order.
  listServices: `SELECT ${SERVICE_COLUMNS} FROM services WHERE project = $1 ORDER BY name, seq`,
  hasService: 'SELECT 1 FROM services WHERE project = $1 AND stage = $2 AND name = $3',
  listServicesOfStage: `SELECT ${SERVICE_COLUMNS} FROM services WHERE project = $1 AND stage = $2 ORDER BY name, seq`,
});

/** Cascade of deleteProject, child rows first. Timers hang off executions, so they go before them. */
const DELETE_PROJECT_STEPS = [
  'DELETE FROM timers WHERE execution_id IN (SELECT id FROM executions WHERE project = $1)',
  'DELETE FROM open_triggered WHERE project = $1',
  'DELETE FROM executions WHERE project = $1',
  'DELETE FROM sequence_states WHERE project = $1',
  'DELETE FROM pause_markers WHERE project = $1',
  'DELETE FROM events WHERE project = $1',
  'DELETE FROM services WHERE project = $1',
  'DELETE FROM shipyard_versions WHERE project = $1',
  'DELETE FROM projects WHERE name = $1',
];

// ---------------------------------------------------------------------------------------------
// The store

function buildStore(pool: pg.Pool, options: ResolvedPostgresStoreOptions, context: PostgresErrorContext): PostgresControlPlaneStore {
  let closed: Promise<void> | undefined;

  const run: RunOnPool = async (fn) => {
    try {
      return await fn(pool);
    } catch (error) {
      throw translatePostgresError(error, context);
    }
  };
  const transaction: RunInTransaction = (fn, mode?: TransactionMode) => run((p) => inTransaction(p, fn, mode));

  /** Inserts events in their order with one statement (nothing for none). */
  /** The statement that inserts `entries` (one round trip for the whole batch). */
  function eventsInsert(entries: ReadonlyArray<{ event: KeptnEvent; pending: boolean }>): Statement {
    const columns: unknown[][] = Array.from({ length: 12 }, () => []);
    const candidates = rootCandidates(entries.map((entry) => entry.event));
    for (const [index, { event, pending }] of entries.entries()) {
      const row = [
        event.id,
        textOrNull(event.data.project),
        textOrNull(event.data.stage),
        textOrNull(event.data.service),
        event.type,
        event.shkeptncontext,
        // An empty triggeredid means none; storing it as '' would tie unrelated events together.
        event.triggeredid ? event.triggeredid : null,
        event.source,
        event.time,
        pending,
        JSON.stringify(event),
        candidates.has(index),
      ];
      row.forEach((value, i) => columns[i]?.push(value));
    }
    return { query: SQL.insertEvents, values: columns };
  }

  async function insertEvents(db: Queryable, entries: ReadonlyArray<{ event: KeptnEvent; pending: boolean }>): Promise<void> {
    if (entries.length === 0) return;
    const { query, values } = eventsInsert(entries);
    await db.query(query, values);
  }

  function executionUpsert(e: SequenceExecution): Statement {
    return {
      query: SQL.upsertExecution,
      values: [
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
      ],
    };
  }

  function stateUpsert(state: SequenceState): Statement {
    return {
      query: SQL.upsertState,
      values: [state.project, state.shkeptncontext, state.name, state.state, state.time, JSON.stringify(state)],
    };
  }

  async function upsertState(db: Queryable, state: SequenceState): Promise<void> {
    const { query, values } = stateUpsert(state);
    await db.query(query, values);
  }

  function openPut(entry: OpenTriggeredEvent): Statement {
    const { event } = entry;
    const values = [
      event.id,
      entry.executionId,
      entry.project,
      entry.stage,
      entry.service,
      event.type,
      entry.visibleAt ?? event.time,
      JSON.stringify(event),
    ];
    return { query: SQL.putOpen, values };
  }

  function activityNote(a: ServiceActivity): Statement {
    return {
      query: SQL.serviceActivity,
      values: [a.eventType, JSON.stringify(a.ref), a.deployedImage ?? null, a.project, a.stage, a.service],
    };
  }

  /**
   * The statements of a changeset, in the SQLite store's order. Within one changeset puts apply
   * before removes: a step that opens and closes the same thing ends with it closed. The claims of
   * pending events and fired timers must change exactly one row each, or the step lost a race to
   * another replica: they raise SH001 then (migration 0007).
   */
  function changesetStatements(c: Changeset): Statement[] {
    const one = (query: pg.QueryConfig, ...values: unknown[]): Statement => ({ query, values });
    return [
      ...((c.newEvents ?? []).length > 0 ? [eventsInsert(c.newEvents ?? [])] : []),
      ...(c.processedSeqs ?? []).map((seq) => one(SQL.claimPending, seq, `event ${seq}`)),
      ...(c.firedTimers ?? []).map((id) => one(SQL.claimTimer, id, `timer ${id}`)),
      ...(c.executions ?? []).map(executionUpsert),
      ...(c.openTriggeredPut ?? []).map(openPut),
      ...(c.openTriggeredRemove ?? []).map((eventId) => one(SQL.removeOpen, eventId)),
      ...(c.timersPut ?? []).map((t) => one(SQL.putTimer, t.id, t.kind, t.executionId, t.triggeredId, t.dueAtMs)),
      ...(c.timersRemoveForTask ?? []).map((triggeredId) => one(SQL.removeTimersOfTask, triggeredId)),
      ...(c.timersRemove ?? []).map((id) => one(SQL.removeTimer, id)),
      ...(c.sequenceStates ?? []).map(stateUpsert),
      ...(c.pausePut ?? []).map((m) => one(SQL.putPause, m.project, m.keptnContext, m.stage)),
      ...(c.pauseRemove ?? []).map((m) => one(SQL.removePause, m.project, m.keptnContext, m.stage)),
      ...(c.serviceActivity ?? []).map(activityNote),
      ...(c.projectLastContext ?? []).map(({ project, keptnContext }) => one(SQL.projectLastContext, keptnContext, project)),
    ];
  }

  /**
   * Commits a changeset in one round trip: its statements, values inlined as literals, go as one
   * multi-statement query, which PostgreSQL runs as one implicit transaction (a step's commit was
   * one round trip per statement, about ten, then BEGIN with the statements and COMMIT, two).
   * Throws AlreadyHandledError when a pending event or a timer was handled meanwhile (a
   * claim's SH001, mapped by `run`); nothing of the changeset is applied then.
   */
  function commitChangeset(c: Changeset): Promise<void> {
    return run(async (pool) => {
      const statements = changesetStatements(c);
      if (statements.length === 0) return;
      await pool.query(statements.map((st) => inlineStatement(st.query.text, st.values)).join(';\n'));
    });
  }

  /**
   * One page of a query and its count, read in one snapshot. The count stops at
   * `paging.countLimit` (the subquery's LIMIT), so a bounded count reads at most that many rows.
   */
  function page<T>(from: string, where: Where, orderBy: string, paging: PageQuery): Promise<Page<T>> {
    return transaction(async (tx) => {
      const offset = Math.max(0, paging.offset);
      const n = where.params.length;
      const rows = await tx.query<DocRow<T>>(
        `SELECT doc FROM ${from} ${where.toString()} ORDER BY ${orderBy} LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...where.params, sqlLimit(paging.limit), offset],
      );
      const seen = rows.rows.length > 0 ? offset + rows.rows.length : 0;
      return { items: docs(rows), totalCount: Math.max(seen, await countMatches(tx, from, where, paging.countLimit)) };
    }, 'snapshot');
  }

  /** Rows matching `where`, up to `countLimit` of them (0: none counted; undefined: all). */
  async function countMatches(tx: pg.PoolClient, from: string, where: Where, countLimit: number | undefined): Promise<number> {
    if (countLimit !== undefined && countLimit <= 0) return 0;
    const sql =
      countLimit === undefined
        ? `SELECT count(*) AS n FROM ${from} ${where.toString()}`
        : `SELECT count(*) AS n FROM (SELECT 1 FROM ${from} ${where.toString()} LIMIT $${where.params.length + 1}) bounded`;
    const result = await tx.query<{ n: number }>(sql, countLimit === undefined ? where.params : [...where.params, countLimit]);
    return result.rows[0]?.n ?? 0;
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
    if (q.fromTime !== undefined) w.add(`e.time > ${w.param(q.fromTime)}`);
    if (q.beforeTime !== undefined) w.add(`e.time < ${w.param(q.beforeTime)}`);
    for (const [path, values] of Object.entries(q.fieldIn ?? {})) {
      const column = EVENT_FIELD_COLUMNS[path];
      // One array parameter keeps one statement shape whatever the number of values; [] matches nothing.
      if (column) {
        w.add(`e.${column} = ANY(${w.param(values)}::text[])`);
      } else {
        // Only string values match, as SQLite's json_extract compares them (a number 1 is not '1').
        const at = w.param(eventFieldPathSegments(path));
        w.add(`json_typeof(e.doc #> ${at}::text[]) = 'string' AND (e.doc #>> ${at}::text[]) = ANY(${w.param(values)}::text[])`);
      }
    }
    if (q.rootOnly) w.add(ROOT_EVENT_CLAUSE);
    if (q.excludeInvalidated) w.add(NOT_INVALIDATED_CLAUSE);
    return w;
  }

  return {
    options,
    claims: createPostgresStepClaims(pool, context),

    settingWarnings() {
      return run(async (db) => {
        const result = await db.query<{ autovacuum: string }>('SHOW autovacuum');
        const warning = autovacuumWarning(result.rows[0]?.autovacuum);
        return warning === undefined ? [] : [warning];
      });
    },

    shareDataDir(id) {
      return run(async (db) => {
        await db.query(SQL.recordDataDir, [id]);
        const result = await db.query<{ value: string }>(SQL.readDataDir);
        return result.rows[0]?.value ?? id;
      });
    },
    ...buildPostgresRegistryStore(run, transaction),
    ...buildPostgresTaskLeaseStore(run, transaction),
    ...buildPostgresSecretStore(run, transaction),
    ...buildPostgresApiTokenStore(run),

    close() {
      closed ??= pool.end();
      return closed;
    },

    appendEvents(events, { pending }) {
      if (events.length === 0) return Promise.resolve();
      return transaction(async (tx) => {
        await insertEvents(
          tx,
          events.map((event) => ({ event, pending })),
        );
      });
    },

    pendingEvents(limit) {
      return run(async (db) => {
        const result = await db.query<{ seq: number; doc: KeptnEvent }>(SQL.pendingEvents, [limit]);
        return result.rows.map((row) => ({ seq: row.seq, event: row.doc }));
      });
    },

    commit(changes) {
      return commitChangeset(changes);
    },

    queryEvents(query) {
      return run(async () => page<KeptnEvent>('events e', eventWhere(query), 'e.time DESC, e.seq DESC', query));
    },

    deleteEventsBefore(time) {
      return transaction(async (tx) => {
        const deleted = await tx.query<{ n: number; contexts: string[] }>(SQL.deleteEventsBefore, [time]);
        const { n = 0, contexts = [] } = deleted.rows[0] ?? {};
        if (contexts.length > 0) await tx.query(SQL.markRoots, [contexts]);
        return n;
      });
    },

    insertProject(project) {
      return run(async (db) => {
        const { lastEventContext, ...doc } = project;
        const inserted = await db.query(SQL.insertProject, [
          project.name,
          project.creationDate,
          lastEventContext ?? null,
          JSON.stringify(doc),
        ]);
        if (changed(inserted) === 0)
          throw new ConflictError(ErrorCode.projectExists, `project '${project.name}' already exists; choose another name or update it`);
      });
    },

    updateProject(project) {
      return run(async (db) => {
        const { lastEventContext: _ownedByCommit, ...doc } = project;
        const updated = await db.query(SQL.updateProject, [project.creationDate, JSON.stringify(doc), project.name]);
        if (changed(updated) === 0)
          throw new NotFoundError(ErrorCode.projectNotFound, `project '${project.name}' not found; create it before updating it`);
      });
    },

    deleteProject(name) {
      return transaction(async (tx) => {
        if ((await tx.query(SQL.lockProject, [name])).rows.length === 0) return false;
        for (const step of DELETE_PROJECT_STEPS) await tx.query(step, [name]);
        return true;
      });
    },

    getProject(name) {
      return run(async (db) => {
        const row = (await db.query<ProjectRow>(SQL.getProject, [name])).rows[0];
        return row && toProject(row);
      });
    },

    listProjects() {
      return run(async (db) => (await db.query<ProjectRow>(SQL.listProjects)).rows.map(toProject));
    },

    putShipyardVersion(project, commit, content) {
      return run(async (db) => {
        await db.query(SQL.putShipyard, [project, commit, content]);
      });
    },

    getShipyardVersion(project, commit) {
      return run(async (db) => (await db.query<{ content: string }>(SQL.getShipyard, [project, commit])).rows[0]?.content);
    },

    insertService(project, service, stages, creationDate) {
      return transaction(async (tx) => {
        // The project row's lock serializes service creation in the project, so the check below holds.
        if ((await tx.query(SQL.lockProject, [project])).rows.length === 0) {
          throw new NotFoundError(
            ErrorCode.projectNotFound,
            `project '${project}' not found; create the project before adding service '${service}'`,
          );
        }
        if ((await tx.query(SQL.serviceExists, [project, service])).rows.length > 0) {
          throw new ConflictError(ErrorCode.serviceExists, `service '${service}' already exists in project '${project}'`);
        }
        for (const stage of stages) await tx.query(SQL.insertService, [project, stage, service, creationDate]);
      });
    },

    deleteService(project, service) {
      return run(async (db) => {
        await db.query(SQL.deleteService, [project, service]);
      });
    },

    listServices(project, stage) {
      return run(async (db) => {
        const result =
          stage === undefined
            ? await db.query<ServiceRow>(SQL.listServices, [project])
            : await db.query<ServiceRow>(SQL.listServicesOfStage, [project, stage]);
        return result.rows.map(toService);
      });
    },

    hasService(project, stage, service) {
      return run(async (db) => (await db.query(SQL.hasService, [project, stage, service])).rows.length > 0);
    },

    getExecution(id) {
      return run(async (db) => firstDoc(await db.query<DocRow<SequenceExecution>>(SQL.getExecution, [id])));
    },

    findExecutionByTrigger(triggeredId) {
      return run(async (db) => firstDoc(await db.query<DocRow<SequenceExecution>>(SQL.executionByTrigger, [triggeredId])));
    },

    findExecutionByTask(triggeredId) {
      return run(async (db) => firstDoc(await db.query<DocRow<SequenceExecution>>(SQL.executionByTask, [triggeredId])));
    },

    findExecutionsByTasks(triggeredIds) {
      return run(async (db) => {
        const { rows } = await db.query<DocRow<SequenceExecution> & { current_task_id: string }>(SQL.executionsByTasks, [
          [...triggeredIds],
        ]);
        return new Map(rows.map((row) => [row.current_task_id, row.doc]));
      });
    },

    listExecutionsOfContext(project, keptnContext) {
      return run(async (db) => docs(await db.query<DocRow<SequenceExecution>>(SQL.executionsOfContext, [project, keptnContext])));
    },

    listExecutionsOfContexts(contexts) {
      if (contexts.length === 0) return Promise.resolve([]);
      const projects = contexts.map((c) => c.project);
      const keptnContexts = contexts.map((c) => c.keptnContext);
      return run(async (db) => docs(await db.query<DocRow<SequenceExecution>>(SQL.executionsOfContexts, [projects, keptnContexts])));
    },

    async listExecutionsInScope(project, stage, service, states) {
      requireActiveStates(states);
      return run(async (db) =>
        docs(await db.query<DocRow<SequenceExecution>>(SQL.executionsInScope, [project, stage, service, [...states]])),
      );
    },

    queryExecutions(q) {
      const w = new Where()
        .eq('project', q.project)
        .eq('stage', q.stage)
        .eq('service', q.service)
        .eq('keptn_context', q.keptnContext)
        .eq('name', q.name)
        .eq('state', q.state);
      return page<SequenceExecution>('executions', w, 'triggered_at DESC, seq DESC', q);
    },

    getSequenceState(project, keptnContext) {
      return run(async (db) => firstDoc(await db.query<DocRow<SequenceState>>(SQL.getState, [project, keptnContext])));
    },

    getSequenceStates(contexts) {
      if (contexts.length === 0) return Promise.resolve([]);
      const projects = contexts.map((c) => c.project);
      const keptnContexts = contexts.map((c) => c.keptnContext);
      return run(async (db) => docs(await db.query<DocRow<SequenceState>>(SQL.statesOfContexts, [projects, keptnContexts])));
    },

    querySequenceStates(q) {
      const w = new Where().eq('project', q.project).eq('name', q.name).eq('state', q.state);
      if (q.fromTime !== undefined) w.add(`time > ${w.param(q.fromTime)}`);
      if (q.beforeTime !== undefined) w.add(`time < ${w.param(q.beforeTime)}`);
      if (q.keptnContexts !== undefined) w.add(`keptn_context = ANY(${w.param(q.keptnContexts)}::text[])`);
      return page<SequenceState>('sequence_states', w, 'time DESC, seq DESC', q);
    },

    updateStageMessage(u) {
      return transaction(async (tx) => {
        const view = firstDoc(await tx.query<DocRow<SequenceState>>(SQL.getStateForUpdate, [u.project, u.keptnContext]));
        const next = view && withStageMessage(view, u.stage, u.latestEventId, u.message);
        if (!next) return false;
        await upsertState(tx, next);
        return true;
      });
    },

    queryOpenTriggered(q) {
      return run(async (db) => {
        const w = new Where().eq('type', q.type);
        w.add(`time <= ${w.param(q.visibleAt)}`)
          .eq('project', q.project)
          .eq('stage', q.stage)
          .eq('service', q.service)
          .eq('event_id', q.eventId);
        return docs(
          await db.query<DocRow<KeptnEvent>>(`SELECT doc FROM open_triggered ${w.toString()} ORDER BY time DESC, seq DESC`, w.params),
        );
      });
    },

    dueTimers(nowMs, limit) {
      return run(async (db) => (await db.query<TimerRow>(SQL.dueTimers, [nowMs, limit])).rows.map(toTimer));
    },

    nextTimerDueMs() {
      return run(async (db) => (await db.query<{ due_at_ms: number }>(SQL.nextTimerDue)).rows[0]?.due_at_ms);
    },

    listPauseMarkers(project, keptnContext) {
      return run(async (db) => (await db.query<PauseRow>(SQL.listPause, [project, keptnContext])).rows.map(toPauseMarker));
    },
  };
}
