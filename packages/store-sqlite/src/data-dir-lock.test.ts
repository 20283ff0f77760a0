/** The data dir lock: one holder at a time, named in the refusal, gone with its process. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '@shipmate/core';
import { waitFor } from '@shipmate/testing';
import { DATA_DIR_LOCK_FILE, lockDataDir, readDataDirLockHolder } from './data-dir-lock.js';
import type { DataDirLock } from './data-dir-lock.js';

let dir: string | undefined;
const held: DataDirLock[] = [];
afterEach(async () => {
  for (const lock of held.splice(0)) lock.release();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function freshDir(): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'shipmate-lock-'));
  return dir;
}

describe('lockDataDir', () => {
  it('refuses a second holder, naming the first one and the data dir', async () => {
    const d = await freshDir();
    const now = () => new Date('2026-12-01T10:00:00.000Z');
    held.push(lockDataDir(d, { pid: 4242, host: 'box-1', now }));
    expect(readDataDirLockHolder(d)).toEqual({ pid: 4242, host: 'box-1', startedAt: '2026-12-01T10:00:00.000Z' });
    expect(() => lockDataDir(d)).toThrow(
      expect.objectContaining({
        code: ErrorCode.dataDirLocked,
        message: expect.stringMatching(
          /data dir '.*shipmate-lock-.*' is in use by another Shipmate server \(pid 4242 on host box-1, started 2026-12-01T10:00:00.000Z\); stop that server first/,
        ),
      }),
    );
  });

  it('can be taken again once released, and records the new holder', async () => {
    const d = await freshDir();
    const first = lockDataDir(d, { pid: 1 });
    first.release();
    first.release();
    held.push(lockDataDir(d, { pid: 2 }));
    expect(readDataDirLockHolder(d)?.pid).toBe(2);
  });

  it('creates the lock and info files with mode 0600', async () => {
    const d = await freshDir();
    held.push(lockDataDir(d));
    expect((await stat(join(d, DATA_DIR_LOCK_FILE))).mode & 0o777).toBe(0o600);
    expect((await stat(join(d, 'server.lock.json'))).mode & 0o777).toBe(0o600);
  });

  it('is free again after its holder process was killed with SIGKILL', async () => {
    const d = await freshDir();
    // Another process takes the lock the same way and keeps it until it is killed.
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const script = `
      const Database = require(${JSON.stringify(driver)});
      const db = new Database(${JSON.stringify(join(d, DATA_DIR_LOCK_FILE))}, { timeout: 0 });
      db.exec('BEGIN IMMEDIATE');
      process.stdout.write('locked\\n');
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await waitFor('the child to hold the lock', async () => (out.includes('locked') ? true : undefined), 10_000, 20);
    expect(() => lockDataDir(d)).toThrow(expect.objectContaining({ code: ErrorCode.dataDirLocked }));
    child.kill('SIGKILL');
    await exited;
    held.push(lockDataDir(d));
  });
});
