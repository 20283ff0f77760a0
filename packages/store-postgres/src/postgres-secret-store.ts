/**
 * The secret port on the store's PostgreSQL pool (table `secrets`). Values arrive sealed; this
 * adapter stores the blob's parts as `bytea` columns and never sees a plain value.
 */
import type { SealedBlob, SecretStore, SecretSummary, StoredSecret } from '@shipmate/core';
import { changed, namedStatements } from './sql.js';
import type { RunInTransaction, RunOnPool } from './sql.js';

interface SecretRow {
  name: string;
  scope: string;
  keys: string[];
  key_id: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

const toSummary = (row: Pick<SecretRow, 'name' | 'scope' | 'keys'>): SecretSummary => ({
  name: row.name,
  scope: row.scope,
  keys: row.keys,
});
const toStored = (row: SecretRow): StoredSecret => ({
  ...toSummary(row),
  sealed: { keyId: row.key_id, iv: row.iv, tag: row.tag, ciphertext: row.ciphertext },
});
const blobParts = (sealed: SealedBlob): [string, Buffer, Buffer, Buffer] => [
  sealed.keyId,
  Buffer.from(sealed.iv),
  Buffer.from(sealed.tag),
  Buffer.from(sealed.ciphertext),
];

const SQL = namedStatements('secrets', {
  insert: `INSERT INTO secrets (name, scope, keys, key_id, iv, tag, ciphertext) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (name) DO NOTHING`,
  update: 'UPDATE secrets SET keys = $1, key_id = $2, iv = $3, tag = $4, ciphertext = $5 WHERE name = $6 AND scope = $7',
  remove: 'DELETE FROM secrets WHERE name = $1 AND scope = $2',
  list: `SELECT name, scope, keys FROM secrets WHERE ($1::text IS NULL OR name = $1) AND ($2::text IS NULL OR scope = $2) ORDER BY name`,
  get: 'SELECT * FROM secrets WHERE name = $1',
  keyIds: 'SELECT DISTINCT key_id FROM secrets ORDER BY key_id',
  sealedWithOthers: 'SELECT * FROM secrets WHERE key_id <> $1 ORDER BY name FOR UPDATE',
  reseal: 'UPDATE secrets SET key_id = $1, iv = $2, tag = $3, ciphertext = $4 WHERE name = $5',
});

/** Builds the secret methods on the store's pool; `run` and `transaction` map errors as the rest of the store does. */
export function buildPostgresSecretStore(run: RunOnPool, transaction: RunInTransaction): SecretStore {
  return {
    insertSecret(secret) {
      return run(
        async (db) =>
          changed(await db.query(SQL.insert, [secret.name, secret.scope, JSON.stringify(secret.keys), ...blobParts(secret.sealed)])) > 0,
      );
    },
    updateSecret(secret) {
      return run(
        async (db) =>
          changed(await db.query(SQL.update, [JSON.stringify(secret.keys), ...blobParts(secret.sealed), secret.name, secret.scope])) > 0,
      );
    },
    deleteSecret(name, scope) {
      return run(async (db) => changed(await db.query(SQL.remove, [name, scope])) > 0);
    },
    listSecrets(query) {
      return run(async (db) => (await db.query<SecretRow>(SQL.list, [query.name ?? null, query.scope ?? null])).rows.map(toSummary));
    },
    getSecret(name) {
      return run(async (db) => {
        const row = (await db.query<SecretRow>(SQL.get, [name])).rows[0];
        return row && toStored(row);
      });
    },
    secretKeyIds() {
      return run(async (db) => (await db.query<{ key_id: string }>(SQL.keyIds)).rows.map((row) => row.key_id));
    },
    resealSecrets(keepKeyId, reseal) {
      return transaction(async (tx) => {
        const rows = (await tx.query<SecretRow>(SQL.sealedWithOthers, [keepKeyId])).rows;
        for (const row of rows) await tx.query(SQL.reseal, [...blobParts(reseal(toStored(row))), row.name]);
        return rows.length;
      });
    },
  };
}
