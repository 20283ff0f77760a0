/**
 * The secret port on the store's SQLite connection (table `secrets`, migration 4). Values arrive
 * sealed; this adapter stores the blob's parts as columns and never sees a plain value.
 */
import type Database from 'better-sqlite3';
import type { SealedBlob, SecretStore, SecretSummary, StoredSecret } from '@shipmate/core';

type SqlValue = string | number | bigint | Buffer | null;
interface SecretRow {
  name: string;
  scope: string;
  keys: string;
  key_id: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

const toSummary = (row: Pick<SecretRow, 'name' | 'scope' | 'keys'>): SecretSummary => ({
  name: row.name,
  scope: row.scope,
  keys: JSON.parse(row.keys) as string[],
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

/** Builds the secret methods; `run` maps SQLite errors as the rest of the store does. */
export function buildSqliteSecretStore(db: Database.Database, run: <T>(fn: () => T) => Promise<T>): SecretStore {
  const prepare = (sql: string) => db.prepare<SqlValue[]>(sql);
  const s = {
    insert: prepare(
      'INSERT INTO secrets (name, scope, keys, key_id, iv, tag, ciphertext) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING',
    ),
    update: prepare('UPDATE secrets SET keys = ?, key_id = ?, iv = ?, tag = ?, ciphertext = ? WHERE name = ? AND scope = ?'),
    remove: prepare('DELETE FROM secrets WHERE name = ? AND scope = ?'),
    list: prepare('SELECT name, scope, keys FROM secrets WHERE (? IS NULL OR name = ?) AND (? IS NULL OR scope = ?) ORDER BY name'),
    get: prepare('SELECT * FROM secrets WHERE name = ?'),
    keyIds: prepare('SELECT DISTINCT key_id FROM secrets ORDER BY key_id'),
    sealedWithOthers: prepare('SELECT * FROM secrets WHERE key_id <> ? ORDER BY name'),
    reseal: prepare('UPDATE secrets SET key_id = ?, iv = ?, tag = ?, ciphertext = ? WHERE name = ?'),
  };

  const resealTx = db.transaction((keepKeyId: string, reseal: (secret: StoredSecret) => SealedBlob): number => {
    const rows = s.sealedWithOthers.all(keepKeyId) as SecretRow[];
    for (const row of rows) s.reseal.run(...blobParts(reseal(toStored(row))), row.name);
    return rows.length;
  });

  return {
    insertSecret(secret) {
      return run(() => s.insert.run(secret.name, secret.scope, JSON.stringify(secret.keys), ...blobParts(secret.sealed)).changes > 0);
    },
    updateSecret(secret) {
      return run(() => s.update.run(JSON.stringify(secret.keys), ...blobParts(secret.sealed), secret.name, secret.scope).changes > 0);
    },
    deleteSecret(name, scope) {
      return run(() => s.remove.run(name, scope).changes > 0);
    },
    listSecrets(query) {
      return run(() =>
        (s.list.all(query.name ?? null, query.name ?? null, query.scope ?? null, query.scope ?? null) as SecretRow[]).map(toSummary),
      );
    },
    getSecret(name) {
      return run(() => {
        const row = s.get.get(name) as SecretRow | undefined;
        return row && toStored(row);
      });
    },
    secretKeyIds() {
      return run(() => (s.keyIds.all() as Array<{ key_id: string }>).map((row) => row.key_id));
    },
    resealSecrets(keepKeyId, reseal) {
      return run(() => resealTx.immediate(keepKeyId, reseal));
    },
  };
}
