-- The root list (`root=true`, the Bridge's sequence list) also drops roots whose triggeredid was
-- invalidated, so each row it reads and counts needs its triggeredid. events_roots did not hold it:
-- the bounded count of a page (up to 520 rows past the page) then fetched that many rows of the
-- table, scattered over a history of millions, which was most of the list's time (12.5 ms of 12.7
-- at 100k sequences, 948 pages read). Held in the index, the count is an index-only scan (0.5 ms)
-- wherever autovacuum has marked the pages all-visible, as it does for a table that only grows.
CREATE INDEX events_roots_covering ON events (project, time, seq) INCLUDE (triggeredid) WHERE root;
DROP INDEX events_roots;
ALTER INDEX events_roots_covering RENAME TO events_roots;
