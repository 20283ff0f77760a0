-- Heartbeats (issue 13 point 6), as SQLite's migration 6: lastseen of integrations and instances
-- in narrow tables of their own, so that renewing the heartbeats of thousands of parked agents
-- writes short row versions instead of a new version of every JSON document (an UPDATE in
-- PostgreSQL writes the whole row again). The documents' lastseen is no longer written; the store
-- reads it from here. No index on lastseen: the expiry sweep scans these short rows, and an update
-- that changes no indexed column can stay on its page (a HOT update, no index write).
CREATE TABLE integration_heartbeats (
  integration_id text COLLATE "C" PRIMARY KEY REFERENCES integrations (id) ON DELETE CASCADE,
  lastseen       text COLLATE "C" NOT NULL
) WITH (fillfactor = 50);
INSERT INTO integration_heartbeats (integration_id, lastseen) SELECT id, lastseen FROM integrations;
DROP INDEX integrations_lastseen;
ALTER TABLE integrations DROP COLUMN lastseen;

CREATE TABLE instance_heartbeats (
  integration_id text COLLATE "C" NOT NULL,
  instance_id    text COLLATE "C" NOT NULL,
  lastseen       text COLLATE "C" NOT NULL,
  PRIMARY KEY (integration_id, instance_id),
  FOREIGN KEY (integration_id, instance_id) REFERENCES integration_instances (integration_id, instance_id) ON DELETE CASCADE
) WITH (fillfactor = 50);
INSERT INTO instance_heartbeats (integration_id, instance_id, lastseen)
  SELECT integration_id, instance_id, lastseen FROM integration_instances;
DROP INDEX integration_instances_lastseen;
ALTER TABLE integration_instances DROP COLUMN lastseen;
