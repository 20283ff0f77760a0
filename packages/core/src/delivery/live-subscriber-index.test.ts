import { describe, expect, it } from 'vitest';
import type { KeptnEvent } from '../events/keptn-event.js';
import type { IntegrationRegistryStore } from '../ports/registry-store.js';
import type { InstanceRecord, IntegrationRecord, SubscriptionFilter } from '../registry/integration.js';
import { createLiveSubscriberIndex } from './live-subscriber-index.js';

const NOW = Date.UTC(2024, 0, 1);
const HEARTBEAT_MS = 5000;
const OFFLINE_MS = 3 * HEARTBEAT_MS + 1;
const ALL: SubscriptionFilter = { projects: [], stages: [], services: [] };
const TASK = {
  id: 't1',
  type: 'sh.keptn.event.test.triggered',
  data: { project: 'sockshop', stage: 'hardening', service: 'carts' },
} as unknown as KeptnEvent;
const ago = (ms: number) => new Date(NOW - ms).toISOString();

function integration(id: string, lastseenAgoMs = 0, event = TASK.type): IntegrationRecord {
  return {
    id,
    name: id,
    metadata: { lastseen: ago(lastseenAgoMs) } as IntegrationRecord['metadata'],
    subscriptions: [{ id: 's1', event, filter: ALL }],
  };
}

function instance(integrationId: string, instanceId: string, lastseenAgoMs = 0, stages: string[] = []): InstanceRecord {
  return { integrationId, instanceId, lastseen: ago(lastseenAgoMs), filters: { ...ALL, stages } } as InstanceRecord;
}

/** A stub store: reads answer from `state`, writes succeed (or throw when `failing`). */
function stubStore(state: { integrations: IntegrationRecord[]; instances: InstanceRecord[]; failing?: boolean }): IntegrationRegistryStore {
  const write = async <T>(value: T): Promise<T> => {
    if (state.failing) throw new Error('disk full');
    return value;
  };
  return {
    saveRegistration: () => write(undefined),
    getIntegration: async (id) => state.integrations.find((i) => i.id === id),
    listIntegrations: async () => state.integrations,
    listInstances: async (ids) => state.instances.filter((i) => ids.includes(i.integrationId)),
    deleteIntegration: () => write(true),
    deleteInstance: () => write(true),
    touchIntegration: (id, lastseen) => {
      const found = state.integrations.find((i) => i.id === id);
      return write(found && { ...found, metadata: { ...found.metadata, lastseen } });
    },
    touchInstance: (id, instanceId) => write(state.instances.some((i) => i.integrationId === id && i.instanceId === instanceId)),
    touchInstances: (refs) =>
      write(refs.map((ref) => state.instances.some((i) => i.integrationId === ref.integrationId && i.instanceId === ref.instanceId))),
    getInstance: async (id, instanceId) => state.instances.find((i) => i.integrationId === id && i.instanceId === instanceId),
    putSubscription: () => write(true),
    deleteSubscription: () => write(true),
    deleteIntegrationsSeenBefore: () => write(1),
    appendLogs: () => write(undefined),
    queryLogs: async () => ({ items: [], totalCount: 0 }),
    deleteLogs: () => write(0),
  };
}

async function indexOf(state: Parameters<typeof stubStore>[0]) {
  const index = createLiveSubscriberIndex({ store: stubStore(state), clock: { nowMs: () => NOW }, heartbeatIntervalMs: HEARTBEAT_MS });
  await index.load();
  return index;
}

describe('createLiveSubscriberIndex', () => {
  it('answers from what it loaded', async () => {
    expect((await indexOf({ integrations: [integration('a')], instances: [instance('a', 'x')] })).hasLiveSubscriber(TASK)).toBe(true);
    expect(
      (await indexOf({ integrations: [integration('a', 0, 'sh.keptn.event.other.triggered')], instances: [] })).hasLiveSubscriber(TASK),
    ).toBe(false);
    expect((await indexOf({ integrations: [], instances: [] })).hasLiveSubscriber(TASK)).toBe(false);
  });

  it('applies a registration and drops the duplicates it merged', async () => {
    const state = { integrations: [integration('old')], instances: [instance('old', 'x')] };
    const index = await indexOf(state);
    const merged = integration('new', 0, 'sh.keptn.event.other.triggered');
    await index.store.saveRegistration({ integration: merged, instance: instance('new', 'y'), removeIds: ['old'] });
    expect(index.hasLiveSubscriber(TASK)).toBe(false);
    await index.store.saveRegistration({ integration: integration('new'), instance: instance('new', 'y') });
    expect(index.hasLiveSubscriber(TASK)).toBe(true);
  });

  it('keeps lastseen of the instance a heartbeat names', async () => {
    // Both offline; one serves another stage, the other this one.
    const state = {
      integrations: [integration('a', OFFLINE_MS)],
      instances: [instance('a', 'dev', OFFLINE_MS, ['dev']), instance('a', 'hardening', OFFLINE_MS, ['hardening'])],
    };
    const index = await indexOf(state);
    expect(index.hasLiveSubscriber(TASK)).toBe(false);
    await index.store.touchIntegration('a', ago(0), 'dev');
    expect(index.hasLiveSubscriber(TASK)).toBe(false);
    await index.store.touchIntegration('a', ago(0), 'hardening');
    expect(index.hasLiveSubscriber(TASK)).toBe(true);
  });

  it('keeps lastseen of an instance heartbeat without reading the integration', async () => {
    const state = {
      integrations: [integration('a', OFFLINE_MS)],
      instances: [instance('a', 'dev', OFFLINE_MS, ['dev']), instance('a', 'hardening', OFFLINE_MS, ['hardening'])],
    };
    const index = await indexOf(state);
    expect(await index.store.touchInstance('a', 'dev', ago(0))).toBe(true);
    expect(index.hasLiveSubscriber(TASK)).toBe(false);
    expect(await index.store.touchInstance('a', 'unknown', ago(0))).toBe(false);
    expect(index.hasLiveSubscriber(TASK)).toBe(false);
    expect(await index.store.touchInstance('a', 'hardening', ago(0))).toBe(true);
    expect(index.hasLiveSubscriber(TASK)).toBe(true);
  });

  it('keeps lastseen of the instances of a batch heartbeat that the store found', async () => {
    const state = {
      integrations: [integration('a', OFFLINE_MS)],
      instances: [instance('a', 'dev', OFFLINE_MS, ['dev']), instance('a', 'hardening', OFFLINE_MS, ['hardening'])],
    };
    const index = await indexOf(state);
    const refs = [
      { integrationId: 'a', instanceId: 'dev' },
      { integrationId: 'a', instanceId: 'unknown' },
    ];
    expect(await index.store.touchInstances(refs, ago(0))).toEqual([true, false]);
    expect(index.instance('a', 'dev')?.lastseen).toBe(ago(0));
    expect(index.instance('a', 'unknown')).toBeUndefined();
    expect(index.hasLiveSubscriber(TASK)).toBe(false);
    expect(await index.store.touchInstances([{ integrationId: 'a', instanceId: 'hardening' }], ago(0))).toEqual([true]);
    expect(index.hasLiveSubscriber(TASK)).toBe(true);
  });

  it('answers integration and instance lookups from the copy, with subscription changes applied', async () => {
    const state = { integrations: [integration('a')], instances: [instance('a', 'x')] };
    const index = await indexOf(state);
    // The store changes behind the index's back: the copy does not read it.
    state.integrations = [];
    state.instances = [];
    expect(index.integration('a')).toEqual(integration('a'));
    expect(index.instance('a', 'x')).toEqual(instance('a', 'x'));
    expect(index.instance('a', 'y')).toBeUndefined();
    expect(index.integration('b')).toBeUndefined();
    // A subscription change through the wrapper re-reads the integration before it answers.
    state.integrations = [integration('a', 0, 'sh.keptn.event.other.triggered')];
    await index.store.putSubscription('a', { id: 's1', event: 'sh.keptn.event.other.triggered', filter: ALL });
    expect(index.integration('a')?.subscriptions.map((s) => s.event)).toEqual(['sh.keptn.event.other.triggered']);
    await index.store.deleteInstance('a', 'x');
    expect(index.instance('a', 'x')).toBeUndefined();
  });

  it('forgets deleted instances and integrations', async () => {
    const state = { integrations: [integration('a'), integration('b')], instances: [instance('a', 'x'), instance('b', 'y', 0, ['dev'])] };
    const index = await indexOf(state);
    await index.store.deleteIntegration('a');
    expect(index.hasLiveSubscriber(TASK)).toBe(false);
    // b's integration pings, its only instance serves dev: once that instance is gone, b counts (Keptn distributor rule).
    await index.store.deleteInstance('b', 'y');
    expect(index.hasLiveSubscriber(TASK)).toBe(true);
  });

  it('re-reads an integration whose subscriptions changed', async () => {
    const state = { integrations: [integration('a')], instances: [instance('a', 'x')] };
    const index = await indexOf(state);
    state.integrations = [integration('a', 0, 'sh.keptn.event.other.triggered')];
    expect(index.hasLiveSubscriber(TASK)).toBe(true);
    await index.store.putSubscription('a', { id: 's1', event: 'sh.keptn.event.other.triggered', filter: ALL });
    expect(index.hasLiveSubscriber(TASK)).toBe(false);
    state.integrations = [integration('a')];
    await index.store.deleteSubscription('a', 's2');
    expect(index.hasLiveSubscriber(TASK)).toBe(true);
  });

  it('expires what was last seen before the cutoff, as the store does', async () => {
    const state = {
      integrations: [integration('old', 60_000), integration('recent', 0)],
      instances: [
        instance('old', 'x', 60_000),
        instance('recent', 'stale', 60_000, ['hardening']),
        instance('recent', 'fresh', 0, ['dev']),
      ],
    };
    const index = await indexOf(state);
    await index.store.deleteIntegrationsSeenBefore(ago(30_000));
    // Left: recent's fresh instance, which serves dev only.
    expect(index.hasLiveSubscriber(TASK)).toBe(false);
  });

  it('keeps the copy when a write fails', async () => {
    const state = { integrations: [integration('a')], instances: [instance('a', 'x')], failing: true };
    const index = await indexOf(state);
    await expect(index.store.deleteIntegration('a')).rejects.toThrow('disk full');
    expect(index.hasLiveSubscriber(TASK)).toBe(true);
  });

  it('passes reads through to the store', async () => {
    const state = { integrations: [integration('a')], instances: [instance('a', 'x')] };
    const index = await indexOf(state);
    expect(await index.store.getIntegration('a')).toEqual(state.integrations[0]);
    expect(await index.store.listInstances(['a'])).toEqual(state.instances);
  });
});
