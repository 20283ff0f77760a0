/**
 * A lock between processes that share a folder (several control-plane replicas on one volume): a
 * lock file created with `O_CREAT|O_EXCL` (`open(path, 'wx')`), which is atomic on local file
 * systems and on NFS v3+, the usual ReadWriteMany volumes. An in-process mutex cannot do this job:
 * each replica has its own.
 *
 * - The file holds who took it (pid, host, time, a random token) as JSON, so a refusal names the
 *   holder and a release removes only its own lock.
 * - While held, its mtime is refreshed every `staleMs / 3`. A lock is stale when its holder is a
 *   dead pid on this host (taken over at once), or when its mtime is older than `staleMs` (a holder
 *   on another host that died, or a pid reused by another program).
 * - A stale lock is taken over by renaming it aside (one rename wins) and judging the moved file
 *   again; a fresh lock moved by mistake (it replaced the stale one meanwhile) is linked back.
 * - A waiter polls (1 ms, doubling to 25 ms) until `timeoutMs`, then gets an `UnavailableError`
 *   (`ERR_CONFIG_LOCKED`) naming the lock file, its holder and what to do.
 *
 * Not a kernel lock: nothing releases it when a process dies except the stale rules above, which is
 * why the writes it guards also end with a compare-and-swap (`git update-ref <new> <old>`).
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { ErrorCode, UnavailableError } from '@shipmate/core';

/** Who holds a lock, as written in the lock file. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO 8601 time the lock was taken. */
  readonly since: string;
  readonly token: string;
}

/** Settings of {@link takeFileLock}. */
export interface FileLockOptions {
  /** Longest wait for the lock before the error. */
  readonly timeoutMs: number;
  /** Age of an unrefreshed lock file after which it counts as abandoned. */
  readonly staleMs: number;
  /** @default process.pid */
  readonly pid?: number;
  /** @default os.hostname() */
  readonly host?: string;
}

/** A lock this process holds. */
export interface HeldFileLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Removes the lock file if it is still this holder's (idempotent). */
  release(): Promise<void>;
}

const FIRST_POLL_MS = 1;
const LONGEST_POLL_MS = 25;

/**
 * Takes the lock at `path` (its folder is created), waiting up to `options.timeoutMs`.
 * `what` names the lock in the error, e.g. "the write lock of project 'shop'".
 */
export async function takeFileLock(path: string, what: string, options: FileLockOptions): Promise<HeldFileLock> {
  const holder: LockHolder = {
    pid: options.pid ?? process.pid,
    host: options.host ?? hostname(),
    since: new Date().toISOString(),
    token: randomUUID(),
  };
  const deadline = Date.now() + options.timeoutMs;
  await mkdir(dirname(path), { recursive: true });
  for (let pollMs = FIRST_POLL_MS; ; pollMs = Math.min(pollMs * 2, LONGEST_POLL_MS)) {
    if (await tryCreate(path, holder)) return held(path, holder, options.staleMs);
    const current = await readLock(path);
    if (current && isStale(current, holder.host, options.staleMs)) {
      await takeOver(path, holder.host, options.staleMs);
      continue;
    }
    if (Date.now() >= deadline) throw lockTimeout(path, what, options.timeoutMs, current?.holder);
    await sleep(Math.min(pollMs + Math.random() * pollMs, Math.max(0, deadline - Date.now())));
  }
}

/** Runs `work` while holding the lock at `path`. */
export async function withFileLock<T>(path: string, what: string, options: FileLockOptions, work: () => Promise<T>): Promise<T> {
  const lock = await takeFileLock(path, what, options);
  try {
    return await work();
  } finally {
    await lock.release();
  }
}

/** Creates the lock file with `holder` in it; false when it exists. */
async function tryCreate(path: string, holder: LockHolder): Promise<boolean> {
  let file;
  try {
    file = await open(path, 'wx', 0o600);
  } catch (error) {
    if (isCode(error, 'EEXIST')) return false;
    throw error;
  }
  try {
    await file.writeFile(`${JSON.stringify(holder)}\n`);
  } finally {
    await file.close();
  }
  return true;
}

/** A lock file as found: its holder (undefined while being written or unreadable) and mtime. */
interface FoundLock {
  readonly holder: LockHolder | undefined;
  readonly mtimeMs: number;
}

/** The lock file now, or undefined when it is gone. */
async function readLock(path: string): Promise<FoundLock | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { holder: parseHolder(text), mtimeMs: info.mtimeMs };
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string' || typeof parsed.since !== 'string') return undefined;
    if (typeof parsed.token !== 'string') return undefined;
    return { pid: parsed.pid, host: parsed.host, since: parsed.since, token: parsed.token };
  } catch {
    return undefined;
  }
}

function isStale(found: FoundLock, host: string, staleMs: number): boolean {
  if (Date.now() - found.mtimeMs > staleMs) return true;
  return found.holder !== undefined && found.holder.host === host && !isAlive(found.holder.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return !isCode(error, 'ESRCH');
  }
}

/**
 * Removes a stale lock: renamed aside (of several takers, one rename wins), then judged again and
 * removed if still stale, else linked back (a fresh lock replaced the stale one meanwhile).
 */
async function takeOver(path: string, host: string, staleMs: number): Promise<void> {
  const aside = `${path}.stale-${randomUUID()}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return; // another waiter took it over first
    throw error;
  }
  const moved = await readLock(aside);
  if (moved && !isStale(moved, host, staleMs)) {
    await link(aside, path).catch((error: unknown) => {
      if (!isCode(error, 'EEXIST')) throw error;
    });
  }
  await unlink(aside).catch(() => undefined);
}

function held(path: string, holder: LockHolder, staleMs: number): HeldFileLock {
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      void utimes(path, now, now).catch(() => undefined);
    },
    Math.max(1, Math.floor(staleMs / 3)),
  );
  heartbeat.unref();
  let released = false;
  return {
    path,
    holder,
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      const current = await readLock(path);
      if (current?.holder?.token === holder.token) await unlink(path).catch(() => undefined);
    },
  };
}

function lockTimeout(path: string, what: string, timeoutMs: number, holder: LockHolder | undefined): UnavailableError {
  const who = holder ? `pid ${holder.pid} on host ${holder.host} since ${holder.since}` : 'a process that has not written its name yet';
  return new UnavailableError(
    ErrorCode.configLocked,
    `could not take ${what} within ${timeoutMs} ms: the lock file '${path}' is held by ${who}; retry the request, ` +
      `and if no such process runs, delete that file (it is also taken over once its holder stops refreshing it)`,
  );
}

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
