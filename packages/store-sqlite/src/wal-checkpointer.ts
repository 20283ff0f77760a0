/**
 * Moves SQLite's WAL checkpoints off the event loop as far as it can, and keeps the WAL file under
 * a ceiling (`walMaxBytes`).
 *
 * Off the event loop: with SQLite's default autocheckpoint, a commit that crosses 1000 WAL pages
 * (~4 MiB) runs the checkpoint itself, and its fsync (tens of ms on a disk) stalls the server's only
 * thread. Here a worker thread with its own connection to the same file runs
 * `wal_checkpoint(PASSIVE)` (which never blocks the writer) once the WAL is a quarter of the ceiling
 * long, or at least every `maxAgeMs` while it holds frames not copied yet.
 *
 * Not after every write: each checkpoint that copies every frame makes the next commit start the
 * WAL over, and SQLite fsyncs the new WAL header in that commit, on the event loop (a guard against
 * reordered writes after a restart; only synchronous=OFF skips it). Checkpointing every 250 ms, as
 * this worker did before, cost the server 3-4 of those fsyncs a second under any steady trickle of
 * commits: 43 in the 12 s of bench (c), 0.1-4.2 ms each on this machine's disk, each one a pause of
 * every request. Now a trickle restarts the WAL once per `maxAgeMs`, a heavy load once per quarter
 * ceiling written.
 *
 * Durability is unchanged: commits go to the WAL before they return (a crash of the process loses
 * nothing), and every `intervalMs` the worker fsyncs the WAL when it was written since its last
 * look, so that an OS crash or power loss loses at most that interval, as when every interval
 * checkpointed (the checkpoint's first step is that fsync).
 *
 * Bounded: a checkpoint copies the frames that were in the WAL when it began, but SQLite only
 * starts the WAL over from its beginning when a writer finds *every* frame copied. Under a sustained
 * load the main thread appends while the worker's PASSIVE runs, so that moment never comes and the
 * WAL grew without end (5.3 GB at ~550 sequences/s, about 250 KB per sequence, until a graceful
 * stop, when autocheckpoint was off on the main connection). So the main connection's
 * autocheckpoint is set to half of `walMaxBytes` instead of off: at light load the worker's PASSIVE
 * completes first and the WAL starts over without the main thread's help; when the worker falls
 * behind, the commit that takes the WAL past half the ceiling checkpoints on the event loop. There
 * it completes (no other writer runs meanwhile; most frames were already copied by the worker, so
 * the cost is the remainder and one fsync), and the next commit starts the WAL over.
 * `journal_size_limit` (also half the ceiling) then truncates the file back. The other half of
 * the ceiling is headroom for commits made while a checkpoint of the worker holds the checkpoint
 * lock (the main thread's attempt then returns busy, without waiting, and the next commit tries
 * again). So the ceiling holds as long as one checkpoint of the worker takes less time than the
 * server needs to write half the ceiling: about 230 ms for the 64 MiB default at ~550 sequences/s
 * (~137 MB/s of WAL); a worker descheduled longer than that on an overloaded machine lets the WAL
 * pass it by what is written meanwhile, and it is reset at the next commit after.
 *
 * Tried first and dropped: the worker forcing `wal_checkpoint(TRUNCATE)` once the file passed a
 * size. It must first take the writer's lock through busy_timeout, and SQLite's lock is not fair:
 * the busy handler polls with growing sleeps while the main thread takes the lock again between
 * back-to-back commits, so the writer kept appending between the worker's look and its checkpoint;
 * and the worker holds the checkpoint lock while it waits, which turns away any other checkpoint.
 * With a 1 MiB ceiling and commits back to back (as in wal-checkpointer.test.ts) the WAL still
 * reached 9-50 MB that way; with the main connection's autocheckpoint above it stayed under 2.7 MB.
 *
 * If the worker fails, the main connection goes back to SQLite's default autocheckpoint (1000
 * pages), which bounds the WAL on its own.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** A running checkpointer. */
export interface WalCheckpointer {
  /** Runs a last TRUNCATE checkpoint and ends the worker (the main connection closes after). */
  stop(): Promise<void>;
}

/**
 * Plain CommonJS so it runs the same from the TypeScript sources (tests) and from dist. Every
 * `intervalMs`: fsyncs the WAL when it was written since the last look; then, while some frames
 * are not copied yet, runs PASSIVE when the WAL is `checkpointBytes` long (again at every look
 * until one checkpoint copies every frame, which is what lets the next commit start the WAL over)
 * or when `maxAgeMs` passed since the last checkpoint. The WAL's length and the frames copied are
 * read from the WAL-index header in the -shm file (https://www.sqlite.org/walformat.html: two
 * 48-byte copies of the header, `mxFrame` at byte 16 of each, `nBackfill` at byte 96, in the
 * machine's byte order); when the two copies differ (a commit is writing them) the look checkpoints
 * as if the WAL were short.
 */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { closeSync, fsyncSync, openSync, readSync, statSync } = require('node:fs');
const { endianness } = require('node:os');
const Database = require(workerData.driverPath);
const db = new Database(workerData.path, { timeout: workerData.busyTimeoutMs });
const walPath = workerData.path + '-wal';
const shmPath = workerData.path + '-shm';
const littleEndian = endianness() === 'LE';
const header = Buffer.alloc(100);
let lastWrite = -1;
let lastCheckpointAt = Date.now();
// True after a look that found every frame copied; only a write (a new mtime) can change that.
let allCopied = false;

function withFile(path, use) {
  const fd = openSync(path, 'r');
  try { return use(fd); } finally { closeSync(fd); }
}

/** The WAL's length in frames and how many of them are copied; undefined when unknown this tick. */
function walFrames() {
  let read;
  try { read = withFile(shmPath, (fd) => readSync(fd, header, 0, header.length, 0)); } catch { return undefined; }
  if (read < header.length || header.compare(header, 48, 96, 0, 48) !== 0) return undefined;
  const read32 = (offset) => (littleEndian ? header.readUInt32LE(offset) : header.readUInt32BE(offset));
  return { length: read32(16), copied: read32(96) };
}

const timer = setInterval(() => {
  let written;
  try { written = statSync(walPath).mtimeMs; } catch { return; }
  try {
    if (written !== lastWrite) {
      lastWrite = written;
      allCopied = false;
      withFile(walPath, fsyncSync);
    }
    if (allCopied) return;
    const frames = walFrames();
    const pending = frames === undefined || frames.copied < frames.length;
    allCopied = !pending;
    // Long: until a checkpoint copies every frame, so that the next commit starts the WAL over.
    const long = frames !== undefined && frames.length * workerData.frameBytes >= workerData.checkpointBytes;
    const old = Date.now() - lastCheckpointAt >= workerData.maxAgeMs;
    if (!pending || (!long && !old)) return;
    lastCheckpointAt = Date.now();
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) { parentPort.postMessage({ error: String(error) }); }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(TRUNCATE)'); } catch {}
  db.close();
  parentPort.postMessage({ stopped: true });
});
`;

/** Options of {@link startWalCheckpointer}. */
export interface WalCheckpointerOptions {
  /** Busy timeout of the worker's connection. */
  busyTimeoutMs: number;
  /** Ceiling of the WAL file in bytes (see the file's comment for how it is kept). */
  walMaxBytes: number;
  /** How often the worker looks at the WAL (an fsync when it was written, a checkpoint when due). @default 250 */
  intervalMs?: number;
  /** Longest time between two checkpoints while the WAL holds frames not yet copied. @default 30000 */
  maxAgeMs?: number;
}

/** Size of a WAL frame's header; a frame is a page plus this. */
const WAL_FRAME_HEADER_BYTES = 24;
/** The worker checkpoints once the WAL is this share of the ceiling long (1/4). */
const CHECKPOINT_SHARE_OF_CEILING = 4;

/** Starts checkpointing `path` (a file, not `:memory:`) for the main connection `db`. */
export function startWalCheckpointer(db: Database.Database, path: string, options: WalCheckpointerOptions): WalCheckpointer {
  const halfCeiling = Math.floor(options.walMaxBytes / 2);
  const pageBytes = db.pragma('page_size', { simple: true }) as number;
  const frameBytes = pageBytes + WAL_FRAME_HEADER_BYTES;
  const autocheckpointPages = Math.max(1, Math.floor(halfCeiling / frameBytes));
  const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      driverPath,
      path,
      intervalMs: options.intervalMs ?? 250,
      maxAgeMs: options.maxAgeMs ?? 30_000,
      busyTimeoutMs: options.busyTimeoutMs,
      frameBytes,
      checkpointBytes: Math.floor(options.walMaxBytes / CHECKPOINT_SHARE_OF_CEILING),
    },
  });
  worker.unref();
  db.pragma(`wal_autocheckpoint = ${autocheckpointPages}`);
  db.pragma(`journal_size_limit = ${halfCeiling}`);
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
