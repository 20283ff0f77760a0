/**
 * The heartbeats of agent instances, noted in memory at once and written to the store in bulk,
 * for a control plane that is the only replica on its store (its step claims are not shared: the
 * embedded SQLite store). Every reader of a heartbeat then runs in this process:
 * - the live-subscriber index's copy ({@link HeartbeatCopy}) decides who is online, and it is
 *   updated at every heartbeat, as before;
 * - reads of integrations and instances through {@link DeferredHeartbeats.store} (the registry's
 *   views, collisions, `GET /uniform/registration`) report the later of the stored and the noted
 *   lastseen;
 * - the expiry sweep ({@link IntegrationRegistryStore.deleteIntegrationsSeenBefore}) writes every
 *   noted heartbeat before it deletes by the stored ones, and deleting an instance (an agent that
 *   unregisters) writes its last one first, so its integration keeps it as lastseen.
 * So only the store's own copy lags, by at most `writeEveryMs`, and only a crash shows it: after a
 * restart an instance looks as last seen up to that long before the crash until it polls again.
 *
 * Why: a fleet of idle agents renews the heartbeat of every parked poll (parked-heartbeats.ts), one
 * row per instance every 10 s with the default interval: 2,500 row writes every 5 s and about
 * 150 KiB/s of WAL for 5,000 instances that do nothing (issue 13, bench (e)). Written every
 * `writeEveryMs` instead, each instance costs one row write per period, its newest heartbeat.
 *
 * With shared claims (PostgreSQL, where other replicas may run) the store is how replicas see each
 * other's heartbeats, so the server does not use this there: every heartbeat is written as it comes.
 */
import { keptnTime } from '../events/keptn-event.js';
import type { IntegrationRegistryStore } from '../ports/registry-store.js';
import type { InstanceRecord, IntegrationRecord } from '../registry/integration.js';
import { instanceKey } from './task-delivery.js';
import type { InstanceRef, RegistryLookup } from './task-delivery.js';

/** The in-memory copy of the registry that the heartbeats go to at once. */
export interface HeartbeatCopy extends RegistryLookup {
  /**
   * Sets the lastseen of the instances (and of their integrations) in the copy, never moving one
   * back; per instance, whether the copy knows it.
   */
  noteSeen(instances: readonly InstanceRef[], lastseen: string): boolean[];
}

/** Options of {@link deferHeartbeatWrites}. */
export interface DeferredHeartbeatsOptions {
  /** Where the writes go; every registry write of the server passes through it. */
  store: IntegrationRegistryStore;
  copy: HeartbeatCopy;
  /** How often the noted heartbeats are written. */
  writeEveryMs: number;
  /** A timed write failed; its heartbeats stay noted and are written with the next. */
  onError: (error: unknown) => void;
}

/** The store wrapper and its timed writes. */
export interface DeferredHeartbeats {
  /** `options.store` with instance heartbeats noted, not written, and reads that see them. */
  readonly store: IntegrationRegistryStore;
  /** Writes every heartbeat noted so far (the newest of each instance). */
  flush(): Promise<void>;
  /** Stops the timer and writes what is left. */
  close(): Promise<void>;
}

/** One instance's newest heartbeat not yet written. */
interface Unwritten {
  readonly instance: InstanceRef;
  readonly lastseen: string;
}

/**
 * The stored time of a heartbeat: its whole second, so one write takes every instance noted within
 * that second (a heartbeat written a little early is never later than the one noted).
 */
function storedTime(lastseen: string): string {
  const ms = Date.parse(lastseen);
  return Number.isFinite(ms) ? keptnTime(ms - (ms % 1000)) : lastseen;
}

const later = (a: string, b: string | undefined): string => (b !== undefined && b > a ? b : a);

/** Wraps `options.store`; call {@link DeferredHeartbeats.close} on shutdown. */
export function deferHeartbeatWrites(options: DeferredHeartbeatsOptions): DeferredHeartbeats {
  const { store, copy } = options;
  let unwritten = new Map<string, Unwritten>();
  /** The write under way; the next one waits for it. */
  let writing: Promise<void> = Promise.resolve();

  function note(instances: readonly InstanceRef[], lastseen: string): boolean[] {
    const found = copy.noteSeen(instances, lastseen);
    instances.forEach((instance, i) => {
      const key = instanceKey(instance);
      if (found[i] && lastseen > (unwritten.get(key)?.lastseen ?? '')) unwritten.set(key, { instance, lastseen });
    });
    return found;
  }

  async function writeNoted(): Promise<void> {
    const batch = unwritten;
    if (batch.size === 0) return;
    unwritten = new Map();
    const byTime = new Map<string, InstanceRef[]>();
    for (const { instance, lastseen } of batch.values()) {
      const time = storedTime(lastseen);
      const group = byTime.get(time);
      if (group) group.push(instance);
      else byTime.set(time, [instance]);
    }
    try {
      for (const [time, instances] of byTime) await store.touchInstances(instances, time);
    } catch (error) {
      // Noted again unless a newer heartbeat came meanwhile; the rows written already are rewritten.
      for (const [key, entry] of batch) if (!unwritten.has(key)) unwritten.set(key, entry);
      throw error;
    }
  }

  function flush(): Promise<void> {
    writing = writing.catch(() => undefined).then(writeNoted);
    return writing;
  }

  const timer = setInterval(() => void flush().catch(options.onError), options.writeEveryMs);
  timer.unref();

  const seenInstance = (instance: InstanceRecord): InstanceRecord => {
    const lastseen = later(instance.lastseen, copy.instance(instance.integrationId, instance.instanceId)?.lastseen);
    return lastseen === instance.lastseen ? instance : { ...instance, lastseen };
  };
  const seenIntegration = (integration: IntegrationRecord): IntegrationRecord => {
    const lastseen = later(integration.metadata.lastseen, copy.integration(integration.id)?.metadata.lastseen);
    return lastseen === integration.metadata.lastseen ? integration : { ...integration, metadata: { ...integration.metadata, lastseen } };
  };

  /** Drops what is noted of the integration's instances (or one of them): a write stored a later lastseen, or removed them. */
  function forget(integrationId: string, instanceId?: string): void {
    if (instanceId !== undefined) unwritten.delete(instanceKey({ integrationId, instanceId }));
    else for (const [key, entry] of unwritten) if (entry.instance.integrationId === integrationId) unwritten.delete(key);
  }

  const wrapped: IntegrationRegistryStore = {
    appendLogs: (logs) => store.appendLogs(logs),
    queryLogs: (query) => store.queryLogs(query),
    deleteLogs: (query) => store.deleteLogs(query),
    putSubscription: (integrationId, subscription) => store.putSubscription(integrationId, subscription),
    deleteSubscription: (integrationId, subscriptionId) => store.deleteSubscription(integrationId, subscriptionId),
    async saveRegistration(change) {
      await store.saveRegistration(change);
      for (const id of change.removeIds ?? []) forget(id);
      if (change.instance) forget(change.instance.integrationId, change.instance.instanceId);
    },
    async deleteIntegration(id) {
      const removed = await store.deleteIntegration(id);
      forget(id);
      return removed;
    },
    async deleteInstance(integrationId, instanceId) {
      // Its integration keeps the instance's last heartbeat as its lastseen.
      const key = instanceKey({ integrationId, instanceId });
      const noted = unwritten.get(key);
      if (noted) await store.touchInstances([noted.instance], storedTime(noted.lastseen));
      const removed = await store.deleteInstance(integrationId, instanceId);
      unwritten.delete(key);
      return removed;
    },
    async touchIntegration(id, lastseen, instanceId) {
      const updated = await store.touchIntegration(id, lastseen, instanceId);
      if (updated && instanceId !== undefined) forget(id, instanceId);
      return updated && seenIntegration(updated);
    },
    async getIntegration(id) {
      const integration = await store.getIntegration(id);
      return integration && seenIntegration(integration);
    },
    async listIntegrations(query) {
      return (await store.listIntegrations(query)).map(seenIntegration);
    },
    async getInstance(integrationId, instanceId) {
      const instance = await store.getInstance(integrationId, instanceId);
      return instance && seenInstance(instance);
    },
    async listInstances(ids) {
      return (await store.listInstances(ids)).map(seenInstance);
    },
    async touchInstance(integrationId, instanceId, lastseen) {
      return note([{ integrationId, instanceId }], lastseen)[0] ?? false;
    },
    async touchInstances(instances, lastseen) {
      return note(instances, lastseen);
    },
    async deleteIntegrationsSeenBefore(time) {
      // The store deletes by its lastseen: it must hold every heartbeat noted first. Those went in
      // as whole seconds, so the bound is one too: the store and the copy (exact) then delete the same.
      await flush();
      return store.deleteIntegrationsSeenBefore(storedTime(time));
    },
  };

  return {
    store: wrapped,
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
