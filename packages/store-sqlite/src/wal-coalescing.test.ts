import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WAL_COALESCE_LIBRARY, enableWalCoalescing, walCoalescingCounters } from './wal-coalescing.js';

/**
 * The library is built by `npm run build` when a C compiler is there; CI requires it
 * (SHIPMATE_EXPECT_WAL_COALESCE=1 in .ci/run), elsewhere these tests are skipped without one.
 */
const built = existsSync(WAL_COALESCE_LIBRARY) || process.env.SHIPMATE_EXPECT_WAL_COALESCE === '1';
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipmate-wal-coalesce-'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function openWal(path: string, options: Database.Options = {}): Database.Database {
  const db = new Database(path, options);
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  return db;
}

/** A row of about 300 bytes, so that a transaction of a few rows writes several pages. */
const payload = (n: number): string => `${n}:${'x'.repeat(300)}`;

describe.skipIf(!built)('wal-coalesce (the SQLite extension that writes a transaction’s WAL frames together)', () => {
  it('is active in this build, and writes far fewer times than SQLite asks', () => {
    expect(enableWalCoalescing()).toEqual({ active: true, library: WAL_COALESCE_LIBRARY });
    const db = openWal(join(tempDir(), 'count.db'));
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL); CREATE INDEX t_body ON t (body)');
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
    const commit = db.transaction((from: number) => {
      for (let i = 0; i < 20; i++) insert.run(payload(from + i));
    });
    const before = walCoalescingCounters();
    for (let c = 0; c < 50; c++) commit(c * 20);
    const after = walCoalescingCounters();
    db.close();
    expect(before).toBeDefined();
    const asked = (after?.walWrites ?? 0) - (before?.walWrites ?? 0);
    const made = (after?.fileWrites ?? 0) - (before?.fileWrites ?? 0);
    // Each commit writes several frames (header and page: two writes each) and is written at once.
    expect(asked).toBeGreaterThanOrEqual(50 * 6);
    expect(made).toBeLessThanOrEqual(50 + 5);
  });

  it('has every commit in the file before another connection can see it', () => {
    enableWalCoalescing();
    const path = join(tempDir(), 'visible.db');
    const writer = openWal(path);
    writer.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const reader = openWal(path, { readonly: true });
    const insert = writer.prepare('INSERT INTO t (id, body) VALUES (?, ?)');
    const commit = writer.transaction((from: number) => {
      for (let i = from; i < from + 15; i++) insert.run(i, payload(i));
    });
    const count = reader.prepare('SELECT count(*) AS n, max(id) AS top, sum(length(body)) AS bytes FROM t');
    for (let c = 0; c < 200; c++) {
      commit(c * 15);
      const seen = count.get() as { n: number; top: number; bytes: number };
      expect(seen.n).toBe((c + 1) * 15);
      expect(seen.top).toBe((c + 1) * 15 - 1);
    }
    expect((reader.pragma('integrity_check') as Array<{ integrity_check: string }>)[0]?.integrity_check).toBe('ok');
    reader.close();
    writer.close();
  });

  it('keeps a transaction larger than its buffer, with pages spilled, rewritten and read back, and a rollback after it', () => {
    enableWalCoalescing();
    const path = join(tempDir(), 'large.db');
    const db = openWal(path);
    // A small page cache makes SQLite spill pages of the open transaction to the WAL and read them back.
    db.pragma('cache_size = 50');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL); CREATE INDEX t_body ON t (body)');
    const insert = db.prepare('INSERT INTO t (id, body) VALUES (?, ?)');
    const update = db.prepare("UPDATE t SET body = body || 'y' WHERE id % 7 = 0");
    db.transaction(() => {
      for (let i = 0; i < 20_000; i++) insert.run(i, payload(i));
      update.run();
    })();
    const failed = db.transaction(() => {
      for (let i = 20_000; i < 30_000; i++) insert.run(i, payload(i));
      throw new Error('roll back');
    });
    expect(() => failed()).toThrow('roll back');
    db.transaction(() => {
      for (let i = 30_000; i < 30_100; i++) insert.run(i, payload(i));
    })();
    db.close();

    const check = openWal(path, { readonly: true });
    expect((check.pragma('integrity_check') as Array<{ integrity_check: string }>)[0]?.integrity_check).toBe('ok');
    const summary = check
      .prepare("SELECT count(*) AS n, sum(id >= 20000 AND id < 30000) AS rolledBack, sum(body LIKE '%y') AS updated FROM t")
      .get() as { n: number; rolledBack: number; updated: number };
    expect(summary).toEqual({ n: 20_100, rolledBack: 0, updated: Math.ceil(20_000 / 7) });
    check.close();
  });

  it('loses no committed transaction when the process is killed with SIGKILL while writing', async () => {
    const path = join(tempDir(), 'killed.db');
    // The child commits transactions of several pages and prints each id once its commit returned.
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `
        import Database from 'better-sqlite3';
        const db = new Database(':memory:'); db.loadExtension(${JSON.stringify(WAL_COALESCE_LIBRARY)}); db.close();
        const file = new Database(${JSON.stringify(path)});
        file.pragma('journal_mode = WAL'); file.pragma('synchronous = NORMAL');
        file.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
        const insert = file.prepare('INSERT INTO t (id, body) VALUES (?, ?)');
        const commit = file.transaction((id) => { for (let i = 0; i < 10; i++) insert.run(id * 10 + i, 'x'.repeat(500)); });
        for (let id = 0; ; id++) { commit(id); process.stdout.write(id + '\\n'); }
        `,
      ],
      { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the child committed nothing in 10 s: ${errors}`)), 10_000);
      child.stdout.on('data', () => {
        if (output.split('\n').length > 300) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const acknowledged = output
      .split('\n')
      .filter((line) => /^\d+$/.test(line))
      .map(Number);
    // Ids come in order from 0: the last one printed says how many transactions were committed.
    expect(acknowledged.length).toBeGreaterThanOrEqual(300);
    const last = acknowledged.at(-1) ?? -1;
    expect(last).toBe(acknowledged.length - 1);

    const check = openWal(path, { readonly: true });
    expect((check.pragma('integrity_check') as Array<{ integrity_check: string }>)[0]?.integrity_check).toBe('ok');
    const rows = check.prepare('SELECT count(*) AS n FROM t WHERE id < ?').get((last + 1) * 10) as { n: number };
    check.close();
    expect(rows.n).toBe((last + 1) * 10);
  });

  it('is left out with SHIPMATE_SQLITE_WAL_COALESCE=off, and says so', () => {
    const result = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { enableWalCoalescing } from './dist/wal-coalescing.js'; process.stdout.write(JSON.stringify(enableWalCoalescing()));",
      ],
      { cwd: join(import.meta.dirname, '..'), env: { ...process.env, SHIPMATE_SQLITE_WAL_COALESCE: 'off' }, encoding: 'utf8' },
    );
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ active: false, reason: 'SHIPMATE_SQLITE_WAL_COALESCE=off' });
  });
});
