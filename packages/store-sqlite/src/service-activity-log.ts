/**
 * Service activity (each service row's `lastEventTypes` and deployed image), written behind.
 *
 * Every step of a sequence notes activity for its service, and with many sequences in flight one
 * commit notes it for many services. Updating the rows in the commit rewrote one 4 KiB page per
 * one or two services (a row holds its whole `last_event_types` document, 1.5 KB with a
 * three-task sequence): in bench (a), with 50 services in flight, 19 of the 118 pages a commit
 * wrote were `services` pages (counted from the WAL's frame headers, pages named with `dbstat`).
 *
 * So a commit appends its activity to `service_activity_batches` instead: one row per commit at
 * the table's right edge, its notes as one JSON array (migration 9; until then one row per note,
 * whose inserts, about nine per three-task sequence, cost 3–4 % of the server's main thread in
 * bench (a), against one insert per commit now). {@link ServiceActivityLog.fold} applies
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

interface BatchRow {
  seq: number;
  notes: string;
}

/** A note as a batch stores it: a tuple, so the keys are not repeated in every note. */
type StoredNote = [
  project: string,
  stage: string,
  service: string,
  eventType: string,
  ref: ServiceActivity['ref'],
  deployedImage: string | null,
];

function stored(a: ServiceActivity): StoredNote {
  return [a.project, a.stage, a.service, a.eventType, a.ref, a.deployedImage ?? null];
}

function noteOf([project, stage, service, eventType, ref, deployedImage]: StoredNote): ServiceActivity {
  return { project, stage, service, eventType, ref, ...(deployedImage !== null ? { deployedImage } : {}) };
}

/**
 * Starts the log on `db` (migration 9 made the table). A periodic fold that fails (the disk full)
 * rolls back and leaves the notes logged; the next read of services folds again and its caller
 * gets the error, as for any failed read.
 */
export function createServiceActivityLog(db: Database.Database): ServiceActivityLog {
  const insert = db.prepare('INSERT INTO service_activity_batches (notes) VALUES (?)');
  const logged = db.prepare('SELECT seq, notes FROM service_activity_batches ORDER BY seq');
  const applied = db.prepare('DELETE FROM service_activity_batches WHERE seq <= ?');
  // Merge patches (service-activity.ts): the nulls remove the old entries whole, the second patch writes the new ones.
  const update = db.prepare(
    `UPDATE services SET
       last_event_types = json_patch(json_patch(last_event_types, ?), ?),
       deployed_image = coalesce(?, deployed_image)
     WHERE project = ? AND stage = ? AND name = ?`,
  );
  const anyLogged = db.prepare('SELECT 1 FROM service_activity_batches LIMIT 1').pluck();

  const foldTx = db.transaction(() => {
    const rows = logged.all() as BatchRow[];
    if (rows.length === 0) return;
    const notes = rows.flatMap((row) => (JSON.parse(row.notes) as StoredNote[]).map(noteOf));
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
      if (activities.length > 0) insert.run(JSON.stringify(activities.map(stored)));
    },
    fold,
    stop() {
      clearInterval(timer);
    },
  };
}
