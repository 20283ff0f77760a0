/**
 * One server per data dir: a kernel lock held for the life of the process.
 *
 * Two servers on one data dir both ran before this lock, each with its own orchestrator and WAL
 * checkpointer on the same SQLite file, and killing one lost acknowledged steps. Here the server
 * opens `<dir>/server.lock`, an empty SQLite database in rollback-journal mode, and begins a write
 * transaction (`BEGIN IMMEDIATE`) that it never ends. SQLite takes that RESERVED lock with a POSIX
 * `fcntl` lock on the file, which the kernel drops when the process ends in any way, kill -9
 * included, so a stale lock cannot block the next start. A second process (or a second connection
 * in the same process: SQLite tracks its own locks per inode) gets SQLITE_BUSY at once. Nothing is
 * ever written through the lock connection, so there is no journal to recover after a crash.
 *
 * Who holds it is written after the lock is taken to `<dir>/server.lock.json` (pid, host, start
 * time), so a refused start can name the other process. That file is a hint, not the lock: it is
 * left behind by a killed holder and rewritten by the next one.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ConflictError, ErrorCode } from '@shipmate/core';
import { createPrivateFile } from './private-file.js';

/** The file whose lock is held. */
export const DATA_DIR_LOCK_FILE = 'server.lock';
/** The file that tells who holds the lock. */
export const DATA_DIR_LOCK_INFO_FILE = 'server.lock.json';

/** Who holds a data dir's lock, as recorded in {@link DATA_DIR_LOCK_INFO_FILE}. */
export interface DataDirLockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO 8601 time the holder took the lock. */
  readonly startedAt: string;
}

/** A held data dir lock. */
export interface DataDirLock {
  /** The data dir. */
  readonly dir: string;
  /** What this process recorded about itself. */
  readonly holder: DataDirLockHolder;
  /** Releases the lock (idempotent); the process's end releases it too. */
  release(): void;
}

/** Options of {@link lockDataDir}. */
export interface LockDataDirOptions {
  /** @default process.pid */
  pid?: number;
  /** @default os.hostname() */
  host?: string;
  /** @default () => new Date() */
  now?: () => Date;
}

/**
 * Takes the lock of `dir` (which must exist) for this process, or throws `ERR_DATA_DIR_LOCKED`
 * naming the process that holds it.
 */
export function lockDataDir(dir: string, options: LockDataDirOptions = {}): DataDirLock {
  const file = join(dir, DATA_DIR_LOCK_FILE);
  // Created 0600 before SQLite opens it, so its mode does not depend on the umask.
  createPrivateFile(file);
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma('journal_mode = DELETE');
    db.exec('BEGIN IMMEDIATE');
  } catch (error) {
    db.close();
    if (error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY')) throw lockedError(dir);
    throw error;
  }
  const holder: DataDirLockHolder = Object.freeze({
    pid: options.pid ?? process.pid,
    host: options.host ?? hostname(),
    startedAt: (options.now ?? (() => new Date()))().toISOString(),
  });
  const info = join(dir, DATA_DIR_LOCK_INFO_FILE);
  writeFileSync(`${info}.tmp`, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
  renameSync(`${info}.tmp`, info);
  return {
    dir,
    holder,
    release() {
      if (db.open) db.close();
    },
  };
}

/** What the info file says about the holder, or undefined when it is missing or unreadable. */
export function readDataDirLockHolder(dir: string): DataDirLockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, DATA_DIR_LOCK_INFO_FILE), 'utf8')) as Partial<DataDirLockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string' || typeof parsed.startedAt !== 'string') return undefined;
    return { pid: parsed.pid, host: parsed.host, startedAt: parsed.startedAt };
  } catch {
    return undefined;
  }
}

function lockedError(dir: string): ConflictError {
  const holder = readDataDirLockHolder(dir);
  const who = holder
    ? `pid ${holder.pid} on host ${holder.host}, started ${holder.startedAt}`
    : `it has not recorded itself in ${join(dir, DATA_DIR_LOCK_INFO_FILE)} yet`;
  return new ConflictError(
    ErrorCode.dataDirLocked,
    `data dir '${dir}' is in use by another Shipmate server (${who}); stop that server first, or give this one another data dir (--data-dir or SHIPMATE_DATA_DIR)`,
  );
}
