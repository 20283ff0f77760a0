import { createServer } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { testPostgresAdminUrl } from '@shipmate/testing/postgres-database';
import { vacuumAnalyzeDatabase, postgresUnreachableReason, redactedUrl, withBenchDatabase } from './bench-postgres.js';

/** A port on 127.0.0.1 that nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function databaseExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: testPostgresAdminUrl() });
  await client.connect();
  try {
    return (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await client.end();
  }
}

describe('the PostgreSQL server of p1–p6', () => {
  it('answers: no reason to skip', async () => {
    expect(await postgresUnreachableReason(testPostgresAdminUrl())).toBeUndefined();
  });

  it('does not answer on a closed port: the reason says why', async () => {
    const reason = await postgresUnreachableReason(`postgres://postgres@127.0.0.1:${await closedPort()}/postgres`);
    expect(reason).toMatch(/ECONNREFUSED/);
  });

  it('gives each scenario a database of its own and drops it, also when the scenario fails', async () => {
    let name = '';
    await withBenchDatabase(testPostgresAdminUrl(), async (database) => {
      name = database.name;
      expect(await databaseExists(name)).toBe(true);
    });
    expect(await databaseExists(name)).toBe(false);
    await expect(
      withBenchDatabase(testPostgresAdminUrl(), async (database) => {
        name = database.name;
        throw new Error('scenario failed');
      }),
    ).rejects.toThrow('scenario failed');
    expect(await databaseExists(name)).toBe(false);
  });

  it('vacuums and analyzes a database after a bulk load, so the planner knows its tables and their pages are all-visible', async () => {
    await withBenchDatabase(testPostgresAdminUrl(), async (database) => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query('CREATE TABLE loaded (n integer)');
        await client.query('INSERT INTO loaded SELECT g FROM generate_series(1, 1000) g');
        const stats = async () =>
          (
            await client.query<{ analyzed: Date | null; vacuumed: Date | null; allVisible: number }>(
              `SELECT s.last_analyze AS analyzed, s.last_vacuum AS vacuumed, c.relallvisible AS "allVisible"
               FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.relname = 'loaded'`,
            )
          ).rows[0];
        expect(await stats()).toMatchObject({ analyzed: null, vacuumed: null, allVisible: 0 });
        await vacuumAnalyzeDatabase(database.url);
        const after = await stats();
        expect(after?.analyzed).toBeInstanceOf(Date);
        expect(after?.vacuumed).toBeInstanceOf(Date);
        expect(after?.allVisible).toBeGreaterThan(0);
      } finally {
        await client.end();
      }
    });
  });

  it('shows URLs in the log without their password', () => {
    expect(redactedUrl('postgres://bench:s3cret@db:5432/admin')).toBe('postgres://bench:***@db:5432/admin');
    expect(redactedUrl('postgres://postgres@127.0.0.1:5432/postgres')).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    expect(redactedUrl('not a url')).toBe('(unparseable URL)');
  });
});
