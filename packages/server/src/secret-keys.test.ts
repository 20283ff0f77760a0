/**
 * The secret key across restarts: a wrong key stops the start with a clear error, and a key
 * rotation (previous key given) re-encrypts every stored secret with the new key.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { secretKeyId } from '@shipmate/core';
import { createSqliteStore } from '@shipmate/store-sqlite';
import type { SqliteControlPlaneStore } from '@shipmate/store-sqlite';
import { createControlPlaneServer } from './create-server.js';
import type { ControlPlaneServer } from './create-server.js';
import { hashToken } from './auth/token-verifier.js';

const OLD_KEY = Buffer.alloc(32, 7);
const NEW_KEY = Buffer.alloc(32, 9);
const headers = { 'x-token': 'token', 'content-type': 'application/json' };

let dir: string;
let store: SqliteControlPlaneStore;
let server: ControlPlaneServer | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shipmate-secret-keys-'));
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens the store file of this test and starts a server on it with the given keys. */
async function start(secretKey: Buffer, previousSecretKey?: Buffer): Promise<ControlPlaneServer> {
  store = createSqliteStore({ path: join(dir, 'shipmate.db') });
  server = await createControlPlaneServer({ store, apiTokenSha256: hashToken('token'), secretKey, previousSecretKey });
  await server.app.ready();
  return server;
}

async function stop(): Promise<void> {
  await server?.close();
  server = undefined;
  await store.close();
}

async function createSecrets(names: string[]): Promise<void> {
  for (const name of names) {
    const reply = await server!.app.inject({
      method: 'POST',
      url: '/api/secrets/v1/secret',
      headers,
      payload: { name, data: { v: `value-${name}` } },
    });
    expect(reply.statusCode).toBe(201);
  }
}

describe('secret key', () => {
  it('stops the start with ERR_SECRET_KEY naming both key ids and the fix when the key is wrong', async () => {
    await start(OLD_KEY);
    await createSecrets(['a']);
    await stop();
    store = createSqliteStore({ path: join(dir, 'shipmate.db') });
    const failing = createControlPlaneServer({ store, apiTokenSha256: hashToken('token'), secretKey: NEW_KEY });
    await expect(failing).rejects.toMatchObject({ code: 'ERR_SECRET_KEY' });
    await expect(failing).rejects.toThrow(
      new RegExp(
        `key of id ${secretKeyId(OLD_KEY)}, but .* has id ${secretKeyId(NEW_KEY)}: set SHIPMATE_SECRET_KEY .* SHIPMATE_SECRET_KEY_PREVIOUS`,
      ),
    );
  });

  it('rotates: with the previous key given, every secret is re-encrypted with the new key at start', async () => {
    await start(OLD_KEY);
    await createSecrets(['a', 'b', 'c']);
    expect(await store.secretKeyIds()).toEqual([secretKeyId(OLD_KEY)]);
    await stop();

    await start(NEW_KEY, OLD_KEY);
    expect(await store.secretKeyIds()).toEqual([secretKeyId(NEW_KEY)]);
    await stop();

    // The new key alone now opens them; the old key alone no longer does.
    const rotated = await start(NEW_KEY);
    expect(rotated.secretCipher.keyId).toBe(secretKeyId(NEW_KEY));
    const secret = await store.getSecret('b');
    expect(rotated.secretCipher.openJson(secret!.sealed, 'secret:b')).toEqual({ v: 'value-b' });
    await stop();
    store = createSqliteStore({ path: join(dir, 'shipmate.db') });
    await expect(createControlPlaneServer({ store, apiTokenSha256: hashToken('token'), secretKey: OLD_KEY })).rejects.toMatchObject({
      code: 'ERR_SECRET_KEY',
    });
  });

  it('starts with the same key again without rewriting anything', async () => {
    await start(OLD_KEY);
    await createSecrets(['a']);
    const before = await store.getSecret('a');
    await stop();
    await start(OLD_KEY, NEW_KEY);
    expect(Buffer.from((await store.getSecret('a'))!.sealed.iv).equals(Buffer.from(before!.sealed.iv))).toBe(true);
  });
});
