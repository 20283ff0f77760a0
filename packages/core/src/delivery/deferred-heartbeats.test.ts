import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStore, manualClock } from '@shipmate/testing';
import type { IntegrationRegistryStore } from '../ports/registry-store.js';
import type { InstanceRecord, IntegrationRecord } from '../registry/integration.js';
import { deferHeartbeatWrites } from './deferred-heartbeats.js';
import type { DeferredHeartbeats } from './deferred-heartbeats.js';
import { createLiveSubscriberIndex } from './live-subscriber-index.js';

const ALL = { projects: [], stages: [], services: [] };
const REGISTERED = '2024-01-01T00:00:00.000Z';
const at = (time: string) => `2024-01-01T${time}Z`;

function integration(id: string): IntegrationRecord {
  return {
    id,
    name: id,
    metadata: {
      hostname: 'h',
      integrationversion: '1',
      distributorversion: '1',
      location: 'l',
      lastseen: REGISTERED,
      kubernetesmetadata: { namespace: 'n', podname: 'p', deploymentname: 'd' },
    },
    subscriptions: [],
  };
}

function instance(integrationId: string, instanceId: string): InstanceRecord {
  return { integrationId, instanceId, lastseen: REGISTERED, filters: ALL } as unknown as InstanceRecord;
}

const A1 = { integrationId: 'a', instanceId: 'a1' };
const A2 = { integrationId: 'a', instanceId: 'a2' };
const B1 = { integrationId: 'b', instanceId: 'b1' };

let deferred: DeferredHeartbeats | undefined;
afterEach(async () => {
  await deferred?.close();
  deferred = undefined;
});

/** Integrations a (instances a1, a2) and b (b1) registered at {@link REGISTERED}, under the live index and the deferral. */
async function setUp(writeEveryMs = 60_000) {
  const store: IntegrationRegistryStore = createMemoryStore();
  await store.saveRegistration({ integration: integration('a'), instance: instance('a', 'a1') });
  await store.saveRegistration({ integration: integration('a'), instance: instance('a', 'a2') });
  await store.saveRegistration({ integration: integration('b'), instance: instance('b', 'b1') });
  const index = createLiveSubscriberIndex({ store, clock: manualClock(), heartbeatIntervalMs: 5000 });
  await index.load();
  const errors: unknown[] = [];
  const writes = vi.spyOn(store, 'touchInstances');
  deferred = deferHeartbeatWrites({ store: index.store, copy: index, writeEveryMs, onError: (error) => errors.push(error) });
  return { store, index, registry: deferred.store, deferred, writes, errors };
}

describe('deferHeartbeatWrites', () => {
  it('notes heartbeats in the copy without a store write, and reads through it report them', async () => {
    const { store, index, registry, writes } = await setUp();
    expect(await registry.touchInstances([A1, { integrationId: 'a', instanceId: 'gone' }], at('00:01:00.250'))).toEqual([true, false]);
    expect(await registry.touchInstance('b', 'b1', at('00:01:00.500'))).toBe(true);
    expect(await registry.touchInstance('c', 'c1', at('00:01:00.500'))).toBe(false);
    expect(writes).not.toHaveBeenCalled();
    expect((await store.getInstance('a', 'a1'))?.lastseen).toBe(REGISTERED);
    expect(index.instance('a', 'a1')?.lastseen).toBe(at('00:01:00.250'));
    expect((await registry.getInstance('a', 'a1'))?.lastseen).toBe(at('00:01:00.250'));
    expect((await registry.listInstances(['a'])).map((i) => i.lastseen)).toEqual([at('00:01:00.250'), REGISTERED]);
    expect((await registry.getIntegration('a'))?.metadata.lastseen).toBe(at('00:01:00.250'));
    expect((await registry.listIntegrations({})).map((i) => i.metadata.lastseen)).toEqual([at('00:01:00.250'), at('00:01:00.500')]);
  });

  it('writes the newest heartbeat of each instance, one write per second they fall in', async () => {
    const { store, registry, deferred, writes } = await setUp();
    await registry.touchInstances([A1, A2], at('00:01:00.100'));
    await registry.touchInstances([A1], at('00:01:00.900'));
    await registry.touchInstances([B1], at('00:01:02.300'));
    // An older heartbeat noted late does not replace a newer one.
    await registry.touchInstances([B1], at('00:01:01.000'));
    await deferred.flush();
    expect(writes.mock.calls).toEqual([
      [[A1, A2], at('00:01:00.000')],
      [[B1], at('00:01:02.000')],
    ]);
    expect((await store.getInstance('a', 'a2'))?.lastseen).toBe(at('00:01:00.000'));
    expect((await store.getInstance('b', 'b1'))?.lastseen).toBe(at('00:01:02.000'));
    // Written once: the next flush has nothing to write.
    await deferred.flush();
    expect(writes).toHaveBeenCalledTimes(2);
  });

  it('writes the noted heartbeats before the expiry sweep deletes by the stored ones', async () => {
    const { store, registry } = await setUp();
    await registry.touchInstances([A1], at('00:10:00.000'));
    expect(await registry.deleteIntegrationsSeenBefore(at('00:05:00.000'))).toBe(1);
    expect(await store.getIntegration('b')).toBeUndefined();
    expect((await store.getInstance('a', 'a1'))?.lastseen).toBe(at('00:10:00.000'));
    expect(await store.getInstance('a', 'a2')).toBeUndefined();
  });

  it('sweeps by whole seconds, so the store and the copy remove the same instances', async () => {
    const { store, index, registry } = await setUp();
    await registry.touchInstances([A1], at('00:10:00.800'));
    await registry.touchInstances([B1], at('00:09:59.900'));
    expect(await registry.deleteIntegrationsSeenBefore(at('00:10:00.700'))).toBe(1);
    expect(await store.getInstance('a', 'a1')).toBeDefined();
    expect(index.instance('a', 'a1')).toBeDefined();
    expect(await store.getIntegration('b')).toBeUndefined();
    expect(index.integration('b')).toBeUndefined();
  });

  it('keeps the heartbeats of a failed write noted and writes them with the next', async () => {
    const { store, registry, deferred, writes } = await setUp();
    writes.mockRejectedValueOnce(new Error('disk full'));
    await registry.touchInstances([A1], at('00:01:00.000'));
    await expect(deferred.flush()).rejects.toThrow('disk full');
    await deferred.flush();
    expect(writes).toHaveBeenCalledTimes(2);
    expect((await store.getInstance('a', 'a1'))?.lastseen).toBe(at('00:01:00.000'));
  });

  it('writes on its timer and reports a failed write', async () => {
    const { store, registry, writes, errors } = await setUp(20);
    writes.mockRejectedValueOnce(new Error('disk full'));
    await registry.touchInstances([A1], at('00:01:00.000'));
    await vi.waitFor(() => expect(writes).toHaveBeenCalledTimes(2));
    expect(errors).toEqual([new Error('disk full')]);
    expect((await store.getInstance('a', 'a1'))?.lastseen).toBe(at('00:01:00.000'));
  });

  it('drops what is noted of an instance registered again or of a deleted integration', async () => {
    const { registry, deferred, writes } = await setUp();
    await registry.touchInstances([A2, B1], at('00:01:00.000'));
    await registry.saveRegistration({ integration: integration('a'), instance: { ...instance('a', 'a2'), lastseen: at('00:01:05.000') } });
    await registry.deleteIntegration('b');
    await deferred.flush();
    expect(writes).not.toHaveBeenCalled();
    expect((await registry.getInstance('a', 'a2'))?.lastseen).toBe(at('00:01:05.000'));
  });

  it("writes a deleted instance's last heartbeat first, so its integration keeps it as lastseen", async () => {
    const { store, registry, deferred, writes } = await setUp();
    await registry.touchInstances([A1], at('00:04:00.500'));
    expect(await registry.deleteInstance('a', 'a1')).toBe(true);
    expect(writes.mock.calls).toEqual([[[A1], at('00:04:00.000')]]);
    expect(await store.getInstance('a', 'a1')).toBeUndefined();
    expect((await store.getIntegration('a'))?.metadata.lastseen).toBe(at('00:04:00.000'));
    await deferred.flush();
    expect(writes).toHaveBeenCalledTimes(1);
  });

  it('writes what is left on close', async () => {
    const { store, registry, deferred, writes } = await setUp();
    await registry.touchInstances([A2], at('00:02:00.000'));
    await deferred.close();
    expect(writes.mock.calls).toEqual([[[A2], at('00:02:00.000')]]);
    expect((await store.getInstance('a', 'a2'))?.lastseen).toBe(at('00:02:00.000'));
  });
});

describe('the live index copy', () => {
  it('never moves a lastseen back', async () => {
    const { index } = await setUp();
    expect(index.noteSeen([A1], at('00:03:00.000'))).toEqual([true]);
    expect(index.noteSeen([A1], at('00:02:00.000'))).toEqual([true]);
    expect(index.instance('a', 'a1')?.lastseen).toBe(at('00:03:00.000'));
    expect(index.integration('a')?.metadata.lastseen).toBe(at('00:03:00.000'));
  });

  it('keeps a noted lastseen when a subscription change reads the integration back from the store', async () => {
    const { index, registry } = await setUp();
    await registry.touchInstances([A1], at('00:03:00.000'));
    expect(await registry.putSubscription('a', { id: 's1', event: 'sh.keptn.event.test.triggered', filter: ALL })).toBe(true);
    expect(index.integration('a')?.subscriptions).toHaveLength(1);
    expect(index.integration('a')?.metadata.lastseen).toBe(at('00:03:00.000'));
  });
});
