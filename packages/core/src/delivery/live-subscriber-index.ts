/**
 * An in-memory copy of the registry's integrations and instances, so that whether a task has a
 * live subscriber ({@link hasLiveSubscriber}) is answered synchronously, inside an orchestration
 * step, without reading the store. The copy is loaded once and then kept current by the registry
 * writes made through {@link LiveSubscriberIndex.store}: registrations, heartbeats (lastseen),
 * subscription changes, deletes and expiry. Online state is computed from lastseen when asked.
 * Writes that bypass the wrapper (another process on the same database) are not seen; the server
 * is the only writer of its registry.
 */
import type { KeptnEvent } from '../events/keptn-event.js';
import type { Clock } from '../ports/clock.js';
import type { IntegrationRegistryStore } from '../ports/registry-store.js';
import type { InstanceRecord, IntegrationRecord } from '../registry/integration.js';
import { hasLiveSubscriber } from './live-subscribers.js';
import { subscriptionsAccept } from './subscription-match.js';

/** Options of {@link createLiveSubscriberIndex}. */
export interface LiveSubscriberIndexOptions {
  /** The registry store; every write must go through {@link LiveSubscriberIndex.store}. */
  store: IntegrationRegistryStore;
  clock: Clock;
  /** An instance is offline after 3 missed heartbeats. */
  heartbeatIntervalMs: number;
}

/** The copy and the store wrapper that keeps it current. */
export interface LiveSubscriberIndex {
  /** The registry store, with every successful write also applied to the copy. */
  readonly store: IntegrationRegistryStore;
  /** Reads the whole registry into the copy; call once before {@link hasLiveSubscriber}. */
  load(): Promise<void>;
  /** True when some integration is a live subscriber of the task now. */
  hasLiveSubscriber(task: KeptnEvent): boolean;
}

interface Entry {
  integration: IntegrationRecord;
  instances: Map<string, InstanceRecord>;
}

/** Wires the index around `options.store`. */
export function createLiveSubscriberIndex(options: LiveSubscriberIndexOptions): LiveSubscriberIndex {
  const { store, clock } = options;
  const entries = new Map<string, Entry>();

  function putIntegration(integration: IntegrationRecord): Entry {
    const entry = entries.get(integration.id) ?? { integration, instances: new Map<string, InstanceRecord>() };
    entry.integration = integration;
    entries.set(integration.id, entry);
    return entry;
  }

  function putInstance(instance: InstanceRecord): void {
    entries.get(instance.integrationId)?.instances.set(instance.instanceId, instance);
  }

  async function reloadIntegration(id: string): Promise<void> {
    const integration = await store.getIntegration(id);
    if (integration) putIntegration(integration);
    else entries.delete(id);
  }

  const wrapped: IntegrationRegistryStore = {
    getIntegration: (id) => store.getIntegration(id),
    listIntegrations: (query) => store.listIntegrations(query),
    listInstances: (ids) => store.listInstances(ids),
    appendLogs: (logs) => store.appendLogs(logs),
    queryLogs: (query) => store.queryLogs(query),
    deleteLogs: (query) => store.deleteLogs(query),
    async saveRegistration(change) {
      await store.saveRegistration(change);
      for (const id of change.removeIds ?? []) if (id !== change.integration.id) entries.delete(id);
      putIntegration(change.integration);
      if (change.instance) putInstance(change.instance);
    },
    async deleteIntegration(id) {
      const removed = await store.deleteIntegration(id);
      entries.delete(id);
      return removed;
    },
    async deleteInstance(integrationId, instanceId) {
      const removed = await store.deleteInstance(integrationId, instanceId);
      entries.get(integrationId)?.instances.delete(instanceId);
      return removed;
    },
    async touchIntegration(id, lastseen, instanceId) {
      const updated = await store.touchIntegration(id, lastseen, instanceId);
      if (!updated) return updated;
      const entry = putIntegration(updated);
      const instance = instanceId === undefined ? undefined : entry.instances.get(instanceId);
      if (instance) entry.instances.set(instance.instanceId, { ...instance, lastseen });
      return updated;
    },
    async putSubscription(integrationId, subscription) {
      const found = await store.putSubscription(integrationId, subscription);
      if (found) await reloadIntegration(integrationId);
      return found;
    },
    async deleteSubscription(integrationId, subscriptionId) {
      const found = await store.deleteSubscription(integrationId, subscriptionId);
      if (found) await reloadIntegration(integrationId);
      return found;
    },
    async deleteIntegrationsSeenBefore(time) {
      const removed = await store.deleteIntegrationsSeenBefore(time);
      // The same rule as the store: instances and integrations last seen before `time` go.
      for (const [id, entry] of entries) {
        if (entry.integration.metadata.lastseen < time) entries.delete(id);
        else for (const [instanceId, instance] of entry.instances) if (instance.lastseen < time) entry.instances.delete(instanceId);
      }
      return removed;
    },
  };

  return {
    store: wrapped,
    async load() {
      const integrations = await store.listIntegrations({});
      const instances = integrations.length > 0 ? await store.listInstances(integrations.map((i) => i.id)) : [];
      entries.clear();
      for (const integration of integrations) putIntegration(integration);
      for (const instance of instances) putInstance(instance);
    },
    hasLiveSubscriber(task) {
      const integrations: IntegrationRecord[] = [];
      const instances: InstanceRecord[] = [];
      for (const entry of entries.values()) {
        if (!subscriptionsAccept(entry.integration.subscriptions, task)) continue;
        integrations.push(entry.integration);
        instances.push(...entry.instances.values());
      }
      if (integrations.length === 0) return false;
      return hasLiveSubscriber(task, { integrations, instances, nowMs: clock.nowMs(), heartbeatIntervalMs: options.heartbeatIntervalMs });
    },
  };
}
