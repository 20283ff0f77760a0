/**
 * Service activity (each service row's `lastEventTypes` and deployed image), written behind.
 *
 * Every step of a sequence notes activity for its service, and with many sequences in flight one
 * commit notes it for many services. Updating the rows in the commit rewrote one 4 KiB page per
 * one or two services (a row holds its whole `last_event_types` document, 1.5 KB with a
 * three-task sequence): in bench (a), with 50 services in flight, 19 of the 118 pages a commit
 * wrote were `services` pages (counted from the WAL's frame headers, pages named with `dbstat`).
 *
 * So a commit appends its activity to `service_activity_log` instead, one narrow row per note at
 * the table's right edge (5–7 pages per commit in (a), with the pages the folds free and the next
 * commits take again), and {@link ServiceActivityLog.fold} applies
 * the log to the service rows in its own transaction, merged per service
 * ({@link mergeServiceActivity}, the same result as the updates one after the other) and empties
 * it. The store folds before it reads services, before it deletes a service or a project (a
 * service created again under the same name must not inherit the old one's activity), every
 * second and on close. The log is in the database, so a crash loses nothing: the next fold
 * after opening applies what was left.
 */
import type Database from 'better-sqlite3';
import type { ServiceActivity } from '@shipmate/core';
import { mergeServiceActivity } from './service-activity.js';

/** How often logged activity is applied to the service rows when nothing reads them. */
const FOLD_EVERY_MS = 1000;

/** The log of one store's database. */
export interface ServiceActivityLog {
  /** Appends the activity of a changeset; runs inside the commit's transaction. */
  append(activities: readonly ServiceActivity[]): void;
  /** Applies every logged note to the service rows and empties the log, in one transaction; nothing when it is empty. */
  fold(): void;
  /** Stops the periodic fold (the store folds once more before it closes). */
  stop(): void;
}

interface LogRow {
  seq: number;
  project: string;
  stage: string;
  service: string;
  event_type: string;
  ref: string;
  deployed_image: string | null;
}

/**
 * Starts the log on `db` (migration 8 made the table). A periodic fold that fails (the disk full)
 * rolls back and leaves the notes logged; the next read of services folds again and its caller
 * gets the error, as for any failed read.
 */
export function createServiceActivityLog(db: Database.Database): ServiceActivityLog {
  const insert = db.prepare(
    'INSERT INTO service_activity_log (project, stage, service, event_type, ref, deployed_image) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const logged = db.prepare('SELECT seq, project, stage, service, event_type, ref, deployed_image FROM service_activity_log ORDER BY seq');
  const applied = db.prepare('DELETE FROM service_activity_log WHERE seq <= ?');
  // Merge patches (service-activity.ts): the nulls remove the old entries whole, the second patch writes the new ones.
  const update = db.prepare(
    `UPDATE services SET
       last_event_types = json_patch(json_patch(last_event_types, ?), ?),
       deployed_image = coalesce(?, deployed_image)
     WHERE project = ? AND stage = ? AND name = ?`,
  );
  const anyLogged = db.prepare('SELECT 1 FROM service_activity_log LIMIT 1').pluck();

  const foldTx = db.transaction(() => {
    const rows = logged.all() as LogRow[];
    if (rows.length === 0) return;
    const notes = rows.map((row): ServiceActivity => ({
      project: row.project,
      stage: row.stage,
      service: row.service,
      eventType: row.event_type,
      ref: JSON.parse(row.ref) as ServiceActivity['ref'],
      ...(row.deployed_image !== null ? { deployedImage: row.deployed_image } : {}),
    }));
    for (const row of mergeServiceActivity(notes)) {
      update.run(row.removals, row.additions, row.deployedImage ?? null, row.project, row.stage, row.service);
    }
    applied.run(rows[rows.length - 1]!.seq);
  });

  // The log is read from the table, not counted in memory, so that a second connection to the file
  // (another process) applies notes it did not write. The write lock is taken first (IMMEDIATE):
  // two connections folding at once then wait for each other instead of failing the later one.
  const fold = () => {
    if (anyLogged.get() !== undefined) foldTx.immediate();
  };

  const timer = setInterval(() => {
    try {
      fold();
    } catch {
      // Left logged: see above.
    }
  }, FOLD_EVERY_MS);
  timer.unref();

  return {
    append(activities) {
      for (const a of activities) {
        insert.run(a.project, a.stage, a.service, a.eventType, JSON.stringify(a.ref), a.deployedImage ?? null);
      }
    },
    fold,
    stop() {
      clearInterval(timer);
    },
  };
}
