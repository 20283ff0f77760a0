/**
 * The data dir of real `shipmate server` processes: private modes, and one server at a time
 * (a second one exits 2 naming the first; after kill -9 of the first a new one starts).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exitOf, freePort, spawnShipmate, startServerProcess } from '@shipmate/testing';
import type { ServerProcess, ShipmateProcess } from '@shipmate/testing';

const started: ShipmateProcess[] = [];
const dataDirs = new Set<string>();
afterEach(async () => {
  for (const process of started.splice(0)) await process.kill();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  dataDirs.clear();
});

const modeOf = (path: string) => statSync(path).mode & 0o777;

async function start(dataDir?: string): Promise<ServerProcess> {
  const server = await startServerProcess(dataDir === undefined ? {} : { dataDir });
  started.push(server);
  dataDirs.add(server.dataDir);
  return server;
}

describe('data dir of shipmate server', () => {
  it('creates the data dir 0700 and the store files 0600', async () => {
    // A data dir the server creates itself (mkdtemp's own dir would be 0700 already).
    const parent = mkdtempSync(join(tmpdir(), 'shipmate-e2e-'));
    dataDirs.add(parent);
    const dataDir = join(parent, 'data');
    await start(dataDir);
    expect(modeOf(dataDir)).toBe(0o700);
    for (const file of ['shipmate.db', 'shipmate.db-wal', 'shipmate.db-shm', 'server.lock', 'server.lock.json']) {
      expect({ file, mode: modeOf(join(dataDir, file)) }).toEqual({ file, mode: 0o600 });
    }
    // The git repositories are reached only through the 0700 data dir.
    expect(statSync(join(dataDir, 'git')).isDirectory()).toBe(true);
  });

  it('refuses a second server on the same data dir (exit 2, naming the first), and starts one after kill -9 of the first', async () => {
    const first = await start();
    const second = spawnShipmate(['server', '--host', '127.0.0.1', '--port', String(await freePort()), '--data-dir', first.dataDir], {
      SHIPMATE_API_TOKEN: first.token,
      SHIPMATE_LOG_LEVEL: 'warn',
    });
    started.push(second);
    expect(await exitOf(second, 20_000)).toBe(2);
    expect(second.output()).toContain(`data dir '${first.dataDir}' is in use by another Shipmate server (pid ${first.child.pid} on host `);
    expect(second.output()).toMatch(/, started \d{4}-\d\d-\d\dT[\d:.]+Z\); stop that server first/);
    // The first one still serves.
    expect((await fetch(`${first.url}/health`)).ok).toBe(true);

    await first.kill();
    const third = await start(first.dataDir);
    expect((await fetch(`${third.url}/health`)).ok).toBe(true);
  });
});
