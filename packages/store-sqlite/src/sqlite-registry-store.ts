/**
 * The integration registry port on the store's SQLite connection (tables of migrations 2 and 6).
 * Integrations keep their subscriptions inside the JSON document: they are read and written with
 * the integration, and the list filters on project/stage/service run over those few documents.
 * Heartbeats live apart from the documents (migration 6): `lastseen` of an integration or instance
 * is a short row of `integration_heartbeats` / `instance_heartbeats`, written alone by a heartbeat
 * and put into the document when it is read, so a heartbeat never rewrites a document.
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
/** A document with the lastseen of its heartbeat row. */
interface SeenDocRow extends DocRow {
  lastseen: string;
}

/** Some subscription's filter list contains the value (empty lists do not match, as Keptn). */
function subscribedTo(record: IntegrationRecord, key: 'projects' | 'stages' | 'services', value: string | undefined): boolean {
  return value === undefined || record.subscriptions.some((s) => s.filter[key].includes(value));
}

/** Builds the registry methods; `run` maps SQLite errors as the rest of the store does. */
export function buildSqliteRegistryStore(db: Database.Database, run: <T>(fn: () => T) => Promise<T>): IntegrationRegistryStore {
  const prepare = (sql: string) => db.prepare<SqlValue[]>(sql);
  const integrationDocs = `SELECT i.doc, h.lastseen FROM integrations i JOIN integration_heartbeats h ON h.integration_id = i.id`;
  const instanceDocs = `SELECT i.doc, h.lastseen FROM integration_instances i
    JOIN instance_heartbeats h ON h.integration_id = i.integration_id AND h.instance_id = i.instance_id`;
  const s = {
    upsert: prepare(
      `INSERT INTO integrations (id, name, namespace, hostname, doc) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, namespace = excluded.namespace, hostname = excluded.hostname,
         doc = excluded.doc`,
    ),
    upsertSeen: prepare(
      `INSERT INTO integration_heartbeats (integration_id, lastseen) VALUES (?, ?)
       ON CONFLICT (integration_id) DO UPDATE SET lastseen = excluded.lastseen`,
    ),
    get: prepare(`${integrationDocs} WHERE i.id = ?`),
    remove: prepare('DELETE FROM integrations WHERE id = ?'),
    removeInstance: prepare('DELETE FROM integration_instances WHERE integration_id = ? AND instance_id = ?'),
    upsertInstance: prepare(
      `INSERT INTO integration_instances (integration_id, instance_id, doc) VALUES (?, ?, ?)
       ON CONFLICT (integration_id, instance_id) DO UPDATE SET doc = excluded.doc`,
    ),
    upsertInstanceSeen: prepare(
      `INSERT INTO instance_heartbeats (integration_id, instance_id, lastseen) VALUES (?, ?, ?)
       ON CONFLICT (integration_id, instance_id) DO UPDATE SET lastseen = excluded.lastseen`,
    ),
    touchIntegrationSeen: prepare('UPDATE integration_heartbeats SET lastseen = ? WHERE integration_id = ?'),
    touchInstanceSeen: prepare('UPDATE instance_heartbeats SET lastseen = ? WHERE integration_id = ? AND instance_id = ?'),
    // lastseen of the integrations in a JSON array of ids, unless already later than a bound (ISO strings sort by time).
    touchIntegrationsSeen: prepare(
      `UPDATE integration_heartbeats SET lastseen = ? WHERE integration_id IN (SELECT value FROM json_each(?)) AND lastseen <= ?`,
    ),
    getInstance: prepare(`${instanceDocs} WHERE i.integration_id = ? AND i.instance_id = ?`),
    instancesOf: prepare(
      `${instanceDocs} WHERE i.integration_id IN (SELECT value FROM json_each(?)) ORDER BY i.integration_id, i.instance_id`,
    ),
    expiredInstances: prepare(
      `DELETE FROM integration_instances
       WHERE (integration_id, instance_id) IN (SELECT integration_id, instance_id FROM instance_heartbeats WHERE lastseen < ?)`,
    ),
    expired: prepare('DELETE FROM integrations WHERE id IN (SELECT integration_id FROM integration_heartbeats WHERE lastseen < ?)'),
    insertLog: prepare('INSERT INTO integration_logs (integration_id, time, doc) VALUES (?, ?, ?)'),
  };

  const parse = <T>(row: DocRow): T => JSON.parse(row.doc) as T;
  const parseIntegration = (row: SeenDocRow): IntegrationRecord => {
    const record = parse<IntegrationRecord>(row);
    return { ...record, metadata: { ...record.metadata, lastseen: row.lastseen } };
  };
  const parseInstance = (row: SeenDocRow): InstanceRecord => ({ ...parse<InstanceRecord>(row), lastseen: row.lastseen });
  const getRecord = (id: string): IntegrationRecord | undefined => {
    const row = s.get.get(id) as SeenDocRow | undefined;
    return row && parseIntegration(row);
  };
  /** Writes the document only: its lastseen is the heartbeat row's business. */
  const putDoc = (r: IntegrationRecord) =>
    s.upsert.run(r.id, r.name, r.metadata.kubernetesmetadata.namespace, r.metadata.hostname, JSON.stringify(r));

  const saveTx = db.transaction((change: RegistrationChange) => {
    for (const id of change.removeIds ?? []) {
      if (id !== change.integration.id) s.remove.run(id);
    }
    const r = change.integration;
    putDoc(r);
    s.upsertSeen.run(r.id, r.metadata.lastseen);
    const i = change.instance;
    if (i) {
      s.upsertInstance.run(i.integrationId, i.instanceId, JSON.stringify(i));
      s.upsertInstanceSeen.run(i.integrationId, i.instanceId, i.lastseen);
    }
  });

  const touchTx = db.transaction((id: string, lastseen: string, instanceId: string | undefined): IntegrationRecord | undefined => {
    const record = getRecord(id);
    if (!record) return undefined;
    s.touchIntegrationSeen.run(lastseen, id);
    if (instanceId !== undefined) s.touchInstanceSeen.run(lastseen, id, instanceId);
    return { ...record, metadata: { ...record.metadata, lastseen } };
  });

  /**
   * Heartbeats of a batch: one statement for the instances, one for their integrations. An
   * instance row exists only while its integration does (foreign keys), so the instances found
   * tell both.
   */
  // One prepared update per instance in one transaction: about half the CPU of one statement
  // joining a JSON array of pairs (json_each), measured at 2,500 instances.
  const touchInstancesTx = db.transaction(
    (instances: ReadonlyArray<Pick<InstanceRecord, 'integrationId' | 'instanceId'>>, lastseen: string): boolean[] => {
      const integrations = new Set<string>();
      const found = instances.map((instance) => {
        const touched = s.touchInstanceSeen.run(lastseen, instance.integrationId, instance.instanceId).changes > 0;
        if (touched) integrations.add(instance.integrationId);
        return touched;
      });
      // A no-op for integrations whose lastseen is recent already (another instance's heartbeat).
      s.touchIntegrationsSeen.run(
        lastseen,
        JSON.stringify([...integrations]),
        keptnTime(Date.parse(lastseen) - INTEGRATION_LASTSEEN_SLACK_MS),
      );
      return found;
    },
  );

  const editSubscriptions = db.transaction((id: string, edit: (subs: EventSubscription[]) => EventSubscription[]): boolean => {
    const record = getRecord(id);
    if (!record) return false;
    putDoc({ ...record, subscriptions: edit(record.subscriptions) });
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
            terms.push(`i.${column} = ?`);
            params.push(value);
          }
        }
        const where = terms.length > 0 ? `WHERE ${terms.join(' AND ')}` : '';
        const rows = prepare(`${integrationDocs} ${where} ORDER BY i.name, i.id`).all(...params) as SeenDocRow[];
        return rows
          .map(parseIntegration)
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
      return run(() => touchInstancesTx([{ integrationId: id, instanceId }], lastseen)[0] === true);
    },

    touchInstances(instances, lastseen) {
      return run(() => (instances.length > 0 ? touchInstancesTx(instances, lastseen) : []));
    },

    getInstance(id, instanceId) {
      return run(() => {
        const row = s.getInstance.get(id, instanceId) as SeenDocRow | undefined;
        return row && parseInstance(row);
      });
    },

    listInstances(ids) {
      return run(() => (s.instancesOf.all(JSON.stringify(ids)) as SeenDocRow[]).map(parseInstance));
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
