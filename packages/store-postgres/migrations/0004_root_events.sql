-- The root of a context (its earliest event by time, then seq, in one project: Keptn's "root event",
-- what the Bridge lists with `root=true`) is marked when it is stored instead of being found again by
-- an anti-join on every read. At 100k sequences the root list probed every event of the project for
-- an earlier one of its context (about 11 per sequence) to fill a page and its bounded count; with the
-- mark the list and the count read a partial index of the roots alone.
ALTER TABLE events ADD COLUMN root boolean NOT NULL DEFAULT false;

UPDATE events e SET root = true
WHERE NOT EXISTS (
  SELECT 1 FROM events r
  WHERE r.shkeptncontext = e.shkeptncontext AND r.time <= e.time AND r.project IS NOT DISTINCT FROM e.project
    AND (r.time < e.time OR r.seq < e.seq));

CREATE INDEX events_roots ON events (project, time, seq) WHERE root;
