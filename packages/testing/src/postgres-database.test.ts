import { createServer } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TEST_POSTGRES_URL, createTestPostgresDatabase, testPostgresAdminUrl } from './postgres-database.js';

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('createTestPostgresDatabase', () => {
  it('uses SHIPMATE_TEST_POSTGRES_URL when set, else the local server', () => {
    expect(testPostgresAdminUrl({ SHIPMATE_TEST_POSTGRES_URL: 'postgres://u@db:5433/admin' })).toBe('postgres://u@db:5433/admin');
    expect(testPostgresAdminUrl({})).toBe(DEFAULT_TEST_POSTGRES_URL);
  });

  it('fails with how to start PostgreSQL when the server is not reachable', async () => {
    const adminUrl = `postgres://postgres:hunter2@127.0.0.1:${await closedPort()}/postgres`;
    const failure = createTestPostgresDatabase({ adminUrl });
    await expect(failure).rejects.toThrow(/not reachable .*ECONNREFUSED.*pg_ctlcluster.*SHIPMATE_TEST_POSTGRES_URL/);
    await expect(failure).rejects.toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
  });

  it('creates a database of its own and drops it', async () => {
    const first = await createTestPostgresDatabase();
    const second = await createTestPostgresDatabase();
    try {
      expect(first.name).toMatch(/^shipmate_test_[0-9a-f]{12}$/);
      expect(second.name).not.toBe(first.name);
      expect(new URL(first.url).pathname).toBe(`/${first.name}`);
    } finally {
      await first.drop();
      await second.drop();
    }
    await expect(first.drop()).resolves.toBeUndefined();
    const client = new pg.Client({ connectionString: first.url });
    await expect(client.connect()).rejects.toMatchObject({ code: '3D000' });
  });
});
