import { describe, expect, it } from 'vitest';
import {
  describeApiTokenStoreContract,
  describeRegistryStoreContract,
  describeSecretStoreContract,
  describeStoreContract,
  describeTaskLeaseStoreContract,
} from './index.js';
import { createMemoryStore } from './memory-store.js';
import type { MemoryControlPlaneStore } from './memory-store.js';
import { fixtureEvent, fixtureProject } from './store-fixtures.js';

const open = async (): Promise<MemoryControlPlaneStore> => createMemoryStore();
const close = (store: { close(): Promise<void> }) => store.close();

describeStoreContract('memory', open, close);
describeRegistryStoreContract('memory', open, close);
describeTaskLeaseStoreContract('memory', open, close);
describeSecretStoreContract('memory', open, close);
describeApiTokenStoreContract('memory', open, close);

describe('createMemoryStore', () => {
  it('keeps each store to itself', async () => {
    const [a, b] = [createMemoryStore(), createMemoryStore()];
    await a.insertProject(fixtureProject('shop'));
    expect(await b.getProject('shop')).toBeUndefined();
  });

  it('hands out copies: changing a document read or written does not change the store', async () => {
    const store = createMemoryStore();
    const project = fixtureProject('shop');
    await store.insertProject(project);
    project.stages.push('written-after');
    const read = await store.getProject('shop');
    read?.stages.push('read-after');
    expect((await store.getProject('shop'))?.stages).toEqual(['dev', 'prod']);
  });

  it('refuses every call once closed, saying how to get a new store', async () => {
    const store = createMemoryStore();
    await store.close();
    await expect(store.appendEvents([fixtureEvent()], { pending: true })).rejects.toThrow(/memory store is closed.*createMemoryStore/);
    await expect(store.listProjects()).rejects.toThrow(/memory store is closed/);
  });
});
