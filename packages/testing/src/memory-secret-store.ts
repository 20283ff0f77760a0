/**
 * The secret port of the in-memory store (memory-store.ts): sealed blobs kept as copies of their
 * bytes, names unique across scopes, a reseal undone whole when one secret fails.
 */
import type { SealedBlob, SecretStore, SecretSummary, StoredSecret } from '@shipmate/core';
import { compareText } from './memory-database.js';
import type { MemoryDatabase } from './memory-database.js';

function copySealed(sealed: SealedBlob): SealedBlob {
  return { keyId: sealed.keyId, iv: Buffer.from(sealed.iv), tag: Buffer.from(sealed.tag), ciphertext: Buffer.from(sealed.ciphertext) };
}

function copySecret(secret: StoredSecret): StoredSecret {
  return { name: secret.name, scope: secret.scope, keys: [...secret.keys], sealed: copySealed(secret.sealed) };
}

const toSummary = (secret: StoredSecret): SecretSummary => ({ name: secret.name, scope: secret.scope, keys: [...secret.keys] });

/** Builds the secret methods on the store's tables. */
export function buildMemorySecretStore(db: MemoryDatabase): SecretStore {
  const secrets = db.table<string, StoredSecret>();
  const byName = (matches: (secret: StoredSecret) => boolean) =>
    secrets
      .rows()
      .filter(matches)
      .sort((a, b) => compareText(a.name, b.name));

  return {
    async insertSecret(secret) {
      return db.transaction(() => {
        if (secrets.has(secret.name)) return false;
        secrets.set(secret.name, copySecret(secret));
        return true;
      });
    },

    async updateSecret(secret) {
      return db.transaction(() => {
        if (secrets.get(secret.name)?.scope !== secret.scope) return false;
        secrets.set(secret.name, copySecret(secret));
        return true;
      });
    },

    async deleteSecret(name, scope) {
      return db.transaction(() => secrets.get(name)?.scope === scope && secrets.delete(name));
    },

    async listSecrets(query) {
      return db.read(() =>
        byName((s) => (query.name === undefined || s.name === query.name) && (query.scope === undefined || s.scope === query.scope)).map(
          toSummary,
        ),
      );
    },

    async getSecret(name) {
      return db.read(() => {
        const secret = secrets.get(name);
        return secret && copySecret(secret);
      });
    },

    async secretKeyIds() {
      return db.read(() => [...new Set(secrets.rows().map((s) => s.sealed.keyId))].sort(compareText));
    },

    async resealSecrets(keepKeyId, reseal) {
      return db.transaction(() => {
        const stale = byName((s) => s.sealed.keyId !== keepKeyId);
        for (const secret of stale) secrets.set(secret.name, { ...secret, sealed: copySealed(reseal(copySecret(secret))) });
        return stale.length;
      });
    },
  };
}
