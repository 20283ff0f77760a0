/**
 * An in-memory copy of the registry's integrations and instances, so that whether a task has a
 * live subscriber ({@link hasLiveSubscriber}) is answered synchronously, inside an orchestration
 * step, without reading the store, and so that the task delivery reads the integration and the
 * instance of every long-poll look from memory (task-delivery.ts's `RegistryLookup`). The copy is loaded once
 * and then kept current by the registry writes made through {@link LiveSubscriberIndex.store}:
 * registrations, heartbeats (lastseen), subscription changes, deletes and expiry; a subscription
 * change is in the copy before its API call answers. Online state is computed from lastseen when
 * asked.
 *
 * Writes that bypass the wrapper (another control-plane replica on the same database) are seen
 * through {@link LiveSubscriberIndex.refresh}: the server calls it when another replica's notice says
 * an integration changed (`onChanged` is how this replica tells the others), and on a timer for the
 * heartbeats (lastseen) other replicas record, which are not announced.
 *
 * A lastseen in the copy never moves back. {@link LiveSubscriberIndex.noteSeen} notes heartbeats
 * without a store write, for a replica that writes them later in bulk (deferred-heartbeats.ts).
 */
import type { KeptnEvent } from '../events/keptn-event.js';
import type { Clock } from '../ports/clock.js';
import type { IntegrationRegistryStore } from '../ports/registry-store.js';
import type { InstanceRecord, IntegrationRecord } from '../registry/integration.js';
import { hasLiveSubscriber } from './live-subscribers.js';
import { subscriptionsAccept } from './subscription-match.js';
import type { HeartbeatCopy } from './deferred-heartbeats.js';

/** Options of {@link createLiveSubscriberIndex}. */
export interface LiveSubscriberIndexOptions {
  /** The registry store; every write must go through {@link LiveSubscriberIndex.store}. */
  store: IntegrationRegistryStore;
  clock: Clock;
  /** An instance is offline after 3 missed heartbeats. */
  heartbeatIntervalMs: number;
  /**
   * Called after a write through the wrapper that other replicas must see (registration, removal,
   * subscription change, expiry; not heartbeats), with the integration's id (none: several).
   */
  onChanged?: (integrationId?: string) => void;
}

/** The copy and the store wrapper that keeps it current. */
export interface LiveSubscriberIndex extends HeartbeatCopy {
  /** The registry store, with every successful write also applied to the copy. */
  readonly store: IntegrationRegistryStore;
  /** Reads the whole registry into the copy; call once before {@link hasLiveSubscriber}. */
  load(): Promise<void>;
  /** Re-reads one integration and its instances (or, without an id, everything) written by another replica. */
  refresh(integrationId?: string): Promise<void>;
  /** True when some integration is a live subscriber of the task now. */
  hasLiveSubscriber(task: KeptnEvent): boolean;
  /** Every integration with its instances, as the copy holds them now (for metrics; no store read). */
  registered(): Array<{ integration: IntegrationRecord; instances: InstanceRecord[] }>;
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
    // A record read back from the store (after a subscription change) may hold an older lastseen than a heartbeat noted here.
    const noted = entry.integration.metadata.lastseen;
    entry.integration =
      noted > integration.metadata.lastseen ? { ...integration, metadata: { ...integration.metadata, lastseen: noted } } : integration;
    entries.set(integration.id, entry);
    return entry;
  }

  function putInstance(instance: InstanceRecord): void {
    entries.get(instance.integrationId)?.instances.set(instance.instanceId, instance);
  }

  /** A heartbeat of one instance; it never moves a lastseen back. False when the copy does not know the instance. */
  function putInstanceSeen(integrationId: string, instanceId: string, lastseen: string): boolean {
    const entry = entries.get(integrationId);
    const instance = entry?.instances.get(instanceId);
    if (!entry || !instance) return false;
    // The store may leave the integration's lastseen up to a second behind; a second is nothing against the offline threshold.
    if (lastseen > entry.integration.metadata.lastseen) {
      entry.integration = { ...entry.integration, metadata: { ...entry.integration.metadata, lastseen } };
    }
    if (lastseen > instance.lastseen) entry.instances.set(instanceId, { ...instance, lastseen });
    return true;
  }

  const changed = (integrationId?: string): void => options.onChanged?.(integrationId);

  async function reloadIntegration(id: string): Promise<void> {
    const integration = await store.getIntegration(id);
    if (integration) putIntegration(integration);
    else entries.delete(id);
  }

  const wrapped: IntegrationRegistryStore = {
    getIntegration: (id) => store.getIntegration(id),
    listIntegrations: (query) => store.listIntegrations(query),
    listInstances: (ids) => store.listInstances(ids),
    getInstance: (id, instanceId) => store.getInstance(id, instanceId),
    appendLogs: (logs) => store.appendLogs(logs),
    queryLogs: (query) => store.queryLogs(query),
    deleteLogs: (query) => store.deleteLogs(query),
    async saveRegistration(change) {
      await store.saveRegistration(change);
      for (const id of change.removeIds ?? []) if (id !== change.integration.id) entries.delete(id);
      putIntegration(change.integration);
      if (change.instance) putInstance(change.instance);
      changed(change.removeIds?.some((id) => id !== change.integration.id) ? undefined : change.integration.id);
    },
    async deleteIntegration(id) {
      const removed = await store.deleteIntegration(id);
      entries.delete(id);
      changed(id);
      return removed;
    },
    async deleteInstance(integrationId, instanceId) {
      const removed = await store.deleteInstance(integrationId, instanceId);
      entries.get(integrationId)?.instances.delete(instanceId);
      changed(integrationId);
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
    async touchInstance(integrationId, instanceId, lastseen) {
      const found = await store.touchInstance(integrationId, instanceId, lastseen);
      if (found) putInstanceSeen(integrationId, instanceId, lastseen);
      return found;
    },
    async touchInstances(instances, lastseen) {
      const found = await store.touchInstances(instances, lastseen);
      instances.forEach((instance, i) => {
        if (found[i]) putInstanceSeen(instance.integrationId, instance.instanceId, lastseen);
      });
      return found;
    },
    async putSubscription(integrationId, subscription) {
      const found = await store.putSubscription(integrationId, subscription);
      if (found) await reloadIntegration(integrationId);
      if (found) changed(integrationId);
      return found;
    },
    async deleteSubscription(integrationId, subscriptionId) {
      const found = await store.deleteSubscription(integrationId, subscriptionId);
      if (found) await reloadIntegration(integrationId);
      if (found) changed(integrationId);
      return found;
    },
    async deleteIntegrationsSeenBefore(time) {
      const removed = await store.deleteIntegrationsSeenBefore(time);
      // The same rule as the store: instances and integrations last seen before `time` go.
      for (const [id, entry] of entries) {
        if (entry.integration.metadata.lastseen < time) entries.delete(id);
        else for (const [instanceId, instance] of entry.instances) if (instance.lastseen < time) entry.instances.delete(instanceId);
      }
      if (removed > 0) changed();
      return removed;
    },
  };

  async function load(): Promise<void> {
    const integrations = await store.listIntegrations({});
    const instances = integrations.length > 0 ? await store.listInstances(integrations.map((i) => i.id)) : [];
    entries.clear();
    for (const integration of integrations) putIntegration(integration);
    for (const instance of instances) putInstance(instance);
  }

  return {
    store: wrapped,
    load,
    noteSeen(instances, lastseen) {
      return instances.map((instance) => putInstanceSeen(instance.integrationId, instance.instanceId, lastseen));
    },
    async refresh(integrationId) {
      if (integrationId === undefined) return load();
      const [integration, instances] = await Promise.all([store.getIntegration(integrationId), store.listInstances([integrationId])]);
      if (!integration) {
        entries.delete(integrationId);
        return;
      }
      entries.set(integrationId, { integration, instances: new Map(instances.map((instance) => [instance.instanceId, instance])) });
    },
    integration(id) {
      return entries.get(id)?.integration;
    },
    instance(integrationId, instanceId) {
      return entries.get(integrationId)?.instances.get(instanceId);
    },
    registered() {
      return [...entries.values()].map((entry) => ({ integration: entry.integration, instances: [...entry.instances.values()] }));
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
