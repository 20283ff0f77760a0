/**
 * The contract of the integration registry port: one vitest suite that every
 * `IntegrationRegistryStore` adapter runs. Each test gets a fresh, empty store from `createStore`
 * and hands it to `cleanup` afterwards.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INTEGRATION_LASTSEEN_SLACK_MS } from '@shipmate/core';
import type { InstanceRecord, IntegrationRecord, IntegrationRegistryStore, LogEntry } from '@shipmate/core';
import { at } from './store-fixtures.js';

/** An integration record with the given fields (namespace `keptn`, one subscription). */
export function fixtureIntegration(
  fields: Partial<IntegrationRecord> & { id: string; namespace?: string; lastseen?: string },
): IntegrationRecord {
  const { namespace, lastseen, ...rest } = fields;
  return {
    name: 'helm-service',
    metadata: {
      hostname: 'node-1',
      integrationversion: '1.0.0',
      distributorversion: '0.18.0',
      location: 'control-plane',
      lastseen: lastseen ?? at(0),
      kubernetesmetadata: { namespace: namespace ?? 'keptn', podname: 'pod-1', deploymentname: 'helm-service' },
    },
    subscriptions: [
      { id: `${fields.id}-s1`, event: 'sh.keptn.event.deployment.triggered', filter: { projects: [], stages: [], services: [] } },
    ],
    ...rest,
  };
}

/** An instance record of an integration. */
export function fixtureInstance(integrationId: string, instanceId: string, lastseen = at(0)): InstanceRecord {
  return {
    integrationId,
    instanceId,
    hostname: 'node-1',
    podname: instanceId,
    location: 'control-plane',
    integrationversion: '1.0.0',
    distributorversion: '0.18.0',
    filters: { projects: [], stages: ['dev'], services: [] },
    lastseen,
  };
}

function log(integrationid: string, minute: number, message = `m${minute}`): LogEntry {
  return { integrationid, message, time: at(minute), task: 'deployment' };
}

/** Runs the registry contract suite against the adapter that `createStore` opens. */
export function describeRegistryStoreContract<S extends IntegrationRegistryStore>(
  name: string,
  createStore: () => Promise<S>,
  cleanup: (store: S) => Promise<void>,
): void {
  describe(`IntegrationRegistryStore contract: ${name}`, () => {
    let store: S;

    beforeEach(async () => {
      store = await createStore();
    });

    afterEach(async () => {
      await cleanup(store);
    });

    it('saves, reads, replaces and deletes an integration with its instances', async () => {
      const record = fixtureIntegration({ id: 'a' });
      await store.saveRegistration({ integration: record, instance: fixtureInstance('a', 'i1') });
      expect(await store.getIntegration('a')).toEqual(record);
      const replaced = { ...record, metadata: { ...record.metadata, integrationversion: '2.0.0' } };
      await store.saveRegistration({ integration: replaced, instance: fixtureInstance('a', 'i1', at(1)) });
      expect(await store.getIntegration('a')).toEqual(replaced);
      expect(await store.listInstances(['a'])).toEqual([fixtureInstance('a', 'i1', at(1))]);
      expect(await store.deleteIntegration('a')).toBe(true);
      expect(await store.deleteIntegration('a')).toBe(false);
      expect(await store.getIntegration('a')).toBeUndefined();
      expect(await store.listInstances(['a'])).toEqual([]);
    });

    it('deletes one instance and keeps the integration and its other instances', async () => {
      await store.saveRegistration({ integration: fixtureIntegration({ id: 'a' }), instance: fixtureInstance('a', 'i1') });
      await store.saveRegistration({ integration: fixtureIntegration({ id: 'a' }), instance: fixtureInstance('a', 'i2') });
      expect(await store.deleteInstance('a', 'i1')).toBe(true);
      expect(await store.deleteInstance('a', 'i1')).toBe(false);
      expect(await store.deleteInstance('unknown', 'i2')).toBe(false);
      expect((await store.listInstances(['a'])).map((i) => i.instanceId)).toEqual(['i2']);
      expect(await store.getIntegration('a')).toBeDefined();
    });

    it('removes merged duplicates with their instances in the same step', async () => {
      await store.saveRegistration({ integration: fixtureIntegration({ id: 'old' }), instance: fixtureInstance('old', 'i1') });
      await store.saveRegistration({ integration: fixtureIntegration({ id: 'new' }), removeIds: ['old'] });
      expect((await store.listIntegrations({})).map((r) => r.id)).toEqual(['new']);
      expect(await store.listInstances(['old', 'new'])).toEqual([]);
    });

    it('filters the list by id, name, namespace, hostname and by subscription filters', async () => {
      const withFilter = fixtureIntegration({ id: 'b', name: 'jmeter' });
      withFilter.subscriptions = [{ id: 's', event: 'e', filter: { projects: ['shop'], stages: ['dev'], services: ['carts'] } }];
      await store.saveRegistration({ integration: fixtureIntegration({ id: 'a', namespace: 'other' }) });
      await store.saveRegistration({ integration: withFilter });
      const ids = async (q: Parameters<IntegrationRegistryStore['listIntegrations']>[0]) =>
        (await store.listIntegrations(q)).map((r) => r.id);
      expect(await ids({})).toEqual(['a', 'b']);
      expect(await ids({ id: 'b' })).toEqual(['b']);
      expect(await ids({ name: 'helm-service', namespace: 'other' })).toEqual(['a']);
      expect(await ids({ name: 'helm-service', namespace: 'keptn' })).toEqual([]);
      expect(await ids({ hostname: 'node-1' })).toEqual(['a', 'b']);
      expect(await ids({ project: 'shop', stage: 'dev', service: 'carts' })).toEqual(['b']);
      // An empty filter means "all" but does not match a filter query (as Keptn).
      expect(await ids({ stage: 'prod' })).toEqual([]);
    });

    it('touches the integration and only the named instance', async () => {
      await store.saveRegistration({ integration: fixtureIntegration({ id: 'a' }), instance: fixtureInstance('a', 'i1') });
      await store.saveRegistration({ integration: fixtureIntegration({ id: 'a' }), instance: fixtureInstance('a', 'i2') });
      const touched = await store.touchIntegration('a', at(5), 'i2');
      expect(touched?.metadata.lastseen).toBe(at(5));
      expect((await store.getIntegration('a'))?.metadata.lastseen).toBe(at(5));
      expect((await store.listInstances(['a'])).map((i) => [i.instanceId, i.lastseen])).toEqual([
        ['i1', at(0)],
        ['i2', at(5)],
      ]);
      expect(await store.touchIntegration('nope', at(5))).toBeUndefined();
    });

    it('touches one instance and its integration; false and no change for an unknown instance or integration', async () => {
      await store.saveRegistration({ integration: fixtureIntegration({ id: 'a' }), instance: fixtureInstance('a', 'i1') });
      await store.saveRegistration({ integration: fixtureIntegration({ id: 'a' }), instance: fixtureInstance('a', 'i2') });
      const lastseen = () => store.listInstances(['a']).then((all) => all.map((i) => [i.instanceId, i.lastseen]));
      expect(await store.touchInstance('a', 'i2', at(5))).toBe(true);
      expect(await lastseen()).toEqual([
        ['i1', at(0)],
        ['i2', at(5)],
      ]);
      expect((await store.getInstance('a', 'i2'))?.lastseen).toBe(at(5));
      expect((await store.getIntegration('a'))?.metadata.lastseen).toBe(at(5));
      expect((await store.listIntegrations({})).map((i) => i.metadata.lastseen)).toEqual([at(5)]);

      expect(await store.touchInstance('a', 'nope', at(6))).toBe(false);
      expect(await store.touchInstance('nope', 'i1', at(6))).toBe(false);
      expect((await store.getIntegration('a'))?.metadata.lastseen).toBe(at(5));
      expect(await lastseen()).toEqual([
        ['i1', at(0)],
        ['i2', at(5)],
      ]);
    });

    it('touches a batch of instances at once, telling which were found; an empty batch changes nothing', async () => {
      await store.saveRegistration({ integration: fixtureIntegration({ id: 'a' }), instance: fixtureInstance('a', 'i1') });
      await store.saveRegistration({ integration: fixtureIntegration({ id: 'a' }), instance: fixtureInstance('a', 'i2') });
      await store.saveRegistration({ integration: fixtureIntegration({ id: 'b' }), instance: fixtureInstance('b', 'i3') });
      await store.saveRegistration({ integration: fixtureIntegration({ id: 'c' }), instance: fixtureInstance('c', 'i4') });
      const lastseen = () => store.listInstances(['a', 'b', 'c']).then((all) => all.map((i) => [i.instanceId, i.lastseen]));

      expect(await store.touchInstances([], at(5))).toEqual([]);
      expect(
        await store.touchInstances(
          [
            { integrationId: 'a', instanceId: 'i2' },
            { integrationId: 'a', instanceId: 'nope' },
            { integrationId: 'b', instanceId: 'i3' },
            { integrationId: 'nope', instanceId: 'i4' },
            { integrationId: 'a', instanceId: 'i1' },
          ],
          at(5),
        ),
      ).toEqual([true, false, true, false, true]);
      expect(await lastseen()).toEqual([
        ['i1', at(5)],
        ['i2', at(5)],
        ['i3', at(5)],
        ['i4', at(0)],
      ]);
      expect((await store.getInstance('b', 'i3'))?.lastseen).toBe(at(5));
      expect((await store.listIntegrations({})).map((i) => [i.id, i.metadata.lastseen])).toEqual([
        ['a', at(5)],
        ['b', at(5)],
        ['c', at(0)],
      ]);
    });

    it('renews exactly the instances of a batch, and their integrations, leaving every other record as it was', async () => {
      const integrations = ['a', 'b', 'c'].map((id) => fixtureIntegration({ id, lastseen: at(1) }));
      const instances = integrations.flatMap((r) => ['1', '2', '3'].map((n) => fixtureInstance(r.id, `${r.id}${n}`, at(1))));
      for (const instance of instances) {
        const integration = integrations.find((r) => r.id === instance.integrationId)!;
        await store.saveRegistration({ integration, instance });
      }
      const renewed = new Set(['a1', 'a3', 'b2']);
      const batch = [...renewed].map((instanceId) => ({ integrationId: instanceId[0]!, instanceId }));
      // The same instance twice, and unknown ones, change nothing more.
      batch.push({ integrationId: 'a', instanceId: 'a1' }, { integrationId: 'c', instanceId: 'a2' });
      expect(await store.touchInstances(batch, at(7))).toEqual([true, true, true, true, false]);

      const expectedInstances = instances.map((i) => ({ ...i, lastseen: renewed.has(i.instanceId) ? at(7) : at(1) }));
      expect(await store.listInstances(['a', 'b', 'c'])).toEqual(expectedInstances);
      for (const instance of expectedInstances) {
        expect(await store.getInstance(instance.integrationId, instance.instanceId)).toEqual(instance);
      }
      const expectedIntegrations = integrations.map((r) => ({
        ...r,
        metadata: { ...r.metadata, lastseen: r.id === 'c' ? at(1) : at(7) },
      }));
      expect(await store.listIntegrations({})).toEqual(expectedIntegrations);
      for (const integration of expectedIntegrations) expect(await store.getIntegration(integration.id)).toEqual(integration);
      // Expiry goes by the renewed lastseen: what was not renewed is gone, the rest stays.
      expect(await store.deleteIntegrationsSeenBefore(at(5))).toBe(1);
      expect((await store.listInstances(['a', 'b', 'c'])).map((i) => i.instanceId)).toEqual(['a1', 'a3', 'b2']);
    });

    it('keeps a renewed lastseen when the document is edited, and takes the lastseen of a new registration', async () => {
      await store.saveRegistration({ integration: fixtureIntegration({ id: 'a' }), instance: fixtureInstance('a', 'i1') });
      expect(await store.touchInstance('a', 'i1', at(5))).toBe(true);
      const sub = { id: 'x', event: 'sh.keptn.event.test.triggered', filter: { projects: [], stages: [], services: [] } };
      expect(await store.putSubscription('a', sub)).toBe(true);
      expect(await store.deleteSubscription('a', 'a-s1')).toBe(true);
      expect((await store.getIntegration('a'))?.metadata.lastseen).toBe(at(5));
      expect((await store.getInstance('a', 'i1'))?.lastseen).toBe(at(5));

      await store.saveRegistration({
        integration: fixtureIntegration({ id: 'a', lastseen: at(6) }),
        instance: fixtureInstance('a', 'i1', at(6)),
      });
      expect((await store.getIntegration('a'))?.metadata.lastseen).toBe(at(6));
      expect((await store.getInstance('a', 'i1'))?.lastseen).toBe(at(6));
      // A deleted instance registered again starts from its new record.
      expect(await store.deleteInstance('a', 'i1')).toBe(true);
      await store.saveRegistration({
        integration: fixtureIntegration({ id: 'a', lastseen: at(2) }),
        instance: fixtureInstance('a', 'i1', at(2)),
      });
      expect(await store.getInstance('a', 'i1')).toEqual(fixtureInstance('a', 'i1', at(2)));
      expect((await store.getIntegration('a'))?.metadata.lastseen).toBe(at(2));
    });

    it('leaves the integration lastseen of a heartbeat behind by less than INTEGRATION_LASTSEEN_SLACK_MS', async () => {
      await store.saveRegistration({ integration: fixtureIntegration({ id: 'a' }), instance: fixtureInstance('a', 'i1') });
      const base = Date.parse(at(0));
      const time = (ms: number) => new Date(base + ms).toISOString();
      const integrationSeen = async () => (await store.getIntegration('a'))?.metadata.lastseen;
      expect(await store.touchInstance('a', 'i1', time(INTEGRATION_LASTSEEN_SLACK_MS - 1))).toBe(true);
      expect(await integrationSeen()).toBe(at(0));
      expect((await store.getInstance('a', 'i1'))?.lastseen).toBe(time(INTEGRATION_LASTSEEN_SLACK_MS - 1));
      expect(await store.touchInstance('a', 'i1', time(INTEGRATION_LASTSEEN_SLACK_MS))).toBe(true);
      expect(await integrationSeen()).toBe(time(INTEGRATION_LASTSEEN_SLACK_MS));
      // The integration is expired and found by its column lastseen, which moves with the document's.
      expect(await store.deleteIntegrationsSeenBefore(time(INTEGRATION_LASTSEEN_SLACK_MS))).toBe(0);
    });

    it('gets one instance; undefined for an unknown instance or integration', async () => {
      await store.saveRegistration({ integration: fixtureIntegration({ id: 'a' }), instance: fixtureInstance('a', 'i1') });
      await store.saveRegistration({ integration: fixtureIntegration({ id: 'b' }), instance: fixtureInstance('b', 'i2') });
      expect(await store.getInstance('a', 'i1')).toEqual(fixtureInstance('a', 'i1'));
      expect(await store.getInstance('a', 'i2')).toBeUndefined();
      expect(await store.getInstance('nope', 'i1')).toBeUndefined();
    });

    it('puts, replaces and deletes subscriptions; false for an unknown integration', async () => {
      await store.saveRegistration({ integration: fixtureIntegration({ id: 'a' }) });
      const sub = { id: 'x', event: 'sh.keptn.event.test.triggered', filter: { projects: ['p'], stages: [], services: [] } };
      expect(await store.putSubscription('a', sub)).toBe(true);
      expect(await store.putSubscription('a', { ...sub, event: 'changed' })).toBe(true);
      expect((await store.getIntegration('a'))?.subscriptions.map((s) => [s.id, s.event])).toEqual([
        ['a-s1', 'sh.keptn.event.deployment.triggered'],
        ['x', 'changed'],
      ]);
      expect(await store.deleteSubscription('a', 'x')).toBe(true);
      expect(await store.deleteSubscription('a', 'x')).toBe(true);
      expect((await store.getIntegration('a'))?.subscriptions.map((s) => s.id)).toEqual(['a-s1']);
      expect(await store.putSubscription('nope', sub)).toBe(false);
      expect(await store.deleteSubscription('nope', 'x')).toBe(false);
    });

    it('expires integrations and instances seen before a time', async () => {
      await store.saveRegistration({
        integration: fixtureIntegration({ id: 'old', lastseen: at(1) }),
        instance: fixtureInstance('old', 'i', at(1)),
      });
      await store.saveRegistration({
        integration: fixtureIntegration({ id: 'new', lastseen: at(5) }),
        instance: fixtureInstance('new', 'stale', at(1)),
      });
      await store.saveRegistration({
        integration: fixtureIntegration({ id: 'new', lastseen: at(5) }),
        instance: fixtureInstance('new', 'fresh', at(5)),
      });
      expect(await store.deleteIntegrationsSeenBefore(at(3))).toBe(1);
      expect((await store.listIntegrations({})).map((r) => r.id)).toEqual(['new']);
      expect((await store.listInstances(['old', 'new'])).map((i) => i.instanceId)).toEqual(['fresh']);
    });

    it('stores logs and queries them newest first with inclusive bounds and pages', async () => {
      await store.appendLogs([log('a', 1), log('a', 2), log('a', 3), log('b', 2)]);
      const all = await store.queryLogs({ offset: 0, limit: 0 });
      expect(all.totalCount).toBe(4);
      expect(all.items.map((e) => e.message)).toEqual(['m3', 'm2', 'm2', 'm1']);
      const page = await store.queryLogs({ integrationId: 'a', fromTime: at(1), beforeTime: at(2), offset: 1, limit: 1 });
      expect(page).toEqual({ items: [log('a', 1)], totalCount: 2 });
      expect(await store.deleteLogs({ beforeTime: at(2) })).toBe(3);
      expect((await store.queryLogs({ offset: 0, limit: 0 })).items).toEqual([log('a', 3)]);
      expect(await store.deleteLogs({ integrationId: 'a' })).toBe(1);
    });
  });
}
