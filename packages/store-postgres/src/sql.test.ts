import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestPostgresDatabase } from '@shipmate/testing';
import type { TestPostgresDatabase } from '@shipmate/testing';
import { inTransactionWith, inlineStatement, sqlLiteral } from './sql.js';

describe('sqlLiteral and inlineStatement', () => {
  it('writes each kind of value, and refuses what has no literal', () => {
    expect(sqlLiteral(null)).toBe('NULL');
    expect(sqlLiteral(undefined)).toBe('NULL');
    expect(sqlLiteral(true)).toBe('TRUE');
    expect(sqlLiteral(42)).toBe('42');
    expect(sqlLiteral("it's")).toBe("'it''s'");
    expect(sqlLiteral(['a', null])).toBe("ARRAY['a', NULL]");
    expect(sqlLiteral([])).toBe('ARRAY[]');
    expect(() => sqlLiteral(Number.NaN)).toThrow(/SQL literal/);
    expect(() => sqlLiteral({ a: 1 })).toThrow(/SQL literal/);
  });

  it('replaces every placeholder once, leaving `$n` inside values alone, and names a missing value', () => {
    expect(inlineStatement('SELECT $1, $2, $1', ['$2', 7])).toBe("SELECT '$2', 7, '$2'");
    expect(() => inlineStatement('SELECT $3', [1])).toThrow(/\$3 but has 1 values/);
  });

  describe('against PostgreSQL', () => {
    let database: TestPostgresDatabase;
    let client: pg.Client;

    beforeAll(async () => {
      database = await createTestPostgresDatabase();
      client = new pg.Client({ connectionString: database.url });
      await client.connect();
    });
    afterAll(async () => {
      await client?.end();
      await database?.drop();
    });

    it('round-trips strings that break naive quoting, and typed arrays, empty ones included', async () => {
      const nasty = [
        "'; DROP TABLE x; --",
        "back\\slash \\' quote",
        'line\nbreak',
        'unicode ✓ 𝄞',
        '{"json": "\\u0000 and \\"quotes\\""}',
        '$1',
      ];
      const text = inlineStatement('SELECT $1::text[] AS texts, $2::boolean[] AS flags, $3::text[] AS none, $4::bigint AS n', [
        nasty,
        [true, false],
        [],
        1733400000000,
      ]);
      const { rows } = await client.query<{ texts: string[]; flags: boolean[]; none: string[]; n: string }>(text);
      expect(rows[0]).toEqual({ texts: nasty, flags: [true, false], none: [], n: '1733400000000' });
    });
  });
});

describe('inTransactionWith', () => {
  let database: TestPostgresDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    database = await createTestPostgresDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 1 });
    await pool.query('CREATE TABLE t (n int PRIMARY KEY)');
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const rows = async () => (await pool.query<{ n: number }>('SELECT n FROM t ORDER BY n')).rows.map((row) => row.n);

  it("commits the statements and shows the check their results, one each, without BEGIN's", async () => {
    let counts: Array<number | null> = [];
    await inTransactionWith(
      pool,
      'INSERT INTO t VALUES (1), (2); UPDATE t SET n = n + 10 WHERE n = 2; DELETE FROM t WHERE n = 99',
      (results) => {
        counts = results.map((result) => result.rowCount);
      },
    );
    expect(counts).toEqual([2, 1, 0]);
    expect(await rows()).toEqual([1, 12]);
  });

  it('rolls back when the check throws, so the next query on the connection finds nothing of it', async () => {
    await expect(
      inTransactionWith(pool, 'INSERT INTO t VALUES (3)', () => {
        throw new Error('lost a race');
      }),
    ).rejects.toThrow('lost a race');
    expect(await rows()).toEqual([1, 12]);
  });

  it('rolls back the statements before one that fails', async () => {
    await expect(inTransactionWith(pool, 'INSERT INTO t VALUES (4); INSERT INTO t VALUES (1)', () => undefined)).rejects.toThrow(
      /duplicate key/,
    );
    expect(await rows()).toEqual([1, 12]);
    await inTransactionWith(pool, 'INSERT INTO t VALUES (5)', () => undefined);
    expect(await rows()).toEqual([1, 5, 12]);
  });
});
