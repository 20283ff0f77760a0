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
import { fixtureInstance, fixtureIntegration } from './registry-store-contract.js';
import { fixtureEvent, fixtureExecution, fixtureProject } from './store-fixtures.js';

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

  it('refuses a second execution of one sequence trigger, naming both, and keeps the rest of the changeset out', async () => {
    const store = createMemoryStore();
    const first = fixtureExecution({ id: 'exec-a', triggeredId: 'seq-t' });
    await store.commit({ executions: [first] });
    const event = fixtureEvent();

    await expect(
      store.commit({ newEvents: [{ event, pending: true }], executions: [fixtureExecution({ id: 'exec-b', triggeredId: 'seq-t' })] }),
    ).rejects.toThrow(/execution 'exec-b' has scope\.triggeredId 'seq-t', which execution 'exec-a' has already/);
    expect(await store.getExecution('exec-b')).toBeUndefined();
    expect(await store.pendingEvents(10)).toEqual([]);
    expect(await store.findExecutionByTrigger('seq-t')).toEqual(first);
  });

  it('refuses a stage given twice for a new service, creating it in no stage', async () => {
    const store = createMemoryStore();
    await store.insertProject(fixtureProject('shop'));
    await expect(store.insertService('shop', 'carts', ['dev', 'dev'], '1')).rejects.toThrow(
      /stage 'dev' is given twice for service 'carts'; list each stage once/,
    );
    expect(await store.listServices('shop')).toEqual([]);
  });

  it('refuses an instance whose integration is not stored, and saves nothing of that registration', async () => {
    const store = createMemoryStore();
    await expect(
      store.saveRegistration({ integration: fixtureIntegration({ id: 'a' }), instance: fixtureInstance('b', 'i1') }),
    ).rejects.toThrow(/instance 'i1' has integrationId 'b', an integration that is not stored/);
    expect(await store.getIntegration('a')).toBeUndefined();
  });

  it('refuses every call once closed, saying how to get a new store', async () => {
    const store = createMemoryStore();
    await store.close();
    await expect(store.appendEvents([fixtureEvent()], { pending: true })).rejects.toThrow(/memory store is closed.*createMemoryStore/);
    await expect(store.listProjects()).rejects.toThrow(/memory store is closed/);
  });
});
