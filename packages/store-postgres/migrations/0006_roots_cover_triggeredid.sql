-- The root list (`root=true`, the Bridge's sequence list) also drops roots whose triggeredid was
-- invalidated, so each row it reads and counts needs its triggeredid. events_roots did not hold it:
-- the bounded count of a page (up to the page's end plus 500 rows) fetched each counted row from
-- the table, scattered over the whole history. At 100k sequences the count of 1,020 roots read 948
-- pages in 12.5 ms from a cold cache. Held in the index, the count is an index-only scan (0.5 ms for
-- those 1,020) wherever vacuum has marked the pages all-visible, as autovacuum keeps doing for a
-- table that only grows.
CREATE INDEX events_roots_covering ON events (project, time, seq) INCLUDE (triggeredid) WHERE root;
DROP INDEX events_roots;
ALTER INDEX events_roots_covering RENAME TO events_roots;
