/**
 * The contract of the API token port: one vitest suite that every `ApiTokenStore` adapter runs.
 * Each test gets a fresh, empty store from `createStore` and hands it to `cleanup` afterwards.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiTokenStore, StoredApiToken } from '@shipmate/core';

/** A stored execution-plane token named `name` with a hash made of `marker`. */
export function fixtureApiToken(name: string, marker = 'a', createdAt = '2026-01-01T00:00:00.000Z'): StoredApiToken {
  return {
    id: `id-${name}`,
    name,
    role: 'execution-plane',
    filters: { projects: ['shop'], stages: [], services: ['carts'] },
    sha256: marker.repeat(64).slice(0, 64),
    createdAt,
  };
}

/** Runs the API token contract suite against the adapter that `createStore` opens. */
export function describeApiTokenStoreContract<S extends ApiTokenStore>(
  name: string,
  createStore: () => Promise<S>,
  cleanup: (store: S) => Promise<void>,
): void {
  describe(`ApiTokenStore contract: ${name}`, () => {
    let store: S;

    beforeEach(async () => {
      store = await createStore();
    });
    afterEach(async () => {
      await cleanup(store);
    });

    it('stores tokens and lists them oldest first with role, filters and hash', async () => {
      expect(await store.insertApiToken(fixtureApiToken('plane-b', 'b'))).toBe(true);
      expect(await store.insertApiToken(fixtureApiToken('plane-a', 'a'))).toBe(true);
      expect(await store.listApiTokens()).toEqual([fixtureApiToken('plane-b', 'b'), fixtureApiToken('plane-a', 'a')]);
    });

    it('keeps names unique, revoked tokens included', async () => {
      await store.insertApiToken(fixtureApiToken('plane', 'a'));
      await store.revokeApiToken('id-plane', '2026-01-02T00:00:00.000Z');
      expect(await store.insertApiToken({ ...fixtureApiToken('plane', 'c'), id: 'other' })).toBe(false);
      expect((await store.listApiTokens()).map((token) => token.id)).toEqual(['id-plane']);
    });

    it('revokes once, by id', async () => {
      await store.insertApiToken(fixtureApiToken('plane'));
      expect(await store.revokeApiToken('nope', '2026-01-02T00:00:00.000Z')).toBe(false);
      expect(await store.revokeApiToken('id-plane', '2026-01-02T00:00:00.000Z')).toBe(true);
      expect(await store.revokeApiToken('id-plane', '2026-01-03T00:00:00.000Z')).toBe(false);
      expect((await store.listApiTokens())[0]?.revokedAt).toBe('2026-01-02T00:00:00.000Z');
    });

    it('records the last use, never moving it back', async () => {
      await store.insertApiToken(fixtureApiToken('plane'));
      await store.touchApiToken('id-plane', '2026-01-05T00:00:00.000Z');
      await store.touchApiToken('id-plane', '2026-01-04T00:00:00.000Z');
      expect((await store.listApiTokens())[0]?.lastUsedAt).toBe('2026-01-05T00:00:00.000Z');
    });
  });
}
