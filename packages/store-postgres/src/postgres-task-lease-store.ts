/**
 * The task-lease port on the store's PostgreSQL pool (table `task_leases`). A claim first takes a
 * transaction-level advisory lock on (task, integration): the row it decides on may not exist yet,
 * so a row lock cannot serialize two claims, and of two concurrent claims the second waits for the
 * first to commit and then sees its lease.
 */
import type { TaskLease, TaskLeaseStore } from '@shipmate/core';
import { changed, namedStatements } from './sql.js';
import type { RunInTransaction, RunOnPool } from './sql.js';

interface LeaseRow {
  triggered_id: string;
  integration_id: string;
  instance_id: string;
  event_type: string;
  lease_until_ms: number;
  answered: boolean;
}

const toLease = (row: LeaseRow): TaskLease => ({
  triggeredId: row.triggered_id,
  integrationId: row.integration_id,
  instanceId: row.instance_id,
  eventType: row.event_type,
  leaseUntilMs: row.lease_until_ms,
  answered: row.answered,
});

const COLUMNS = 'triggered_id, integration_id, instance_id, event_type, lease_until_ms, answered';

const SQL = namedStatements('leases', {
  // Two int4 keys: a key space apart from the migrations' single bigint key.
  lockTask: 'SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))',
  blocking: `SELECT 1 FROM task_leases WHERE triggered_id = $1 AND integration_id = $2
       AND (answered OR lease_until_ms > $3) LIMIT 1`,
  // A new lease, or the instance's own expired one renewed (a re-offer after a lost poll answer).
  upsert: `INSERT INTO task_leases (triggered_id, integration_id, instance_id, event_type, lease_until_ms, answered)
     VALUES ($1, $2, $3, $4, $5, false)
     ON CONFLICT (triggered_id, integration_id, instance_id) DO UPDATE SET lease_until_ms = excluded.lease_until_ms`,
  ofTasks: `SELECT ${COLUMNS} FROM task_leases WHERE triggered_id = ANY($1::text[]) AND integration_id = $2
     ORDER BY lease_until_ms, triggered_id, instance_id`,
  ofInstance: `SELECT ${COLUMNS} FROM task_leases WHERE integration_id = $1 AND instance_id = $2 ORDER BY lease_until_ms, triggered_id`,
  all: `SELECT ${COLUMNS} FROM task_leases ORDER BY lease_until_ms, triggered_id, instance_id`,
  answer: 'UPDATE task_leases SET answered = true WHERE triggered_id = $1 AND integration_id = $2 AND instance_id = $3',
  remove: 'DELETE FROM task_leases WHERE triggered_id = $1 AND integration_id = $2 AND instance_id = $3',
});

/** Builds the lease methods on the store's pool; `run` and `transaction` map errors as the rest of the store does. */
export function buildPostgresTaskLeaseStore(run: RunOnPool, transaction: RunInTransaction): TaskLeaseStore {
  return {
    claimLease(lease, nowMs) {
      return transaction(async (tx) => {
        await tx.query(SQL.lockTask, [lease.triggeredId, lease.integrationId]);
        if ((await tx.query(SQL.blocking, [lease.triggeredId, lease.integrationId, nowMs])).rows.length > 0) return false;
        await tx.query(SQL.upsert, [lease.triggeredId, lease.integrationId, lease.instanceId, lease.eventType, lease.leaseUntilMs]);
        return true;
      });
    },
    leasesOfTasks(triggeredIds, integrationId) {
      return run(async (db) => (await db.query<LeaseRow>(SQL.ofTasks, [[...triggeredIds], integrationId])).rows.map(toLease));
    },
    leasesOfInstance(integrationId, instanceId) {
      return run(async (db) => (await db.query<LeaseRow>(SQL.ofInstance, [integrationId, instanceId])).rows.map(toLease));
    },
    listLeases() {
      return run(async (db) => (await db.query<LeaseRow>(SQL.all)).rows.map(toLease));
    },
    markAnswered(triggeredId, integrationId, instanceId) {
      return run(async (db) => changed(await db.query(SQL.answer, [triggeredId, integrationId, instanceId])) > 0);
    },
    deleteLease(triggeredId, integrationId, instanceId) {
      return run(async (db) => {
        await db.query(SQL.remove, [triggeredId, integrationId, instanceId]);
      });
    },
  };
}
