/**
 * The API token port on the store's PostgreSQL pool (table `api_tokens`). Only the SHA-256 of a
 * token arrives here; the identity column `seq` keeps creation order for tokens created in one
 * millisecond.
 */
import type { ApiTokenStore, StoredApiToken, TokenFilters, TokenRole } from '@shipmate/core';
import { changed, namedStatements } from './sql.js';
import type { RunOnPool } from './sql.js';

interface ApiTokenRow {
  id: string;
  name: string;
  role: string;
  filters: TokenFilters;
  sha256: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const toStored = (row: ApiTokenRow): StoredApiToken => ({
  id: row.id,
  name: row.name,
  role: row.role as TokenRole,
  filters: row.filters,
  sha256: row.sha256,
  createdAt: row.created_at,
  ...(row.last_used_at === null ? {} : { lastUsedAt: row.last_used_at }),
  ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at }),
});

const SQL = namedStatements('tokens', {
  insert: 'INSERT INTO api_tokens (id, name, role, filters, sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING',
  list: 'SELECT id, name, role, filters, sha256, created_at, last_used_at, revoked_at FROM api_tokens ORDER BY seq',
  revoke: 'UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL',
  touch: 'UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)',
});

/** Builds the API token methods on the store's pool; `run` maps errors as the rest of the store does. */
export function buildPostgresApiTokenStore(run: RunOnPool): ApiTokenStore {
  return {
    insertApiToken(token) {
      return run(
        async (db) =>
          changed(
            await db.query(SQL.insert, [token.id, token.name, token.role, JSON.stringify(token.filters), token.sha256, token.createdAt]),
          ) > 0,
      );
    },
    listApiTokens() {
      return run(async (db) => (await db.query<ApiTokenRow>(SQL.list)).rows.map(toStored));
    },
    revokeApiToken(id, revokedAt) {
      return run(async (db) => changed(await db.query(SQL.revoke, [revokedAt, id])) > 0);
    },
    touchApiToken(id, lastUsedAt) {
      return run(async (db) => {
        await db.query(SQL.touch, [lastUsedAt, id]);
      });
    },
  };
}
