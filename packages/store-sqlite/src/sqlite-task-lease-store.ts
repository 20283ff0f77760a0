/**
 * The task-lease port on the store's SQLite connection (table `task_leases`, migration 3). A claim
 * is one transaction of better-sqlite3's synchronous calls, so two claims never interleave.
 */
import type Database from 'better-sqlite3';
import type { TaskLease, TaskLeaseStore } from '@shipmate/core';

type SqlValue = string | number | bigint | null;
interface LeaseRow {
  triggered_id: string;
  integration_id: string;
  instance_id: string;
  event_type: string;
  lease_until_ms: number;
  answered: number;
}

const toLease = (row: LeaseRow): TaskLease => ({
  triggeredId: row.triggered_id,
  integrationId: row.integration_id,
  instanceId: row.instance_id,
  eventType: row.event_type,
  leaseUntilMs: row.lease_until_ms,
  answered: row.answered === 1,
});

/** Builds the lease methods; `run` maps SQLite errors as the rest of the store does. */
export function buildSqliteTaskLeaseStore(db: Database.Database, run: <T>(fn: () => T) => Promise<T>): TaskLeaseStore {
  const prepare = (sql: string) => db.prepare<SqlValue[]>(sql);
  const columns = 'triggered_id, integration_id, instance_id, event_type, lease_until_ms, answered';
  const s = {
    blocking: prepare(
      `SELECT 1 FROM task_leases WHERE triggered_id = ? AND integration_id = ?
         AND (answered = 1 OR lease_until_ms > ?) LIMIT 1`,
    ),
    // A new lease, or the instance's own expired one renewed (a re-offer after a lost poll answer).
    upsert: prepare(
      `INSERT INTO task_leases (triggered_id, integration_id, instance_id, event_type, lease_until_ms, answered) VALUES (?, ?, ?, ?, ?, 0)
       ON CONFLICT (triggered_id, integration_id, instance_id) DO UPDATE SET lease_until_ms = excluded.lease_until_ms`,
    ),
    ofTasks: prepare(
      `SELECT ${columns} FROM task_leases WHERE triggered_id IN (SELECT value FROM json_each(?)) AND integration_id = ?
       ORDER BY lease_until_ms, triggered_id, instance_id`,
    ),
    ofInstance: prepare(
      `SELECT ${columns} FROM task_leases WHERE integration_id = ? AND instance_id = ? ORDER BY lease_until_ms, triggered_id`,
    ),
    all: prepare(`SELECT ${columns} FROM task_leases ORDER BY lease_until_ms, triggered_id, instance_id`),
    answer: prepare('UPDATE task_leases SET answered = 1 WHERE triggered_id = ? AND integration_id = ? AND instance_id = ?'),
    remove: prepare('DELETE FROM task_leases WHERE triggered_id = ? AND integration_id = ? AND instance_id = ?'),
  };

  const claimTx = db.transaction((lease: Omit<TaskLease, 'answered'>, nowMs: number): boolean => {
    if (s.blocking.get(lease.triggeredId, lease.integrationId, nowMs) !== undefined) return false;
    s.upsert.run(lease.triggeredId, lease.integrationId, lease.instanceId, lease.eventType, lease.leaseUntilMs);
    return true;
  });

  return {
    claimLease(lease, nowMs) {
      return run(() => claimTx.immediate(lease, nowMs));
    },
    leasesOfTasks(triggeredIds, integrationId) {
      return run(() => (s.ofTasks.all(JSON.stringify(triggeredIds), integrationId) as LeaseRow[]).map(toLease));
    },
    leasesOfInstance(integrationId, instanceId) {
      return run(() => (s.ofInstance.all(integrationId, instanceId) as LeaseRow[]).map(toLease));
    },
    listLeases() {
      return run(() => (s.all.all() as LeaseRow[]).map(toLease));
    },
    markAnswered(triggeredId, integrationId, instanceId) {
      return run(() => s.answer.run(triggeredId, integrationId, instanceId).changes > 0);
    },
    deleteLease(triggeredId, integrationId, instanceId) {
      return run(() => {
        s.remove.run(triggeredId, integrationId, instanceId);
      });
    },
  };
}
