/**
 * The integration registry port on the store's PostgreSQL pool. Integrations keep their
 * subscriptions inside the JSON document, as in the SQLite store: they are read and written with
 * the integration (the row locked for the read-modify-write), and the list filters on
 * project/stage/service run over those few documents. Heartbeats live apart from the documents
 * (migration 0002): `lastseen` of an integration or instance is a short row of
 * `integration_heartbeats` / `instance_heartbeats`, written alone by a heartbeat and put into the
 * document when it is read, so a heartbeat never writes a new version of a document.
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
import { Where, changed, namedStatements, sqlLimit } from './sql.js';
import type { Queryable, RunInTransaction, RunOnPool } from './sql.js';

interface DocRow<T> {
  doc: T;
}
/** A document with the lastseen of its heartbeat row. */
interface SeenDocRow<T> extends DocRow<T> {
  lastseen: string;
}

function withIntegrationSeen(row: SeenDocRow<IntegrationRecord>): IntegrationRecord {
  return { ...row.doc, metadata: { ...row.doc.metadata, lastseen: row.lastseen } };
}

function withInstanceSeen(row: SeenDocRow<InstanceRecord>): InstanceRecord {
  return { ...row.doc, lastseen: row.lastseen };
}

const INTEGRATION_DOCS = 'SELECT doc, lastseen FROM integrations JOIN integration_heartbeats ON integration_id = id';
const INSTANCE_DOCS = `SELECT i.doc, h.lastseen FROM integration_instances i
  JOIN instance_heartbeats h ON h.integration_id = i.integration_id AND h.instance_id = i.instance_id`;

/** Some subscription's filter list contains the value (empty lists do not match, as Keptn). */
function subscribedTo(record: IntegrationRecord, key: 'projects' | 'stages' | 'services', value: string | undefined): boolean {
  return value === undefined || record.subscriptions.some((s) => s.filter[key].includes(value));
}

const SQL = namedStatements('registry', {
  upsert: `INSERT INTO integrations (id, name, namespace, hostname, doc) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, namespace = excluded.namespace, hostname = excluded.hostname,
       doc = excluded.doc`,
  upsertSeen: `INSERT INTO integration_heartbeats (integration_id, lastseen) VALUES ($1, $2)
     ON CONFLICT (integration_id) DO UPDATE SET lastseen = excluded.lastseen`,
  get: `${INTEGRATION_DOCS} WHERE id = $1`,
  getForUpdate: `${INTEGRATION_DOCS} WHERE id = $1 FOR UPDATE OF integrations`,
  remove: 'DELETE FROM integrations WHERE id = $1',
  removeInstance: 'DELETE FROM integration_instances WHERE integration_id = $1 AND instance_id = $2',
  upsertInstance: `INSERT INTO integration_instances (integration_id, instance_id, doc) VALUES ($1, $2, $3)
     ON CONFLICT (integration_id, instance_id) DO UPDATE SET doc = excluded.doc`,
  upsertInstanceSeen: `INSERT INTO instance_heartbeats (integration_id, instance_id, lastseen) VALUES ($1, $2, $3)
     ON CONFLICT (integration_id, instance_id) DO UPDATE SET lastseen = excluded.lastseen`,
  touchIntegrationSeen: 'UPDATE integration_heartbeats SET lastseen = $1 WHERE integration_id = $2',
  touchInstanceSeen: 'UPDATE instance_heartbeats SET lastseen = $1 WHERE integration_id = $2 AND instance_id = $3',
  // The batch in one statement: $2 and $3 are the integration ids and instance ids, pair by pair.
  touchInstancesSeen: `UPDATE instance_heartbeats h SET lastseen = $1
     FROM unnest($2::text[], $3::text[]) AS batch (integration_id, instance_id)
     WHERE h.integration_id = batch.integration_id AND h.instance_id = batch.instance_id
     RETURNING h.integration_id, h.instance_id`,
  // lastseen of the integrations $2, unless already later than $3 (ISO strings sort by time).
  touchIntegrationsSeen: 'UPDATE integration_heartbeats SET lastseen = $1 WHERE integration_id = ANY($2::text[]) AND lastseen <= $3',
  getInstance: `${INSTANCE_DOCS} WHERE i.integration_id = $1 AND i.instance_id = $2`,
  instancesOf: `${INSTANCE_DOCS} WHERE i.integration_id = ANY($1::text[]) ORDER BY i.integration_id, i.instance_id`,
  expiredInstances: `DELETE FROM integration_instances i USING instance_heartbeats h
     WHERE h.integration_id = i.integration_id AND h.instance_id = i.instance_id AND h.lastseen < $1`,
  expired: 'DELETE FROM integrations USING integration_heartbeats WHERE integration_id = id AND lastseen < $1',
  insertLog: 'INSERT INTO integration_logs (integration_id, time, doc) VALUES ($1, $2, $3)',
});

/** Builds the registry methods on the store's pool; `run` and `transaction` map errors as the rest of the store does. */
export function buildPostgresRegistryStore(run: RunOnPool, transaction: RunInTransaction): IntegrationRegistryStore {
  /** Writes the document only: its lastseen is the heartbeat row's business. */
  const putDoc = (db: Queryable, r: IntegrationRecord) =>
    db.query(SQL.upsert, [r.id, r.name, r.metadata.kubernetesmetadata.namespace, r.metadata.hostname, JSON.stringify(r)]);

  const lockedRecord = async (db: Queryable, id: string): Promise<IntegrationRecord | undefined> => {
    const row = (await db.query<SeenDocRow<IntegrationRecord>>(SQL.getForUpdate, [id])).rows[0];
    return row && withIntegrationSeen(row);
  };

  /**
   * Heartbeats of a batch: one statement for the instances, one for their integrations. An
   * instance row exists only while its integration does (foreign keys), so the instances found
   * tell both.
   */
  async function touchBatch(
    instances: ReadonlyArray<Pick<InstanceRecord, 'integrationId' | 'instanceId'>>,
    lastseen: string,
  ): Promise<boolean[]> {
    if (instances.length === 0) return [];
    return transaction(async (tx) => {
      const updated = await tx.query<{ integration_id: string; instance_id: string }>(SQL.touchInstancesSeen, [
        lastseen,
        instances.map((i) => i.integrationId),
        instances.map((i) => i.instanceId),
      ]);
      const found = new Set(updated.rows.map((row) => instanceKey(row.integration_id, row.instance_id)));
      const integrations = [...new Set(updated.rows.map((row) => row.integration_id))];
      // A no-op for integrations whose lastseen is recent already (another instance's heartbeat).
      if (integrations.length > 0) {
        await tx.query(SQL.touchIntegrationsSeen, [
          lastseen,
          integrations,
          keptnTime(Date.parse(lastseen) - INTEGRATION_LASTSEEN_SLACK_MS),
        ]);
      }
      return instances.map((i) => found.has(instanceKey(i.integrationId, i.instanceId)));
    });
  }

  function editSubscriptions(id: string, edit: (subs: EventSubscription[]) => EventSubscription[]): Promise<boolean> {
    return transaction(async (tx) => {
      const record = await lockedRecord(tx, id);
      if (!record) return false;
      await putDoc(tx, { ...record, subscriptions: edit(record.subscriptions) });
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
        const r = change.integration;
        await putDoc(tx, r);
        await tx.query(SQL.upsertSeen, [r.id, r.metadata.lastseen]);
        const i = change.instance;
        if (i) {
          await tx.query(SQL.upsertInstance, [i.integrationId, i.instanceId, JSON.stringify(i)]);
          await tx.query(SQL.upsertInstanceSeen, [i.integrationId, i.instanceId, i.lastseen]);
        }
      });
    },

    getIntegration(id) {
      return run(async (db) => {
        const row = (await db.query<SeenDocRow<IntegrationRecord>>(SQL.get, [id])).rows[0];
        return row && withIntegrationSeen(row);
      });
    },

    listIntegrations(q: IntegrationQuery) {
      return run(async (db) => {
        const w = new Where().eq('id', q.id).eq('name', q.name).eq('namespace', q.namespace).eq('hostname', q.hostname);
        const rows = await db.query<SeenDocRow<IntegrationRecord>>(`${INTEGRATION_DOCS} ${w.toString()} ORDER BY name, id`, w.params);
        return rows.rows
          .map(withIntegrationSeen)
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
        const row = (await tx.query<SeenDocRow<IntegrationRecord>>(SQL.get, [id])).rows[0];
        if (!row) return undefined;
        await tx.query(SQL.touchIntegrationSeen, [lastseen, id]);
        if (instanceId !== undefined) await tx.query(SQL.touchInstanceSeen, [lastseen, id, instanceId]);
        return withIntegrationSeen({ ...row, lastseen });
      });
    },

    async touchInstance(id, instanceId, lastseen) {
      return (await touchBatch([{ integrationId: id, instanceId }], lastseen))[0] === true;
    },

    touchInstances(instances, lastseen) {
      return touchBatch(instances, lastseen);
    },

    getInstance(id, instanceId) {
      return run(async (db) => {
        const row = (await db.query<SeenDocRow<InstanceRecord>>(SQL.getInstance, [id, instanceId])).rows[0];
        return row && withInstanceSeen(row);
      });
    },

    listInstances(ids) {
      return run(async (db) => (await db.query<SeenDocRow<InstanceRecord>>(SQL.instancesOf, [[...ids]])).rows.map(withInstanceSeen));
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

/** One key per instance (ids may hold any character but NUL). */
function instanceKey(integrationId: string, instanceId: string): string {
  return `${integrationId}\u0000${instanceId}`;
}
