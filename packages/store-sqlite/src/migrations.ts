/**
 * The SQLite schema as numbered migrations. A database records the last applied version in
 * `PRAGMA user_version`; `applyMigrations` runs the newer ones in order, all in one transaction.
 *
 * Invariants: a migration is never edited once released (add a new one instead); versions are
 * consecutive from 1. Documents are stored whole as JSON text in `doc`; the other columns are
 * copies of fields the queries filter or sort on, written by the store from the document.
 */
import type Database from 'better-sqlite3';
import { ErrorCode, UnavailableError } from '@shipmate/core';

/** One schema step. */
export interface Migration {
  version: number;
  sql: string;
}

/** Every migration, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE projects (
        name               TEXT PRIMARY KEY,
        creation_date      TEXT NOT NULL,
        -- Owned by Changeset.projectLastContext, so updateProject never overwrites it.
        last_event_context TEXT,
        doc                TEXT NOT NULL
      ) STRICT;

      -- No foreign key to projects: the shipyard is stored before the project row is created.
      CREATE TABLE shipyard_versions (
        project   TEXT NOT NULL,
        commit_id TEXT NOT NULL,
        content   TEXT NOT NULL,
        PRIMARY KEY (project, commit_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE services (
        project          TEXT NOT NULL REFERENCES projects (name) ON DELETE CASCADE,
        stage            TEXT NOT NULL,
        name             TEXT NOT NULL,
        creation_date    TEXT NOT NULL,
        deployed_image   TEXT,
        last_event_types TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (project, stage, name)
      ) STRICT;
      CREATE INDEX services_project_name ON services (project, name);

      -- seq orders the pending queue; AUTOINCREMENT so a deleted seq is never handed out again.
      CREATE TABLE events (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
        id             TEXT NOT NULL UNIQUE,
        project        TEXT,
        stage          TEXT,
        service        TEXT,
        type           TEXT NOT NULL,
        shkeptncontext TEXT NOT NULL,
        triggeredid    TEXT,
        source         TEXT NOT NULL,
        time           TEXT NOT NULL,
        pending        INTEGER NOT NULL,
        doc            TEXT NOT NULL
      ) STRICT;
      CREATE INDEX events_project_time ON events (project, time);
      CREATE INDEX events_context_time ON events (shkeptncontext, time);
      CREATE INDEX events_type_time ON events (type, time);
      CREATE INDEX events_time ON events (time);
      CREATE INDEX events_triggeredid ON events (triggeredid) WHERE triggeredid IS NOT NULL;
      -- Few events are invalidations; excludeInvalidated probes this small index once per row.
      -- Queries must repeat the WHERE term exactly for SQLite to use it.
      CREATE INDEX events_invalidated ON events (triggeredid, project) WHERE type GLOB '*.invalidated';
      CREATE INDEX events_pending ON events (seq) WHERE pending = 1;

      CREATE TABLE executions (
        id              TEXT PRIMARY KEY,
        project         TEXT NOT NULL,
        stage           TEXT NOT NULL,
        service         TEXT NOT NULL,
        keptn_context   TEXT NOT NULL,
        name            TEXT NOT NULL,
        state           TEXT NOT NULL,
        triggered_id    TEXT NOT NULL UNIQUE,
        current_task_id TEXT,
        triggered_at    TEXT NOT NULL,
        doc             TEXT NOT NULL
      ) STRICT;
      CREATE INDEX executions_scope ON executions (project, stage, service, state, triggered_at);
      CREATE INDEX executions_current_task ON executions (current_task_id) WHERE current_task_id IS NOT NULL;
      CREATE INDEX executions_context ON executions (project, keptn_context);
      CREATE INDEX executions_project_time ON executions (project, triggered_at);

      CREATE TABLE sequence_states (
        project       TEXT NOT NULL,
        keptn_context TEXT NOT NULL,
        name          TEXT NOT NULL,
        state         TEXT NOT NULL,
        time          TEXT NOT NULL,
        doc           TEXT NOT NULL,
        PRIMARY KEY (project, keptn_context)
      ) STRICT;
      CREATE INDEX sequence_states_project_time ON sequence_states (project, time);

      CREATE TABLE open_triggered (
        event_id     TEXT PRIMARY KEY,
        execution_id TEXT NOT NULL,
        project      TEXT NOT NULL,
        stage        TEXT NOT NULL,
        service      TEXT NOT NULL,
        type         TEXT NOT NULL,
        time         TEXT NOT NULL,
        doc          TEXT NOT NULL
      ) STRICT;
      CREATE INDEX open_triggered_type_time ON open_triggered (type, time);
      CREATE INDEX open_triggered_project ON open_triggered (project);

      CREATE TABLE timers (
        id           TEXT PRIMARY KEY,
        kind         TEXT NOT NULL,
        execution_id TEXT NOT NULL,
        triggered_id TEXT NOT NULL,
        due_at_ms    INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX timers_due ON timers (due_at_ms);
      CREATE INDEX timers_triggered_id ON timers (triggered_id);
      CREATE INDEX timers_execution_id ON timers (execution_id);

      CREATE TABLE pause_markers (
        project       TEXT NOT NULL,
        keptn_context TEXT NOT NULL,
        stage         TEXT NOT NULL,
        PRIMARY KEY (project, keptn_context, stage)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    sql: `
      -- Integration registry (issue 3): Keptn's uniform registrations, their instances, error logs.
      CREATE TABLE integrations (
        id        TEXT PRIMARY KEY,
        name      TEXT NOT NULL,
        namespace TEXT NOT NULL,
        hostname  TEXT NOT NULL,
        lastseen  TEXT NOT NULL,
        doc       TEXT NOT NULL
      ) STRICT;
      CREATE INDEX integrations_name_namespace ON integrations (name, namespace);
      CREATE INDEX integrations_lastseen ON integrations (lastseen);

      CREATE TABLE integration_instances (
        integration_id TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
        instance_id    TEXT NOT NULL,
        lastseen       TEXT NOT NULL,
        doc            TEXT NOT NULL,
        PRIMARY KEY (integration_id, instance_id)
      ) STRICT;
      CREATE INDEX integration_instances_lastseen ON integration_instances (lastseen);

      CREATE TABLE integration_logs (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
        integration_id TEXT NOT NULL,
        time           TEXT NOT NULL,
        doc            TEXT NOT NULL
      ) STRICT;
      CREATE INDEX integration_logs_integration_time ON integration_logs (integration_id, time);
      CREATE INDEX integration_logs_time ON integration_logs (time);
    `,
  },
  {
    version: 3,
    sql: `
      -- Task delivery (issue 3): one row per (task, integration, instance) ever offered the task.
      -- The holder is the row that is answered or whose lease_until_ms is still ahead.
      CREATE TABLE task_leases (
        triggered_id   TEXT NOT NULL,
        integration_id TEXT NOT NULL,
        instance_id    TEXT NOT NULL,
        event_type     TEXT NOT NULL,
        lease_until_ms INTEGER NOT NULL,
        answered       INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (triggered_id, integration_id, instance_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX task_leases_instance ON task_leases (integration_id, instance_id);
    `,
  },
  {
    version: 4,
    sql: `
      -- Secrets API (issue 4): values sealed with AES-256-GCM (never stored in plain); names are
      -- unique across scopes as Kubernetes Secret names were in Keptn's namespace.
      CREATE TABLE secrets (
        name       TEXT PRIMARY KEY,
        scope      TEXT NOT NULL,
        keys       TEXT NOT NULL,
        key_id     TEXT NOT NULL,
        iv         BLOB NOT NULL,
        tag        BLOB NOT NULL,
        ciphertext BLOB NOT NULL
      ) STRICT;
      CREATE INDEX secrets_scope ON secrets (scope, name);
      CREATE INDEX secrets_key_id ON secrets (key_id);
    `,
  },
  {
    version: 5,
    sql: `
      -- API tokens created through the API (issue 12 point 4): only the SHA-256 of a token is kept.
      -- Revoked tokens stay (revoked_at set) so that a request with one is told it was revoked.
      CREATE TABLE api_tokens (
        id           TEXT PRIMARY KEY,
        name         TEXT NOT NULL UNIQUE,
        role         TEXT NOT NULL,
        filters      TEXT NOT NULL,
        sha256       TEXT NOT NULL UNIQUE,
        created_at   TEXT NOT NULL,
        last_used_at TEXT,
        revoked_at   TEXT,
        seq          INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 6,
    sql: `
      -- Heartbeats (issue 13 point 6): lastseen of integrations and instances in narrow tables of
      -- their own, so that renewing the heartbeats of thousands of parked agents rewrites a few
      -- pages of short rows instead of every page holding their JSON documents. The documents'
      -- lastseen is no longer written; the store reads it from here. No index on lastseen: the
      -- expiry sweep scans these short rows, and each heartbeat then updates one b-tree only.
      CREATE TABLE integration_heartbeats (
        integration_id TEXT PRIMARY KEY REFERENCES integrations (id) ON DELETE CASCADE,
        lastseen       TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
      INSERT INTO integration_heartbeats (integration_id, lastseen) SELECT id, lastseen FROM integrations;
      DROP INDEX integrations_lastseen;
      ALTER TABLE integrations DROP COLUMN lastseen;

      CREATE TABLE instance_heartbeats (
        integration_id TEXT NOT NULL,
        instance_id    TEXT NOT NULL,
        lastseen       TEXT NOT NULL,
        PRIMARY KEY (integration_id, instance_id),
        FOREIGN KEY (integration_id, instance_id) REFERENCES integration_instances (integration_id, instance_id) ON DELETE CASCADE
      ) STRICT, WITHOUT ROWID;
      INSERT INTO instance_heartbeats (integration_id, instance_id, lastseen)
        SELECT integration_id, instance_id, lastseen FROM integration_instances;
      DROP INDEX integration_instances_lastseen;
      ALTER TABLE integration_instances DROP COLUMN lastseen;
    `,
  },
  {
    version: 7,
    sql: `
      -- The queue of a stage/service (listExecutionsInScope) reads active executions alone. The full
      -- index held every finished execution too, so each step of a sequence moved its entry within
      -- its service's history: in bench (a), with 50 services, about 26 of the 160 pages every commit
      -- wrote. Indexed alone, the active executions fit on a page or two. The terms are the names of
      -- TERMINAL_STATES (core), and queries repeat them word for word so that SQLite uses the index.
      DROP INDEX executions_scope;
      CREATE INDEX executions_active_scope ON executions (project, stage, service, state, triggered_at)
        WHERE state NOT IN ('finished', 'timedOut');
    `,
  },
  {
    version: 8,
    sql: `
      -- Service activity written behind (service-activity-log.ts): a commit appends its notes here
      -- and a fold applies them to services.last_event_types / deployed_image, so a commit no longer
      -- rewrites the page of every service it touched (19 of 118 pages per commit in bench (a)).
      CREATE TABLE service_activity_log (
        seq            INTEGER PRIMARY KEY,
        project        TEXT NOT NULL,
        stage          TEXT NOT NULL,
        service        TEXT NOT NULL,
        event_type     TEXT NOT NULL,
        ref            TEXT NOT NULL,
        deployed_image TEXT
      ) STRICT;
    `,
  },
  {
    version: 9,
    sql: `
      -- Service activity written behind, one row per commit (service-activity-log.ts): a commit of
      -- bench (a) noted activity for about a hundred services, one INSERT each. Notes left from
      -- before move over as one batch, in their order.
      CREATE TABLE service_activity_batches (
        seq   INTEGER PRIMARY KEY,
        notes TEXT NOT NULL
      ) STRICT;
      INSERT INTO service_activity_batches (notes)
        SELECT json_group_array(json_array(project, stage, service, event_type, json(ref), deployed_image))
        FROM (SELECT * FROM service_activity_log ORDER BY seq)
        HAVING count(*) > 0;
      DROP TABLE service_activity_log;
    `,
  },
  {
    version: 10,
    sql: `
      -- Root events, the earliest of their context and project by time then seq, are marked
      -- (event-roots.ts moves the mark), so that the datastore's root=true list reads this partial
      -- index of the roots instead of probing every event of a project for an earlier one of its
      -- context (4-15 ms p50 for a page and its count at 100k sequences), as PostgreSQL does since 0004.
      ALTER TABLE events ADD COLUMN root INTEGER NOT NULL DEFAULT 0;
      UPDATE events SET root = 1 WHERE NOT EXISTS (
        SELECT 1 FROM events r
        WHERE r.shkeptncontext = events.shkeptncontext AND r.time <= events.time AND r.project IS events.project
          AND (r.time < events.time OR r.seq < events.seq));
      CREATE INDEX events_roots ON events (project, time) WHERE root = 1;
    `,
  },
];

/** Schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/**
 * Brings the database to {@link SCHEMA_VERSION}. Takes the write lock first (BEGIN IMMEDIATE) and
 * reads the version inside the transaction, so two processes opening one file at once apply each
 * migration exactly once. Returns the version found before migrating.
 */
export function applyMigrations(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
  /** Told before an existing database is upgraded (not when one is created), e.g. to say why the start takes long. */
  beforeUpgrade?: (from: number, to: number) => void,
): number {
  const run = db.transaction(() => {
    const current = Number(db.pragma('user_version', { simple: true }));
    const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
    if (current > latest) {
      throw new UnavailableError(
        ErrorCode.storeUnavailable,
        `SQLite database '${db.name}' has schema version ${current}, newer than ${latest} that this Shipmate knows; upgrade Shipmate or use a backup made by this version`,
      );
    }
    const pending = [...migrations].filter((m) => m.version > current).sort((a, b) => a.version - b.version);
    if (current > 0 && pending.length > 0) beforeUpgrade?.(current, latest);
    for (const migration of pending) {
      db.exec(migration.sql);
      // PRAGMA takes no bound parameters; the version is an integer from this file.
      db.pragma(`user_version = ${Math.trunc(migration.version)}`);
    }
    return current;
  });
  return run.immediate();
}
