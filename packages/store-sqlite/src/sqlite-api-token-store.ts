/**
 * The API token port on the store's SQLite connection (table `api_tokens`, migration 5). Only the
 * SHA-256 of a token arrives here; `seq` keeps creation order for tokens created in one millisecond.
 */
import type Database from 'better-sqlite3';
import type { ApiTokenStore, StoredApiToken, TokenFilters, TokenRole } from '@shipmate/core';

type SqlValue = string | number | bigint | Buffer | null;
interface ApiTokenRow {
  id: string;
  name: string;
  role: string;
  filters: string;
  sha256: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const toStored = (row: ApiTokenRow): StoredApiToken => ({
  id: row.id,
  name: row.name,
  role: row.role as TokenRole,
  filters: JSON.parse(row.filters) as TokenFilters,
  sha256: row.sha256,
  createdAt: row.created_at,
  ...(row.last_used_at === null ? {} : { lastUsedAt: row.last_used_at }),
  ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at }),
});

/** Builds the API token methods; `run` maps SQLite errors as the rest of the store does. */
export function buildSqliteApiTokenStore(db: Database.Database, run: <T>(fn: () => T) => Promise<T>): ApiTokenStore {
  const prepare = (sql: string) => db.prepare<SqlValue[]>(sql);
  const s = {
    insert: prepare(
      `INSERT INTO api_tokens (id, name, role, filters, sha256, created_at, seq)
       VALUES (?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM api_tokens)) ON CONFLICT DO NOTHING`,
    ),
    list: prepare('SELECT * FROM api_tokens ORDER BY seq'),
    revoke: prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    touch: prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)'),
  };
  return {
    insertApiToken(token) {
      return run(
        () => s.insert.run(token.id, token.name, token.role, JSON.stringify(token.filters), token.sha256, token.createdAt).changes > 0,
      );
    },
    listApiTokens() {
      return run(() => (s.list.all() as ApiTokenRow[]).map(toStored));
    },
    revokeApiToken(id, revokedAt) {
      return run(() => s.revoke.run(revokedAt, id).changes > 0);
    },
    touchApiToken(id, lastUsedAt) {
      return run(() => {
        s.touch.run(lastUsedAt, id, lastUsedAt);
      });
    },
  };
}
