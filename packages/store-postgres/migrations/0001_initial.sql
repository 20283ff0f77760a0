-- The PostgreSQL schema of the store ports, as of SQLite's schema version 5 (migrations.ts of
-- store-sqlite), in one step. Never edit a released migration: add 0002_<what>.sql instead.
--
-- Documents (events, executions, sequence states, projects, integrations) are stored whole as
-- `json` (the text as written, so a document round-trips exactly); the other columns are copies
-- of the fields the queries filter or sort on, written by the store from the document. Text that
-- is compared or sorted is COLLATE "C": byte order, as SQLite compares, whatever the database's
-- collation. `seq` columns are the insertion order that SQLite's rowid gave the ties of a sort.

CREATE TABLE projects (
  name               text COLLATE "C" PRIMARY KEY,
  creation_date      text NOT NULL,
  -- Owned by Changeset.projectLastContext, so updateProject never overwrites it.
  last_event_context text,
  doc                json NOT NULL
);

-- No foreign key to projects: the shipyard is stored before the project row is created.
CREATE TABLE shipyard_versions (
  project   text COLLATE "C" NOT NULL,
  commit_id text COLLATE "C" NOT NULL,
  content   text NOT NULL,
  PRIMARY KEY (project, commit_id)
);

CREATE TABLE services (
  seq              bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  project          text COLLATE "C" NOT NULL REFERENCES projects (name) ON DELETE CASCADE,
  stage            text COLLATE "C" NOT NULL,
  name             text COLLATE "C" NOT NULL,
  creation_date    text NOT NULL,
  deployed_image   text,
  last_event_types jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (project, stage, name)
);
CREATE INDEX services_project_name ON services (project, name, seq);

-- The event store and the orchestrator's queue: `pending` rows are the events not yet handled,
-- oldest `seq` first. Replicas will claim them with FOR UPDATE SKIP LOCKED on events_pending
-- (see the package README).
CREATE TABLE events (
  seq            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id             text COLLATE "C" NOT NULL UNIQUE,
  project        text COLLATE "C",
  stage          text COLLATE "C",
  service        text COLLATE "C",
  type           text COLLATE "C" NOT NULL,
  shkeptncontext text COLLATE "C" NOT NULL,
  triggeredid    text COLLATE "C",
  source         text COLLATE "C" NOT NULL,
  time           text COLLATE "C" NOT NULL,
  pending        boolean NOT NULL,
  doc            json NOT NULL
);
CREATE INDEX events_project_time ON events (project, time, seq);
CREATE INDEX events_context_time ON events (shkeptncontext, time, seq);
CREATE INDEX events_type_time ON events (type, time);
CREATE INDEX events_time ON events (time, seq);
CREATE INDEX events_triggeredid ON events (triggeredid) WHERE triggeredid IS NOT NULL;
-- Few events are invalidations; excludeInvalidated probes this small index once per row.
CREATE INDEX events_invalidated ON events (triggeredid, project) WHERE type LIKE '%.invalidated';
CREATE INDEX events_pending ON events (seq) WHERE pending;

CREATE TABLE executions (
  seq             bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id              text COLLATE "C" PRIMARY KEY,
  project         text COLLATE "C" NOT NULL,
  stage           text COLLATE "C" NOT NULL,
  service         text COLLATE "C" NOT NULL,
  keptn_context   text COLLATE "C" NOT NULL,
  name            text COLLATE "C" NOT NULL,
  state           text COLLATE "C" NOT NULL,
  triggered_id    text COLLATE "C" NOT NULL UNIQUE,
  current_task_id text COLLATE "C",
  triggered_at    text COLLATE "C" NOT NULL,
  doc             json NOT NULL
);
CREATE INDEX executions_scope ON executions (project, stage, service, state, triggered_at);
CREATE INDEX executions_current_task ON executions (current_task_id) WHERE current_task_id IS NOT NULL;
CREATE INDEX executions_context ON executions (project, keptn_context);
CREATE INDEX executions_project_time ON executions (project, triggered_at, seq);

CREATE TABLE sequence_states (
  seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  project       text COLLATE "C" NOT NULL,
  keptn_context text COLLATE "C" NOT NULL,
  name          text COLLATE "C" NOT NULL,
  state         text COLLATE "C" NOT NULL,
  time          text COLLATE "C" NOT NULL,
  doc           json NOT NULL,
  PRIMARY KEY (project, keptn_context)
);
CREATE INDEX sequence_states_project_time ON sequence_states (project, time, seq);

CREATE TABLE open_triggered (
  seq          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  event_id     text COLLATE "C" PRIMARY KEY,
  execution_id text COLLATE "C" NOT NULL,
  project      text COLLATE "C" NOT NULL,
  stage        text COLLATE "C" NOT NULL,
  service      text COLLATE "C" NOT NULL,
  type         text COLLATE "C" NOT NULL,
  time         text COLLATE "C" NOT NULL,
  doc          json NOT NULL
);
CREATE INDEX open_triggered_type_time ON open_triggered (type, time);
CREATE INDEX open_triggered_project ON open_triggered (project);

-- Replicas will claim due timers with FOR UPDATE SKIP LOCKED on timers_due (see the README).
CREATE TABLE timers (
  seq          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id           text COLLATE "C" PRIMARY KEY,
  kind         text NOT NULL,
  execution_id text COLLATE "C" NOT NULL,
  triggered_id text COLLATE "C" NOT NULL,
  due_at_ms    bigint NOT NULL
);
CREATE INDEX timers_due ON timers (due_at_ms, seq);
CREATE INDEX timers_triggered_id ON timers (triggered_id);
CREATE INDEX timers_execution_id ON timers (execution_id);

CREATE TABLE pause_markers (
  project       text COLLATE "C" NOT NULL,
  keptn_context text COLLATE "C" NOT NULL,
  stage         text COLLATE "C" NOT NULL,
  PRIMARY KEY (project, keptn_context, stage)
);

-- Integration registry: Keptn's uniform registrations, their instances, error logs.
CREATE TABLE integrations (
  id        text COLLATE "C" PRIMARY KEY,
  name      text COLLATE "C" NOT NULL,
  namespace text COLLATE "C" NOT NULL,
  hostname  text COLLATE "C" NOT NULL,
  lastseen  text COLLATE "C" NOT NULL,
  doc       json NOT NULL
);
CREATE INDEX integrations_name_namespace ON integrations (name, namespace);
CREATE INDEX integrations_lastseen ON integrations (lastseen);

CREATE TABLE integration_instances (
  integration_id text COLLATE "C" NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
  instance_id    text COLLATE "C" NOT NULL,
  lastseen       text COLLATE "C" NOT NULL,
  doc            json NOT NULL,
  PRIMARY KEY (integration_id, instance_id)
);
CREATE INDEX integration_instances_lastseen ON integration_instances (lastseen);

CREATE TABLE integration_logs (
  seq            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  integration_id text COLLATE "C" NOT NULL,
  time           text COLLATE "C" NOT NULL,
  doc            json NOT NULL
);
CREATE INDEX integration_logs_integration_time ON integration_logs (integration_id, time);
CREATE INDEX integration_logs_time ON integration_logs (time);

-- Task delivery: one row per (task, integration, instance) ever offered the task. The holder is
-- the row that is answered or whose lease_until_ms is still ahead. A claim takes a transaction-level
-- advisory lock on (task, integration) first, so two claims never both see the task free.
CREATE TABLE task_leases (
  triggered_id   text COLLATE "C" NOT NULL,
  integration_id text COLLATE "C" NOT NULL,
  instance_id    text COLLATE "C" NOT NULL,
  event_type     text NOT NULL,
  lease_until_ms bigint NOT NULL,
  answered       boolean NOT NULL DEFAULT false,
  PRIMARY KEY (triggered_id, integration_id, instance_id)
);
CREATE INDEX task_leases_instance ON task_leases (integration_id, instance_id);

-- Secrets API: values sealed with AES-256-GCM (never stored in plain); names are unique across
-- scopes as Kubernetes Secret names were in Keptn's namespace.
CREATE TABLE secrets (
  name       text COLLATE "C" PRIMARY KEY,
  scope      text COLLATE "C" NOT NULL,
  keys       json NOT NULL,
  key_id     text COLLATE "C" NOT NULL,
  iv         bytea NOT NULL,
  tag        bytea NOT NULL,
  ciphertext bytea NOT NULL
);
CREATE INDEX secrets_scope ON secrets (scope, name);
CREATE INDEX secrets_key_id ON secrets (key_id);

-- API tokens created through the API: only the SHA-256 of a token is kept. Revoked tokens stay
-- (revoked_at set) so that a request with one is told it was revoked.
CREATE TABLE api_tokens (
  seq          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id           text COLLATE "C" PRIMARY KEY,
  name         text COLLATE "C" NOT NULL UNIQUE,
  role         text NOT NULL,
  filters      json NOT NULL,
  sha256       text NOT NULL UNIQUE,
  created_at   text NOT NULL,
  last_used_at text COLLATE "C",
  revoked_at   text
);
