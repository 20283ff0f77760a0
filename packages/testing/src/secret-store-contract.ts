/**
 * The contract of the secret port: one vitest suite that every `SecretStore` adapter runs. Each
 * test gets a fresh, empty store from `createStore` and hands it to `cleanup` afterwards. Blobs
 * are opaque to the store, so the suite uses fixed bytes instead of real ciphertexts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SealedBlob, SecretStore, StoredSecret } from '@shipmate/core';

/** A stored secret with an opaque blob marked by `keyId` and `marker`. */
export function fixtureSecret(name: string, scope = 'keptn-default', keys: string[] = ['token'], keyId = 'k1', marker = 1): StoredSecret {
  return {
    name,
    scope,
    keys,
    sealed: { keyId, iv: Buffer.alloc(12, marker), tag: Buffer.alloc(16, marker), ciphertext: Buffer.from(`cipher-${name}-${marker}`) },
  };
}

const plainBlob = (blob: SealedBlob) => ({
  keyId: blob.keyId,
  iv: Buffer.from(blob.iv),
  tag: Buffer.from(blob.tag),
  ciphertext: Buffer.from(blob.ciphertext),
});
const plain = (secret: StoredSecret | undefined) => secret && { ...secret, sealed: plainBlob(secret.sealed) };

/** Runs the secret contract suite against the adapter that `createStore` opens. */
export function describeSecretStoreContract<S extends SecretStore>(
  name: string,
  createStore: () => Promise<S>,
  cleanup: (store: S) => Promise<void>,
): void {
  describe(`SecretStore contract: ${name}`, () => {
    let store: S;

    beforeEach(async () => {
      store = await createStore();
    });
    afterEach(async () => {
      await cleanup(store);
    });

    it('stores a secret and gives back its blob byte for byte', async () => {
      expect(await store.insertSecret(fixtureSecret('api', 'keptn-webhook-service', ['a', 'b']))).toBe(true);
      expect(plain(await store.getSecret('api'))).toEqual(plain(fixtureSecret('api', 'keptn-webhook-service', ['a', 'b'])));
      expect(await store.getSecret('nope')).toBeUndefined();
    });

    it('keeps names unique across scopes', async () => {
      await store.insertSecret(fixtureSecret('api', 'keptn-default'));
      expect(await store.insertSecret(fixtureSecret('api', 'dynatrace-service', ['x'], 'k1', 2))).toBe(false);
      expect((await store.getSecret('api'))?.scope).toBe('keptn-default');
    });

    it('updates and deletes only by name and scope', async () => {
      await store.insertSecret(fixtureSecret('api'));
      expect(await store.updateSecret(fixtureSecret('api', 'dynatrace-service', ['x'], 'k1', 2))).toBe(false);
      expect(await store.updateSecret(fixtureSecret('api', 'keptn-default', ['x', 'y'], 'k2', 3))).toBe(true);
      expect(plain(await store.getSecret('api'))).toEqual(plain(fixtureSecret('api', 'keptn-default', ['x', 'y'], 'k2', 3)));
      expect(await store.deleteSecret('api', 'dynatrace-service')).toBe(false);
      expect(await store.deleteSecret('api', 'keptn-default')).toBe(true);
      expect(await store.deleteSecret('api', 'keptn-default')).toBe(false);
      expect(await store.listSecrets({})).toEqual([]);
    });

    it('lists summaries by name, filtered by name and scope', async () => {
      await store.insertSecret(fixtureSecret('zeta', 'keptn-default', ['z']));
      await store.insertSecret(fixtureSecret('alpha', 'keptn-webhook-service', ['a', 'b']));
      await store.insertSecret(fixtureSecret('mid', 'keptn-webhook-service', []));
      expect(await store.listSecrets({})).toEqual([
        { name: 'alpha', scope: 'keptn-webhook-service', keys: ['a', 'b'] },
        { name: 'mid', scope: 'keptn-webhook-service', keys: [] },
        { name: 'zeta', scope: 'keptn-default', keys: ['z'] },
      ]);
      expect((await store.listSecrets({ scope: 'keptn-webhook-service' })).map((s) => s.name)).toEqual(['alpha', 'mid']);
      expect((await store.listSecrets({ name: 'zeta' })).map((s) => s.name)).toEqual(['zeta']);
      expect(await store.listSecrets({ name: 'zeta', scope: 'keptn-webhook-service' })).toEqual([]);
    });

    it('reports the key ids in use and reseals the other ones in one go', async () => {
      await store.insertSecret(fixtureSecret('a', 'keptn-default', ['t'], 'old'));
      await store.insertSecret(fixtureSecret('b', 'keptn-default', ['t'], 'new'));
      await store.insertSecret(fixtureSecret('c', 'keptn-default', ['t'], 'old'));
      expect(await store.secretKeyIds()).toEqual(['new', 'old']);
      const seen: string[] = [];
      const count = await store.resealSecrets('new', (secret) => {
        seen.push(secret.name);
        return { ...fixtureSecret(secret.name, secret.scope, secret.keys, 'new', 9).sealed };
      });
      expect(count).toBe(2);
      expect(seen).toEqual(['a', 'c']);
      expect(await store.secretKeyIds()).toEqual(['new']);
      expect(plain(await store.getSecret('a'))).toEqual(plain(fixtureSecret('a', 'keptn-default', ['t'], 'new', 9)));
    });

    it('rolls a reseal back when one secret fails', async () => {
      await store.insertSecret(fixtureSecret('a', 'keptn-default', ['t'], 'old'));
      await store.insertSecret(fixtureSecret('b', 'keptn-default', ['t'], 'old'));
      await expect(
        store.resealSecrets('new', (secret) => {
          if (secret.name === 'b') throw new Error('cannot open b');
          return fixtureSecret(secret.name, secret.scope, secret.keys, 'new', 9).sealed;
        }),
      ).rejects.toThrow(/cannot open b/);
      expect(await store.secretKeyIds()).toEqual(['old']);
    });
  });
}
