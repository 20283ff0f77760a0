/**
 * The API token port of the in-memory store (memory-store.ts): tokens in creation order, names,
 * ids and hashes unique, revocation once, last use moving forward only.
 */
import type { ApiTokenStore, StoredApiToken } from '@shipmate/core';
import type { MemoryDatabase } from './memory-database.js';

function copyToken(token: StoredApiToken): StoredApiToken {
  return JSON.parse(JSON.stringify(token)) as StoredApiToken;
}

/** Builds the API token methods on the store's tables. */
export function buildMemoryApiTokenStore(db: MemoryDatabase): ApiTokenStore {
  const tokens = db.table<string, StoredApiToken>();

  return {
    async insertApiToken(token) {
      return db.transaction(() => {
        const taken = tokens.rows().some((t) => t.id === token.id || t.name === token.name || t.sha256 === token.sha256);
        if (taken) return false;
        const { lastUsedAt: _unused, revokedAt: _notRevoked, ...fresh } = token;
        tokens.set(token.id, copyToken(fresh));
        return true;
      });
    },

    async listApiTokens() {
      return db.read(() => tokens.rows().map(copyToken));
    },

    async revokeApiToken(id, revokedAt) {
      return db.transaction(() => {
        const token = tokens.get(id);
        if (!token || token.revokedAt !== undefined) return false;
        tokens.set(id, { ...token, revokedAt });
        return true;
      });
    },

    async touchApiToken(id, lastUsedAt) {
      db.transaction(() => {
        const token = tokens.get(id);
        if (token && (token.lastUsedAt === undefined || token.lastUsedAt < lastUsedAt)) tokens.set(id, { ...token, lastUsedAt });
      });
    },
  };
}
