/**
 * The integration registry port of the in-memory store (memory-store.ts), with the SQLite
 * adapter's rules: deleting an integration deletes its instances, an instance's heartbeat moves
 * its integration's `lastseen` only once that lags by {@link INTEGRATION_LASTSEEN_SLACK_MS}, and
 * logs are read newest first.
 */
import { INTEGRATION_LASTSEEN_SLACK_MS, keptnTime } from '@shipmate/core';
import type { InstanceRecord, IntegrationRecord, IntegrationRegistryStore, LogEntry, LogQuery } from '@shipmate/core';
import { compareText, compositeKey, pageOf } from './memory-database.js';
import type { MemoryDatabase } from './memory-database.js';

interface LogRow {
  readonly seq: number;
  readonly integrationId: string;
  readonly time: string;
  readonly doc: string;
}

function parse<T>(doc: string): T {
  return JSON.parse(doc) as T;
}

/** Some subscription's filter list contains the value (empty lists do not match, as Keptn). */
function subscribedTo(record: IntegrationRecord, key: 'projects' | 'stages' | 'services', value: string | undefined): boolean {
  return value === undefined || record.subscriptions.some((s) => s.filter[key].includes(value));
}

function logMatches(q: LogQuery): (row: LogRow) => boolean {
  const { integrationId, fromTime, beforeTime } = q;
  return (row) =>
    (integrationId === undefined || row.integrationId === integrationId) &&
    (fromTime === undefined || row.time >= fromTime) &&
    (beforeTime === undefined || row.time <= beforeTime);
}

/** Builds the registry methods on the store's tables. */
export function buildMemoryRegistryStore(db: MemoryDatabase): IntegrationRegistryStore {
  /** Integration documents by id. */
  const integrations = db.table<string, string>();
  /** Instance documents by (integration id, instance id). */
  const instances = db.table<string, InstanceRecord>();
  const logs = db.table<number, LogRow>();
  let lastLogSeq = 0;

  const getRecord = (id: string): IntegrationRecord | undefined => {
    const doc = integrations.get(id);
    return doc === undefined ? undefined : parse<IntegrationRecord>(doc);
  };
  const put = (record: IntegrationRecord) => integrations.set(record.id, JSON.stringify(record));
  const instanceKey = (integrationId: string, instanceId: string) => compositeKey(integrationId, instanceId);
  const copyInstance = (instance: InstanceRecord): InstanceRecord => parse<InstanceRecord>(JSON.stringify(instance));

  function removeIntegration(id: string): boolean {
    instances.deleteWhere((i) => i.integrationId === id);
    return integrations.delete(id);
  }

  function editSubscriptions(id: string, edit: (subs: IntegrationRecord['subscriptions']) => IntegrationRecord['subscriptions']): boolean {
    const record = getRecord(id);
    if (!record) return false;
    put({ ...record, subscriptions: edit(record.subscriptions) });
    return true;
  }

  /** One instance heartbeat, inside the caller's transaction. */
  function touchOne(integrationId: string, instanceId: string, lastseen: string): boolean {
    const key = instanceKey(integrationId, instanceId);
    const instance = instances.get(key);
    if (!instance) return false;
    instances.set(key, { ...instance, lastseen });
    const record = getRecord(integrationId);
    // Rewritten only once it lags by the slack: a no-op for the other instances of a batch.
    if (record && record.metadata.lastseen <= keptnTime(Date.parse(lastseen) - INTEGRATION_LASTSEEN_SLACK_MS))
      put({ ...record, metadata: { ...record.metadata, lastseen } });
    return true;
  }

  function sortedLogs(q: LogQuery): LogRow[] {
    return logs
      .rows()
      .filter(logMatches(q))
      .sort((a, b) => (a.time === b.time ? b.seq - a.seq : compareText(b.time, a.time)));
  }

  return {
    async saveRegistration(change) {
      db.transaction(() => {
        for (const id of change.removeIds ?? []) if (id !== change.integration.id) removeIntegration(id);
        put(change.integration);
        const instance = change.instance;
        if (instance) {
          if (!integrations.has(instance.integrationId))
            throw new Error(
              `instance '${instance.instanceId}' has integrationId '${instance.integrationId}', an integration that is not stored; save the instance with its own integration`,
            );
          instances.set(instanceKey(instance.integrationId, instance.instanceId), copyInstance(instance));
        }
      });
    },

    async getIntegration(id) {
      return db.read(() => getRecord(id));
    },

    async listIntegrations(q) {
      return db.read(() =>
        integrations
          .rows()
          .map((doc) => parse<IntegrationRecord>(doc))
          .filter(
            (r) =>
              (q.id === undefined || r.id === q.id) &&
              (q.name === undefined || r.name === q.name) &&
              (q.namespace === undefined || r.metadata.kubernetesmetadata.namespace === q.namespace) &&
              (q.hostname === undefined || r.metadata.hostname === q.hostname),
          )
          .sort((a, b) => compareText(a.name, b.name) || compareText(a.id, b.id))
          .filter(
            (r) => subscribedTo(r, 'projects', q.project) && subscribedTo(r, 'stages', q.stage) && subscribedTo(r, 'services', q.service),
          ),
      );
    },

    async deleteIntegration(id) {
      return db.transaction(() => removeIntegration(id));
    },

    async deleteInstance(integrationId, instanceId) {
      return db.transaction(() => instances.delete(instanceKey(integrationId, instanceId)));
    },

    async touchIntegration(id, lastseen, instanceId) {
      return db.transaction(() => {
        const record = getRecord(id);
        if (!record) return undefined;
        const updated = { ...record, metadata: { ...record.metadata, lastseen } };
        put(updated);
        const key = instanceId === undefined ? undefined : instanceKey(id, instanceId);
        const instance = key === undefined ? undefined : instances.get(key);
        if (key !== undefined && instance) instances.set(key, { ...instance, lastseen });
        return updated;
      });
    },

    async touchInstance(integrationId, instanceId, lastseen) {
      return db.transaction(() => touchOne(integrationId, instanceId, lastseen));
    },

    async touchInstances(list, lastseen) {
      return db.transaction(() => list.map((i) => touchOne(i.integrationId, i.instanceId, lastseen)));
    },

    async getInstance(integrationId, instanceId) {
      return db.read(() => {
        const instance = instances.get(instanceKey(integrationId, instanceId));
        return instance && copyInstance(instance);
      });
    },

    async listInstances(ids) {
      return db.read(() => {
        const wanted = new Set(ids);
        return instances
          .rows()
          .filter((i) => wanted.has(i.integrationId))
          .sort((a, b) => compareText(a.integrationId, b.integrationId) || compareText(a.instanceId, b.instanceId))
          .map(copyInstance);
      });
    },

    async putSubscription(id, subscription) {
      return db.transaction(() =>
        editSubscriptions(id, (subs) =>
          subs.some((x) => x.id === subscription.id)
            ? subs.map((x) => (x.id === subscription.id ? subscription : x))
            : [...subs, subscription],
        ),
      );
    },

    async deleteSubscription(id, subscriptionId) {
      return db.transaction(() => editSubscriptions(id, (subs) => subs.filter((x) => x.id !== subscriptionId)));
    },

    async deleteIntegrationsSeenBefore(time) {
      return db.transaction(() => {
        instances.deleteWhere((i) => i.lastseen < time);
        const expired = integrations
          .rows()
          .map((doc) => parse<IntegrationRecord>(doc))
          .filter((r) => r.metadata.lastseen < time);
        for (const record of expired) removeIntegration(record.id);
        return expired.length;
      });
    },

    async appendLogs(entries) {
      db.transaction(() => {
        for (const entry of entries) {
          lastLogSeq += 1;
          logs.set(lastLogSeq, { seq: lastLogSeq, integrationId: entry.integrationid, time: entry.time, doc: JSON.stringify(entry) });
        }
      });
    },

    async queryLogs(q) {
      return db.read(() => {
        const matches = sortedLogs(q);
        const page = pageOf(matches, { offset: q.offset, limit: q.limit });
        return { items: page.items.map((row) => parse<LogEntry>(row.doc)), totalCount: matches.length };
      });
    },

    async deleteLogs(q) {
      return db.transaction(() => logs.deleteWhere(logMatches(q)));
    },
  };
}
