/** The WAL checkpoint worker: checkpoints happen beside the main connection, not after every write, and close ends it. */
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureEvent, waitFor } from '@shipmate/testing';
import Database from 'better-sqlite3';
import { createSqliteStore } from './sqlite-store.js';
import { startWalCheckpointer } from './wal-checkpointer.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('WAL checkpoints in a worker thread', () => {
  it('copies committed pages into the database file without a commit doing it, and truncates the WAL on close', async () => {
    dir = await mkdtemp(join(tmpdir(), 'shipmate-wal-'));
    const path = join(dir, 'shipmate.db');
    // The worker checkpoints at a quarter of the ceiling (1 MiB here), the main connection at half (2 MiB).
    const store = createSqliteStore({ path, walMaxBytes: 4 * 1024 * 1024 });
    const before = (await stat(path)).size;
    // About 1.4 MiB of WAL (346 frames of 4,120 bytes, none copied by the commit): past the worker's mark, under
    // the main connection's, so only the worker copies them.
    const events = Array.from({ length: 200 }, () =>
      fixtureEvent({ data: { project: 'p', stage: 'dev', service: 's', pad: 'x'.repeat(5000) } }),
    );
    await store.appendEvents(events, { pending: false });
    await waitFor(
      'the worker to checkpoint into the database file',
      async () => ((await stat(path)).size > before + 500_000 ? true : undefined),
      5_000,
      50,
    );
    await store.close();
    const wal = await stat(`${path}-wal`).catch(() => undefined);
    expect(wal === undefined || wal.size === 0).toBe(true);
    // The data is all there for a new connection.
    const reopened = createSqliteStore({ path });
    expect((await reopened.queryEvents({ project: 'p', offset: 0, limit: 0 })).totalCount).toBe(200);
    await reopened.close();
  });
});

describe('WAL restarts under a trickle of commits', () => {
  /** The WAL header's first salt, which SQLite changes each time the WAL starts over. */
  async function walSalt(path: string): Promise<string> {
    const handle = await open(`${path}-wal`, 'r');
    try {
      const header = Buffer.alloc(32);
      await handle.read(header, 0, 32, 0);
      return header.subarray(16, 20).toString('hex');
    } finally {
      await handle.close();
    }
  }

  it('does not start the WAL over (an fsync on the writing thread each time) after every interval', async () => {
    dir = await mkdtemp(join(tmpdir(), 'shipmate-wal-'));
    const path = join(dir, 'shipmate.db');
    const store = createSqliteStore({ path });
    const salts = new Set<string>();
    // 40 small commits over 2 s: 8 intervals of the worker, each of which used to copy every frame,
    // so that the next commit started the WAL over (5-8 salts here before).
    for (let i = 0; i < 40; i++) {
      await store.appendEvents([fixtureEvent({ data: { project: 'p', stage: 'dev', service: 's' } })], { pending: false });
      salts.add(await walSalt(path));
      await sleep(50);
    }
    expect(salts.size).toBe(1);
    expect((await store.queryEvents({ project: 'p', offset: 0, limit: 0 })).totalCount).toBe(40);
    await store.close();
  });

  it('still copies a small WAL into the database file once maxAgeMs has passed', async () => {
    dir = await mkdtemp(join(tmpdir(), 'shipmate-wal-'));
    const path = join(dir, 'plain.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x TEXT)');
    const checkpointer = startWalCheckpointer(db, path, {
      busyTimeoutMs: 1000,
      walMaxBytes: 64 * 1024 * 1024,
      intervalMs: 50,
      maxAgeMs: 300,
    });
    try {
      const before = (await stat(path)).size;
      db.prepare('INSERT INTO t VALUES (?)').run('y'.repeat(20_000));
      await waitFor(
        'the worker to checkpoint the small WAL',
        async () => ((await stat(path)).size > before + 10_000 ? true : undefined),
        5_000,
        50,
      );
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });
});

describe('WAL ceiling under a sustained write load', () => {
  it('keeps the WAL file within a small multiple of walMaxBytes while commits follow each other without pause', async () => {
    dir = await mkdtemp(join(tmpdir(), 'shipmate-wal-'));
    const path = join(dir, 'shipmate.db');
    const walMaxBytes = 4 * 1024 * 1024;
    // The main connection checkpoints at half the ceiling, but not while a PASSIVE of the worker
    // holds the checkpoint lock; what this writer (50-100 MB/s) appends meanwhile can pass the
    // ceiling when the OS deschedules the worker on a loaded machine (4.7 MB at most in 8 runs at
    // load 7 on 2 cores; 9.5 MB once with four other test runs on the 2 cores). The server writes
    // far slower relative to its 64 MiB default. The bound still fails the unbounded WAL of before
    // (57-110 MB for the same writes).
    const slackBytes = 2 * walMaxBytes;
    const store = createSqliteStore({ path, walMaxBytes });
    const batches = 1000;
    let maxWalBytes = 0;
    // 1000 commits of 10 events of ~4 KB: ~40 MiB through the WAL, 10 times the ceiling. Before the
    // ceiling the WAL grew to 57-110 MB here, because the worker's PASSIVE never caught up.
    for (let batch = 0; batch < batches; batch++) {
      const events = Array.from({ length: 10 }, () =>
        fixtureEvent({ data: { project: 'p', stage: 'dev', service: 's', pad: 'x'.repeat(4000) } }),
      );
      await store.appendEvents(events, { pending: false });
      const wal = await stat(`${path}-wal`).catch(() => undefined);
      maxWalBytes = Math.max(maxWalBytes, wal?.size ?? 0);
    }
    expect(maxWalBytes).toBeGreaterThan(0);
    expect(maxWalBytes).toBeLessThanOrEqual(walMaxBytes + slackBytes);
    expect((await store.queryEvents({ project: 'p', offset: 0, limit: 0 })).totalCount).toBe(batches * 10);
    await store.close();
  });
});
