/**
 * Moves SQLite's WAL checkpoints off the event loop. With `wal_autocheckpoint` on, a commit that
 * crosses ~1000 WAL pages runs the checkpoint itself, and its fsync (tens of ms on a disk) stalls
 * the server's only thread. Here the main connection turns autocheckpoint off and a worker thread
 * with its own connection to the same file runs `wal_checkpoint(PASSIVE)` every `intervalMs` when the WAL
 * file was written since its last look
 * (PASSIVE never blocks the writer), and `TRUNCATE` when it stops. Durability is unchanged: commits
 * still go to the WAL before they return; only the copy into the database file moves.
 * If the worker fails, the main connection turns autocheckpoint back on, so the WAL stays bounded.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** A running checkpointer. */
export interface WalCheckpointer {
  /** Runs a last TRUNCATE checkpoint and ends the worker (the main connection closes after). */
  stop(): Promise<void>;
}

/** Plain CommonJS so it runs the same from the TypeScript sources (tests) and from dist. */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.path, { timeout: workerData.busyTimeoutMs });
const { statSync } = require('node:fs');
let lastWrite = -1;
const timer = setInterval(() => {
  // Only when something was committed since the last look (a checkpoint does not write the WAL).
  let written;
  try { written = statSync(workerData.path + '-wal').mtimeMs; } catch { return; }
  if (written === lastWrite) return;
  lastWrite = written;
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage({ error: String(error) }); }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(TRUNCATE)'); } catch {}
  db.close();
  parentPort.postMessage({ stopped: true });
});
`;

/** Starts checkpointing `path` (a file, not `:memory:`) for the main connection `db`. */
export function startWalCheckpointer(
  db: Database.Database,
  path: string,
  options: { intervalMs?: number; busyTimeoutMs: number },
): WalCheckpointer {
  const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driverPath, path, intervalMs: options.intervalMs ?? 250, busyTimeoutMs: options.busyTimeoutMs },
  });
  worker.unref();
  db.pragma('wal_autocheckpoint = 0');
  let failed = false;
  const fallBack = () => {
    if (failed || !db.open) return;
    failed = true;
    db.pragma('wal_autocheckpoint = 1000');
  };
  worker.on('error', fallBack);
  worker.on('message', (message: { error?: string }) => {
    if (message.error !== undefined) fallBack();
  });
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      return (stopped ??= new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => void worker.terminate().then(done, done), 5_000);
        worker.once('exit', done);
        worker.on('message', (message: { stopped?: boolean }) => {
          if (message.stopped) void worker.terminate().then(done, done);
        });
        worker.postMessage('stop');
      }));
    },
  };
}
