/**
 * The contract of the resource-store port (Keptn's resource service): one vitest suite that every
 * `ResourceStore` adapter runs. Each test gets a fresh, empty store from `createStore` and hands it
 * to `cleanup` afterwards.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ShipmateError } from '@shipmate/core';
import type { ResourceStore } from '@shipmate/core';

const SHIPYARD_V1 =
  'apiVersion: spec.keptn.sh/0.2.3\nkind: Shipyard\nmetadata:\n  name: v1\nspec:\n  stages:\n    - name: dev\n    - name: prod\n';
const SHIPYARD_V2 = SHIPYARD_V1.replace('name: v1', 'name: v2');

const file = (uri: string, text: string) => ({ uri, content: Buffer.from(text) });

/** The error code of a rejected promise. */
async function errorCodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ShipmateError) return error.code;
    throw error;
  }
  throw new Error('expected a rejection');
}

/** Runs the resource-store contract suite against the adapter that `createStore` opens. */
export function describeResourceStoreContract<S extends ResourceStore>(
  name: string,
  createStore: () => Promise<S>,
  cleanup: (store: S) => Promise<void>,
): void {
  describe(`ResourceStore contract: ${name}`, () => {
    let store: S;

    beforeEach(async () => {
      store = await createStore();
      await store.createProject('shop', SHIPYARD_V1);
      await store.createStage('shop', 'dev');
      await store.createStage('shop', 'prod');
      await store.createService('shop', 'dev', 'carts');
      await store.createService('shop', 'prod', 'carts');
    });
    afterEach(async () => {
      await cleanup(store);
    });

    it('keeps shipyard.yaml and metadata.yaml on the project level and copies them to new stages', async () => {
      expect((await store.listResources({ project: 'shop' })).uris).toEqual(['metadata.yaml', 'shipyard.yaml']);
      expect((await store.listResources({ project: 'shop', stage: 'dev' })).uris).toEqual([
        'carts/metadata.yaml',
        'metadata.yaml',
        'shipyard.yaml',
      ]);
      expect((await store.listResources({ project: 'shop', stage: 'dev', service: 'carts' })).uris).toEqual(['metadata.yaml']);
      const shipyard = await store.getResource({ project: 'shop', stage: 'prod' }, 'shipyard.yaml');
      expect(shipyard.content.toString()).toBe(SHIPYARD_V1);
    });

    it('writes nested files at a service level and reads them back at the returned commit', async () => {
      const level = { project: 'shop', stage: 'dev', service: 'carts' };
      const commit = await store.putResources(level, [file('helm/carts.tgz', 'chart'), file('slo.yaml', 'slo')]);
      expect(commit).toMatch(/^[0-9a-f]{40}$/);
      expect(await store.latestCommit('shop', 'dev')).toBe(commit);
      const read = await store.getResource(level, 'helm/carts.tgz');
      expect(read).toEqual({ commit, content: Buffer.from('chart') });
      expect((await store.listResources(level)).uris).toEqual(['helm/carts.tgz', 'metadata.yaml', 'slo.yaml']);
      // Other stages and the project level are untouched.
      expect((await store.listResources({ project: 'shop', stage: 'prod', service: 'carts' })).uris).toEqual(['metadata.yaml']);
    });

    it('reads a file at an older commit', async () => {
      const level = { project: 'shop', stage: 'dev' };
      const first = await store.putResources(level, [file('slo.yaml', 'one')]);
      const second = await store.putResources(level, [file('slo.yaml', 'two')]);
      expect(second).not.toBe(first);
      expect((await store.getResource(level, 'slo.yaml')).content.toString()).toBe('two');
      expect((await store.getResource(level, 'slo.yaml', first)).content.toString()).toBe('one');
      expect((await store.getResource(level, 'slo.yaml', first.slice(0, 12))).commit).toBe(first);
      expect((await store.listResources(level, first)).commit).toBe(first);
    });

    it('deletes a file in a new commit and answers ERR_RESOURCE_NOT_FOUND for it afterwards', async () => {
      const level = { project: 'shop', stage: 'dev' };
      const written = await store.putResources(level, [file('a/b.txt', 'x')]);
      const deleted = await store.deleteResource(level, 'a/b.txt');
      expect(deleted).not.toBe(written);
      expect(await errorCodeOf(store.getResource(level, 'a/b.txt'))).toBe('ERR_RESOURCE_NOT_FOUND');
      expect(await errorCodeOf(store.deleteResource(level, 'a/b.txt'))).toBe('ERR_RESOURCE_NOT_FOUND');
      expect((await store.getResource(level, 'a/b.txt', written)).content.toString()).toBe('x');
    });

    it('reads files with spaces in their names, and a missing one does not disturb the reads after it', async () => {
      const level = { project: 'shop', stage: 'dev' };
      await store.putResources(level, [file('my slo.yaml', 'spaced'), file('plain.yaml', 'plain')]);
      const reads = await Promise.all([
        errorCodeOf(store.getResource(level, 'no such.yaml')),
        errorCodeOf(store.getResource(level, 'a b c.yaml')),
        store.getResource(level, 'plain.yaml'),
        store.getResource(level, 'my slo.yaml'),
      ]);
      expect(reads.slice(0, 2)).toEqual(['ERR_RESOURCE_NOT_FOUND', 'ERR_RESOURCE_NOT_FOUND']);
      expect(reads.slice(2).map((read) => (read as { content: Buffer }).content.toString())).toEqual(['plain', 'spaced']);
    });

    it('answers 404 codes for unknown projects, stages, services, commits and files', async () => {
      expect(await errorCodeOf(store.listResources({ project: 'nope' }))).toBe('ERR_PROJECT_NOT_FOUND');
      expect(await errorCodeOf(store.listResources({ project: 'shop', stage: 'qa' }))).toBe('ERR_STAGE_NOT_FOUND');
      expect(await errorCodeOf(store.listResources({ project: 'shop', stage: 'dev', service: 'orders' }))).toBe('ERR_SERVICE_NOT_FOUND');
      expect(await errorCodeOf(store.putResources({ project: 'shop', stage: 'dev', service: 'orders' }, [file('x', 'y')]))).toBe(
        'ERR_SERVICE_NOT_FOUND',
      );
      expect(await errorCodeOf(store.getResource({ project: 'shop' }, 'x.yaml'))).toBe('ERR_RESOURCE_NOT_FOUND');
      expect(await errorCodeOf(store.getResource({ project: 'shop' }, 'shipyard.yaml', 'deadbeefdeadbeef'))).toBe('ERR_COMMIT_NOT_FOUND');
      expect(await errorCodeOf(store.getResource({ project: 'shop' }, 'shipyard.yaml', '--all'))).toBe('ERR_COMMIT_NOT_FOUND');
    });

    it('copies a project-level shipyard.yaml to every stage, so the stage tips read it', async () => {
      const oldDev = (await store.latestCommit('shop', 'dev'))!;
      await store.putResources({ project: 'shop' }, [file('shipyard.yaml', SHIPYARD_V2)]);
      for (const stage of ['dev', 'prod']) {
        const tip = (await store.latestCommit('shop', stage))!;
        expect(await store.readShipyard('shop', tip)).toBe(SHIPYARD_V2);
      }
      expect(await store.readShipyard('shop', oldDev)).toBe(SHIPYARD_V1);
      expect(await store.readShipyard('shop', 'deadbeefdeadbeef')).toBeUndefined();
      expect(await store.readShipyard('nope', oldDev)).toBeUndefined();
    });

    it('removes a service folder from a stage and the whole repository with the project', async () => {
      await store.putResources({ project: 'shop', stage: 'dev', service: 'carts' }, [file('helm/x.tgz', 'x')]);
      await store.deleteService('shop', 'dev', 'carts');
      expect((await store.listResources({ project: 'shop', stage: 'dev' })).uris).toEqual(['metadata.yaml', 'shipyard.yaml']);
      expect(await errorCodeOf(store.listResources({ project: 'shop', stage: 'dev', service: 'carts' }))).toBe('ERR_SERVICE_NOT_FOUND');
      await store.deleteService('shop', 'dev', 'carts'); // tolerated, as Keptn
      await store.deleteProject('shop');
      expect(await store.hasProject('shop')).toBe(false);
      expect(await store.latestCommit('shop', 'dev')).toBeUndefined();
      expect(await errorCodeOf(store.listResources({ project: 'shop' }))).toBe('ERR_PROJECT_NOT_FOUND');
    });

    it('refuses a second project of the same name and a second service of the same name', async () => {
      expect(await errorCodeOf(store.createProject('shop', SHIPYARD_V1))).toBe('ERR_PROJECT_EXISTS');
      expect(await errorCodeOf(store.createService('shop', 'dev', 'carts'))).toBe('ERR_SERVICE_EXISTS');
    });

    it('loses no update when many writes to one project run at once', async () => {
      const level = { project: 'shop', stage: 'dev' };
      const commits = await Promise.all(Array.from({ length: 12 }, (_, i) => store.putResources(level, [file(`f${i}.txt`, String(i))])));
      expect(new Set(commits).size).toBe(12);
      const uris = (await store.listResources(level)).uris;
      for (let i = 0; i < 12; i += 1) expect(uris).toContain(`f${i}.txt`);
      // Each write saw the one before it: the last commit holds all files.
      expect(await store.latestCommit('shop', 'dev')).toBe(commits[11]);
    });
  });
}
