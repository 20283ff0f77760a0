import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, UnavailableError } from '@shipmate/core';
import { takeFileLock } from './file-lock.js';

const BUILT_LOCK = fileURLToPath(new URL('../dist/file-lock.js', import.meta.url));

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function lockPath(): string {
  dir = mkdtempSync(join(tmpdir(), 'shipmate-file-lock-'));
  return join(dir, 'locks', 'shop.lock');
}

const holderOf = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { pid: number; host: string; token: string };

/** A separate process that takes the lock at `path`, says so and then waits to be killed. */
async function holdInAnotherProcess(path: string): Promise<{ pid: number; kill: () => Promise<void> }> {
  if (!existsSync(BUILT_LOCK)) throw new Error(`${BUILT_LOCK} is missing: run 'npx tsc -b' before this test`);
  const script = `
    const { takeFileLock } = await import(${JSON.stringify(pathToFileURL(BUILT_LOCK).href)});
    await takeFileLock(${JSON.stringify(path)}, 'a test lock', { timeoutMs: 5000, staleMs: 60000 });
    process.stdout.write('held\\n');
    setInterval(() => undefined, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve());
    child.on('exit', (code) => reject(new Error(`the holder exited with ${code} before taking the lock`)));
  });
  return {
    pid: child.pid!,
    kill: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.on('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

describe('lock file between processes', () => {
  it('takes over at once the lock of a process that was killed on this host', async () => {
    const path = lockPath();
    const holder = await holdInAnotherProcess(path);
    expect(holderOf(path).pid).toBe(holder.pid);
    await holder.kill();
    const started = Date.now();
    const lock = await takeFileLock(path, 'the write lock of project shop', { timeoutMs: 5000, staleMs: 60_000 });
    // Not after staleMs (60 s): a dead pid on this host is stale at once.
    expect(Date.now() - started).toBeLessThan(2000);
    expect(holderOf(path).token).toBe(lock.holder.token);
    await lock.release();
    expect(existsSync(path)).toBe(false);
  });

  it('refuses a lock held by a live process after the timeout, naming the file and the holder', async () => {
    const path = lockPath();
    const holder = await holdInAnotherProcess(path);
    try {
      const taking = takeFileLock(path, 'the write lock of project shop', { timeoutMs: 300, staleMs: 60_000 });
      await expect(taking).rejects.toBeInstanceOf(UnavailableError);
      await expect(taking).rejects.toMatchObject({ code: ErrorCode.configLocked });
      await expect(taking).rejects.toThrow(
        `could not take the write lock of project shop within 300 ms: the lock file '${path}' is held by pid ${holder.pid} on host `,
      );
      await expect(taking).rejects.toThrow(/delete that file/);
    } finally {
      await holder.kill();
    }
  });

  it('takes over a lock from another host once it has not been refreshed for the stale age', async () => {
    const path = lockPath();
    const other = await takeFileLock(path, 'a test lock', { timeoutMs: 1000, staleMs: 60_000, host: 'another-host', pid: 1 });
    await other.release();
    // Written by a holder on another host (its pid means nothing here), last refreshed a minute ago.
    writeFileSync(path, JSON.stringify({ pid: 1, host: 'another-host', since: new Date().toISOString(), token: 'theirs' }));
    await expect(takeFileLock(path, 'a test lock', { timeoutMs: 200, staleMs: 30_000 })).rejects.toBeInstanceOf(UnavailableError);
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(path, minuteAgo, minuteAgo);
    const lock = await takeFileLock(path, 'a test lock', { timeoutMs: 200, staleMs: 30_000 });
    expect(holderOf(path).token).toBe(lock.holder.token);
    await lock.release();
  });

  it('keeps a held lock fresh, so it is not taken over while its holder works', async () => {
    const path = lockPath();
    const held = await takeFileLock(path, 'a test lock', { timeoutMs: 1000, staleMs: 150, host: 'another-host' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await expect(takeFileLock(path, 'a test lock', { timeoutMs: 100, staleMs: 150 })).rejects.toBeInstanceOf(UnavailableError);
    await held.release();
    const next = await takeFileLock(path, 'a test lock', { timeoutMs: 100, staleMs: 150 });
    await next.release();
  });

  it('does not remove a lock that is no longer its own on release', async () => {
    const path = lockPath();
    const first = await takeFileLock(path, 'a test lock', { timeoutMs: 1000, staleMs: 60_000 });
    writeFileSync(path, JSON.stringify({ pid: process.pid, host: 'another-host', since: new Date().toISOString(), token: 'someone-else' }));
    await first.release();
    expect(holderOf(path).token).toBe('someone-else');
  });
});
