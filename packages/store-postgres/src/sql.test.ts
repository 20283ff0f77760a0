import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestPostgresDatabase } from '@shipmate/testing';
import type { TestPostgresDatabase } from '@shipmate/testing';
import { inlineStatement, sqlLiteral } from './sql.js';

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
