/**
 * The integration registry port on the store's PostgreSQL pool. Integrations keep their
 * subscriptions inside the JSON document, as in the SQLite store: they are read and written with
 * the integration (the row locked for the read-modify-write), and the list filters on
 * project/stage/service run over those few documents.
 */
import { INTEGRATION_LASTSEEN_SLACK_MS, keptnTime } from '@shipmate/core';
import type {
  EventSubscription,
  InstanceRecord,
  IntegrationQuery,
  IntegrationRecord,
  IntegrationRegistryStore,
  LogEntry,
  LogQuery,
} from '@shipmate/core';
import { Where, changed, sqlLimit } from './sql.js';
import type { Queryable, RunInTransaction, RunOnPool } from './sql.js';

interface DocRow<T> {
  doc: T;
}

/** Some subscription's filter list contains the value (empty lists do not match, as Keptn). */
function subscribedTo(record: IntegrationRecord, key: 'projects' | 'stages' | 'services', value: string | undefined): boolean {
  return value === undefined || record.subscriptions.some((s) => s.filter[key].includes(value));
}

const SQL = {
  upsert: `INSERT INTO integrations (id, name, namespace, hostname, lastseen, doc) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, namespace = excluded.namespace, hostname = excluded.hostname,
       lastseen = excluded.lastseen, doc = excluded.doc`,
  get: 'SELECT doc FROM integrations WHERE id = $1',
  getForUpdate: 'SELECT doc FROM integrations WHERE id = $1 FOR UPDATE',
  remove: 'DELETE FROM integrations WHERE id = $1',
  removeInstance: 'DELETE FROM integration_instances WHERE integration_id = $1 AND instance_id = $2',
  upsertInstance: `INSERT INTO integration_instances (integration_id, instance_id, lastseen, doc) VALUES ($1, $2, $3, $4)
     ON CONFLICT (integration_id, instance_id) DO UPDATE SET lastseen = excluded.lastseen, doc = excluded.doc`,
  touchInstance: `UPDATE integration_instances SET lastseen = $1, doc = jsonb_set(doc::jsonb, '{lastseen}', to_jsonb($1::text))::json
     WHERE integration_id = $2 AND instance_id = $3`,
  // Sets lastseen unless it is already later than the given bound (ISO strings sort by time).
  touchSeen: `UPDATE integrations SET lastseen = $1, doc = jsonb_set(doc::jsonb, '{metadata,lastseen}', to_jsonb($1::text))::json
     WHERE id = $2 AND lastseen <= $3`,
  getInstance: 'SELECT doc FROM integration_instances WHERE integration_id = $1 AND instance_id = $2',
  instancesOf: 'SELECT doc FROM integration_instances WHERE integration_id = ANY($1::text[]) ORDER BY integration_id, instance_id',
  expiredInstances: 'DELETE FROM integration_instances WHERE lastseen < $1',
  expired: 'DELETE FROM integrations WHERE lastseen < $1',
  insertLog: 'INSERT INTO integration_logs (integration_id, time, doc) VALUES ($1, $2, $3)',
} as const;

/** Builds the registry methods on the store's pool; `run` and `transaction` map errors as the rest of the store does. */
export function buildPostgresRegistryStore(run: RunOnPool, transaction: RunInTransaction): IntegrationRegistryStore {
  const put = (db: Queryable, r: IntegrationRecord) =>
    db.query(SQL.upsert, [
      r.id,
      r.name,
      r.metadata.kubernetesmetadata.namespace,
      r.metadata.hostname,
      r.metadata.lastseen,
      JSON.stringify(r),
    ]);

  const lockedRecord = async (db: Queryable, id: string): Promise<IntegrationRecord | undefined> =>
    (await db.query<DocRow<IntegrationRecord>>(SQL.getForUpdate, [id])).rows[0]?.doc;

  /** One instance heartbeat, inside the caller's transaction. */
  async function touchOne(db: Queryable, id: string, instanceId: string, lastseen: string): Promise<boolean> {
    // The instance row exists only while its integration does (foreign key), so one update tells both.
    if (changed(await db.query(SQL.touchInstance, [lastseen, id, instanceId])) === 0) return false;
    // A no-op for the other instances of an integration in the same batch: its lastseen is recent already.
    await db.query(SQL.touchSeen, [lastseen, id, keptnTime(Date.parse(lastseen) - INTEGRATION_LASTSEEN_SLACK_MS)]);
    return true;
  }

  function editSubscriptions(id: string, edit: (subs: EventSubscription[]) => EventSubscription[]): Promise<boolean> {
    return transaction(async (tx) => {
      const record = await lockedRecord(tx, id);
      if (!record) return false;
      await put(tx, { ...record, subscriptions: edit(record.subscriptions) });
      return true;
    });
  }

  function logWhere(q: LogQuery): Where {
    const w = new Where().eq('integration_id', q.integrationId);
    if (q.fromTime !== undefined) w.add(`time >= ${w.param(q.fromTime)}`);
    if (q.beforeTime !== undefined) w.add(`time <= ${w.param(q.beforeTime)}`);
    return w;
  }

  return {
    saveRegistration(change) {
      return transaction(async (tx) => {
        for (const id of change.removeIds ?? []) {
          if (id !== change.integration.id) await tx.query(SQL.remove, [id]);
        }
        await put(tx, change.integration);
        const i = change.instance;
        if (i) await tx.query(SQL.upsertInstance, [i.integrationId, i.instanceId, i.lastseen, JSON.stringify(i)]);
      });
    },

    getIntegration(id) {
      return run(async (db) => (await db.query<DocRow<IntegrationRecord>>(SQL.get, [id])).rows[0]?.doc);
    },

    listIntegrations(q: IntegrationQuery) {
      return run(async (db) => {
        const w = new Where().eq('id', q.id).eq('name', q.name).eq('namespace', q.namespace).eq('hostname', q.hostname);
        const rows = await db.query<DocRow<IntegrationRecord>>(`SELECT doc FROM integrations ${w.toString()} ORDER BY name, id`, w.params);
        return rows.rows
          .map((row) => row.doc)
          .filter(
            (r) => subscribedTo(r, 'projects', q.project) && subscribedTo(r, 'stages', q.stage) && subscribedTo(r, 'services', q.service),
          );
      });
    },

    deleteIntegration(id) {
      return run(async (db) => changed(await db.query(SQL.remove, [id])) > 0);
    },

    deleteInstance(id, instanceId) {
      return run(async (db) => changed(await db.query(SQL.removeInstance, [id, instanceId])) > 0);
    },

    touchIntegration(id, lastseen, instanceId) {
      return transaction(async (tx) => {
        const record = await lockedRecord(tx, id);
        if (!record) return undefined;
        const updated = { ...record, metadata: { ...record.metadata, lastseen } };
        await put(tx, updated);
        if (instanceId !== undefined) await tx.query(SQL.touchInstance, [lastseen, id, instanceId]);
        return updated;
      });
    },

    touchInstance(id, instanceId, lastseen) {
      return transaction((tx) => touchOne(tx, id, instanceId, lastseen));
    },

    touchInstances(instances, lastseen) {
      if (instances.length === 0) return Promise.resolve([]);
      return transaction(async (tx) => {
        const found: boolean[] = [];
        for (const i of instances) found.push(await touchOne(tx, i.integrationId, i.instanceId, lastseen));
        return found;
      });
    },

    getInstance(id, instanceId) {
      return run(async (db) => (await db.query<DocRow<InstanceRecord>>(SQL.getInstance, [id, instanceId])).rows[0]?.doc);
    },

    listInstances(ids) {
      return run(async (db) => (await db.query<DocRow<InstanceRecord>>(SQL.instancesOf, [[...ids]])).rows.map((row) => row.doc));
    },

    putSubscription(id, subscription) {
      return editSubscriptions(id, (subs) =>
        subs.some((x) => x.id === subscription.id)
          ? subs.map((x) => (x.id === subscription.id ? subscription : x))
          : [...subs, subscription],
      );
    },

    deleteSubscription(id, subscriptionId) {
      return editSubscriptions(id, (subs) => subs.filter((x) => x.id !== subscriptionId));
    },

    deleteIntegrationsSeenBefore(time) {
      return transaction(async (tx) => {
        await tx.query(SQL.expiredInstances, [time]);
        return changed(await tx.query(SQL.expired, [time]));
      });
    },

    appendLogs(entries: readonly LogEntry[]) {
      if (entries.length === 0) return Promise.resolve();
      return transaction(async (tx) => {
        for (const e of entries) await tx.query(SQL.insertLog, [e.integrationid, e.time, JSON.stringify(e)]);
      });
    },

    queryLogs(q) {
      return transaction(async (tx) => {
        const w = logWhere(q);
        const n = w.params.length;
        const count = await tx.query<{ n: number }>(`SELECT count(*) AS n FROM integration_logs ${w.toString()}`, w.params);
        const rows = await tx.query<DocRow<LogEntry>>(
          `SELECT doc FROM integration_logs ${w.toString()} ORDER BY time DESC, seq DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
          [...w.params, sqlLimit(q.limit), Math.max(0, q.offset)],
        );
        return { items: rows.rows.map((row) => row.doc), totalCount: count.rows[0]?.n ?? 0 };
      }, 'snapshot');
    },

    deleteLogs(q) {
      return run(async (db) => {
        const w = logWhere(q);
        return changed(await db.query(`DELETE FROM integration_logs ${w.toString()}`, w.params));
      });
    },
  };
}
