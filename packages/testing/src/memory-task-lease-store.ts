/**
 * The task-lease port of the in-memory store (memory-store.ts). A claim runs to its end before
 * any other call starts, so of concurrent claims for one task and integration one wins.
 */
import type { TaskLease, TaskLeaseStore } from '@shipmate/core';
import { compareText, compositeKey } from './memory-database.js';
import type { MemoryDatabase } from './memory-database.js';

/** Soonest lease end first, then by task, instance and integration. */
function byLeaseEnd(a: TaskLease, b: TaskLease): number {
  return (
    a.leaseUntilMs - b.leaseUntilMs ||
    compareText(a.triggeredId, b.triggeredId) ||
    compareText(a.instanceId, b.instanceId) ||
    compareText(a.integrationId, b.integrationId)
  );
}

/** Builds the lease methods on the store's tables. */
export function buildMemoryTaskLeaseStore(db: MemoryDatabase): TaskLeaseStore {
  const leases = db.table<string, TaskLease>();
  const keyOf = (triggeredId: string, integrationId: string, instanceId: string) => compositeKey(triggeredId, integrationId, instanceId);
  const sorted = (matches: (lease: TaskLease) => boolean): TaskLease[] =>
    leases
      .rows()
      .filter(matches)
      .sort(byLeaseEnd)
      .map((lease) => ({ ...lease }));

  return {
    async claimLease(lease, nowMs) {
      return db.transaction(() => {
        const held = leases
          .rows()
          .some(
            (l) => l.triggeredId === lease.triggeredId && l.integrationId === lease.integrationId && (l.answered || l.leaseUntilMs > nowMs),
          );
        if (held) return false;
        const key = keyOf(lease.triggeredId, lease.integrationId, lease.instanceId);
        const own = leases.get(key);
        // A new lease, or the instance's own expired one renewed in its row.
        leases.set(
          key,
          own
            ? { ...own, leaseUntilMs: lease.leaseUntilMs }
            : {
                triggeredId: lease.triggeredId,
                integrationId: lease.integrationId,
                instanceId: lease.instanceId,
                eventType: lease.eventType,
                leaseUntilMs: lease.leaseUntilMs,
                answered: false,
              },
        );
        return true;
      });
    },

    async leasesOfTasks(triggeredIds, integrationId) {
      const wanted = new Set(triggeredIds);
      return db.read(() => sorted((l) => wanted.has(l.triggeredId) && l.integrationId === integrationId));
    },

    async leasesOfInstance(integrationId, instanceId) {
      return db.read(() => sorted((l) => l.integrationId === integrationId && l.instanceId === instanceId));
    },

    async listLeases() {
      return db.read(() => sorted(() => true));
    },

    async markAnswered(triggeredId, integrationId, instanceId) {
      return db.transaction(() => {
        const key = keyOf(triggeredId, integrationId, instanceId);
        const lease = leases.get(key);
        if (!lease) return false;
        leases.set(key, { ...lease, answered: true });
        return true;
      });
    },

    async deleteLease(triggeredId, integrationId, instanceId) {
      db.transaction(() => leases.delete(keyOf(triggeredId, integrationId, instanceId)));
    },
  };
}
