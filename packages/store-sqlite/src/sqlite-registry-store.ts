/**
 * The integration registry port on the store's SQLite connection (tables of migration 2).
 * Integrations keep their subscriptions inside the JSON document: they are read and written with
 * the integration, and the list filters on project/stage/service run over those few documents.
 */
import type Database from 'better-sqlite3';
import { INTEGRATION_LASTSEEN_SLACK_MS, keptnTime } from '@shipmate/core';
import type {
  EventSubscription,
  InstanceRecord,
  IntegrationQuery,
  IntegrationRecord,
  IntegrationRegistryStore,
  LogEntry,
  LogQuery,
  Page,
  RegistrationChange,
} from '@shipmate/core';

type SqlValue = string | number | bigint | null;
interface DocRow {
  doc: string;
}

/** Some subscription's filter list contains the value (empty lists do not match, as Keptn). */
function subscribedTo(record: IntegrationRecord, key: 'projects' | 'stages' | 'services', value: string | undefined): boolean {
  return value === undefined || record.subscriptions.some((s) => s.filter[key].includes(value));
}

/** Builds the registry methods; `run` maps SQLite errors as the rest of the store does. */
export function buildSqliteRegistryStore(db: Database.Database, run: <T>(fn: () => T) => Promise<T>): IntegrationRegistryStore {
  const prepare = (sql: string) => db.prepare<SqlValue[]>(sql);
  const s = {
    upsert: prepare(
      `INSERT INTO integrations (id, name, namespace, hostname, lastseen, doc) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, namespace = excluded.namespace, hostname = excluded.hostname,
         lastseen = excluded.lastseen, doc = excluded.doc`,
    ),
    get: prepare('SELECT doc FROM integrations WHERE id = ?'),
    remove: prepare('DELETE FROM integrations WHERE id = ?'),
    removeInstancesOf: prepare('DELETE FROM integration_instances WHERE integration_id = ?'),
    removeInstance: prepare('DELETE FROM integration_instances WHERE integration_id = ? AND instance_id = ?'),
    upsertInstance: prepare(
      `INSERT INTO integration_instances (integration_id, instance_id, lastseen, doc) VALUES (?, ?, ?, ?)
       ON CONFLICT (integration_id, instance_id) DO UPDATE SET lastseen = excluded.lastseen, doc = excluded.doc`,
    ),
    touchInstance: prepare(
      `UPDATE integration_instances SET lastseen = ?, doc = json_set(doc, '$.lastseen', ?) WHERE integration_id = ? AND instance_id = ?`,
    ),
    // Sets lastseen unless it is already later than the given bound (ISO strings sort by time).
    touchSeen: prepare(
      `UPDATE integrations SET lastseen = ?, doc = json_set(doc, '$.metadata.lastseen', ?) WHERE id = ? AND lastseen <= ?`,
    ),
    getInstance: prepare('SELECT doc FROM integration_instances WHERE integration_id = ? AND instance_id = ?'),
    instancesOf: prepare(
      'SELECT doc FROM integration_instances WHERE integration_id IN (SELECT value FROM json_each(?)) ORDER BY integration_id, instance_id',
    ),
    expiredInstances: prepare('DELETE FROM integration_instances WHERE lastseen < ?'),
    expired: prepare('DELETE FROM integrations WHERE lastseen < ?'),
    insertLog: prepare('INSERT INTO integration_logs (integration_id, time, doc) VALUES (?, ?, ?)'),
  };

  const parse = <T>(row: DocRow): T => JSON.parse(row.doc) as T;
  const getRecord = (id: string): IntegrationRecord | undefined => {
    const row = s.get.get(id) as DocRow | undefined;
    return row && parse<IntegrationRecord>(row);
  };
  const put = (r: IntegrationRecord) =>
    s.upsert.run(r.id, r.name, r.metadata.kubernetesmetadata.namespace, r.metadata.hostname, r.metadata.lastseen, JSON.stringify(r));

  const saveTx = db.transaction((change: RegistrationChange) => {
    for (const id of change.removeIds ?? []) {
      if (id !== change.integration.id) s.remove.run(id);
    }
    put(change.integration);
    const i = change.instance;
    if (i) s.upsertInstance.run(i.integrationId, i.instanceId, i.lastseen, JSON.stringify(i));
  });

  const touchTx = db.transaction((id: string, lastseen: string, instanceId: string | undefined): IntegrationRecord | undefined => {
    const record = getRecord(id);
    if (!record) return undefined;
    const updated = { ...record, metadata: { ...record.metadata, lastseen } };
    put(updated);
    if (instanceId !== undefined) s.touchInstance.run(lastseen, lastseen, id, instanceId);
    return updated;
  });

  /** One instance heartbeat, inside the caller's transaction. */
  const touchOne = (id: string, instanceId: string, lastseen: string): boolean => {
    // The instance row exists only while its integration does (foreign key), so one update tells both.
    if (s.touchInstance.run(lastseen, lastseen, id, instanceId).changes === 0) return false;
    // A no-op for the other instances of an integration in the same batch: its lastseen is recent already.
    s.touchSeen.run(lastseen, lastseen, id, keptnTime(Date.parse(lastseen) - INTEGRATION_LASTSEEN_SLACK_MS));
    return true;
  };
  const touchInstanceTx = db.transaction(touchOne);
  const touchInstancesTx = db.transaction(
    (instances: ReadonlyArray<Pick<InstanceRecord, 'integrationId' | 'instanceId'>>, lastseen: string): boolean[] =>
      instances.map((i) => touchOne(i.integrationId, i.instanceId, lastseen)),
  );

  const editSubscriptions = db.transaction((id: string, edit: (subs: EventSubscription[]) => EventSubscription[]): boolean => {
    const record = getRecord(id);
    if (!record) return false;
    put({ ...record, subscriptions: edit(record.subscriptions) });
    return true;
  });

  const expireTx = db.transaction((time: string): number => {
    s.expiredInstances.run(time);
    return s.expired.run(time).changes;
  });

  const appendTx = db.transaction((entries: readonly LogEntry[]) => {
    for (const e of entries) s.insertLog.run(e.integrationid, e.time, JSON.stringify(e));
  });

  function logWhere(q: LogQuery): { sql: string; params: SqlValue[] } {
    const terms: string[] = [];
    const params: SqlValue[] = [];
    if (q.integrationId !== undefined) {
      terms.push('integration_id = ?');
      params.push(q.integrationId);
    }
    if (q.fromTime !== undefined) {
      terms.push('time >= ?');
      params.push(q.fromTime);
    }
    if (q.beforeTime !== undefined) {
      terms.push('time <= ?');
      params.push(q.beforeTime);
    }
    return { sql: terms.length > 0 ? `WHERE ${terms.join(' AND ')}` : '', params };
  }

  const queryLogsTx = db.transaction((q: LogQuery & { offset: number; limit: number }): Page<LogEntry> => {
    const { sql, params } = logWhere(q);
    const count = prepare(`SELECT count(*) AS n FROM integration_logs ${sql}`).get(...params) as { n: number };
    const rows = prepare(`SELECT doc FROM integration_logs ${sql} ORDER BY time DESC, seq DESC LIMIT ? OFFSET ?`).all(
      ...params,
      q.limit > 0 ? q.limit : -1,
      Math.max(0, q.offset),
    ) as DocRow[];
    return { items: rows.map((row) => parse<LogEntry>(row)), totalCount: count.n };
  });

  return {
    saveRegistration(change) {
      return run(() => saveTx(change));
    },

    getIntegration(id) {
      return run(() => getRecord(id));
    },

    listIntegrations(q: IntegrationQuery) {
      return run(() => {
        const terms: string[] = [];
        const params: SqlValue[] = [];
        for (const [column, value] of [
          ['id', q.id],
          ['name', q.name],
          ['namespace', q.namespace],
          ['hostname', q.hostname],
        ] as const) {
          if (value !== undefined) {
            terms.push(`${column} = ?`);
            params.push(value);
          }
        }
        const where = terms.length > 0 ? `WHERE ${terms.join(' AND ')}` : '';
        const rows = prepare(`SELECT doc FROM integrations ${where} ORDER BY name, id`).all(...params) as DocRow[];
        return rows
          .map((row) => parse<IntegrationRecord>(row))
          .filter(
            (r) => subscribedTo(r, 'projects', q.project) && subscribedTo(r, 'stages', q.stage) && subscribedTo(r, 'services', q.service),
          );
      });
    },

    deleteIntegration(id) {
      return run(() => s.remove.run(id).changes > 0);
    },

    deleteInstance(id, instanceId) {
      return run(() => s.removeInstance.run(id, instanceId).changes > 0);
    },

    touchIntegration(id, lastseen, instanceId) {
      return run(() => touchTx(id, lastseen, instanceId));
    },

    touchInstance(id, instanceId, lastseen) {
      return run(() => touchInstanceTx(id, instanceId, lastseen));
    },

    touchInstances(instances, lastseen) {
      return run(() => (instances.length > 0 ? touchInstancesTx(instances, lastseen) : []));
    },

    getInstance(id, instanceId) {
      return run(() => {
        const row = s.getInstance.get(id, instanceId) as DocRow | undefined;
        return row && parse<InstanceRecord>(row);
      });
    },

    listInstances(ids) {
      return run(() => (s.instancesOf.all(JSON.stringify(ids)) as DocRow[]).map((row) => parse<InstanceRecord>(row)));
    },

    putSubscription(id, subscription) {
      return run(() =>
        editSubscriptions(id, (subs) =>
          subs.some((x) => x.id === subscription.id)
            ? subs.map((x) => (x.id === subscription.id ? subscription : x))
            : [...subs, subscription],
        ),
      );
    },

    deleteSubscription(id, subscriptionId) {
      return run(() => editSubscriptions(id, (subs) => subs.filter((x) => x.id !== subscriptionId)));
    },

    deleteIntegrationsSeenBefore(time) {
      return run(() => expireTx(time));
    },

    appendLogs(entries) {
      return run(() => {
        if (entries.length > 0) appendTx(entries);
      });
    },

    queryLogs(q) {
      return run(() => queryLogsTx(q));
    },

    deleteLogs(q) {
      return run(() => {
        const { sql, params } = logWhere(q);
        return prepare(`DELETE FROM integration_logs ${sql}`).run(...params).changes;
      });
    },
  };
}
