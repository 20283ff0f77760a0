/**
 * The contract of the task-lease port: one vitest suite that every `TaskLeaseStore` adapter runs.
 * Each test gets a fresh, empty store from `createStore` and hands it to `cleanup` afterwards.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskLease, TaskLeaseStore } from '@shipmate/core';

const TYPE = 'sh.keptn.event.deployment.triggered';

/** A lease claim of a task by an instance until `leaseUntilMs`. */
export function fixtureLease(
  triggeredId: string,
  instanceId: string,
  leaseUntilMs: number,
  integrationId = 'int-1',
): Omit<TaskLease, 'answered'> {
  return { triggeredId, integrationId, instanceId, eventType: TYPE, leaseUntilMs };
}

/** Runs the lease contract suite against the adapter that `createStore` opens. */
export function describeTaskLeaseStoreContract<S extends TaskLeaseStore>(
  name: string,
  createStore: () => Promise<S>,
  cleanup: (store: S) => Promise<void>,
): void {
  describe(`TaskLeaseStore contract: ${name}`, () => {
    let store: S;

    beforeEach(async () => {
      store = await createStore();
    });
    afterEach(async () => {
      await cleanup(store);
    });

    it('grants a free task and refuses a second instance while the lease runs', async () => {
      expect(await store.claimLease(fixtureLease('t1', 'a', 1000), 0)).toBe(true);
      expect(await store.claimLease(fixtureLease('t1', 'b', 2000), 999)).toBe(false);
      expect(await store.leasesOfTasks(['t1'], 'int-1')).toEqual([{ ...fixtureLease('t1', 'a', 1000), answered: false }]);
    });

    it('keeps integrations apart', async () => {
      expect(await store.claimLease(fixtureLease('t1', 'a', 1000), 0)).toBe(true);
      expect(await store.claimLease(fixtureLease('t1', 'x', 1000, 'int-2'), 0)).toBe(true);
      expect(await store.leasesOfTasks(['t1'], 'int-2')).toHaveLength(1);
    });

    it('hands an expired lease to another instance', async () => {
      await store.claimLease(fixtureLease('t1', 'a', 1000), 0);
      expect(await store.claimLease(fixtureLease('t1', 'b', 3000), 1000)).toBe(true);
      expect((await store.leasesOfTasks(['t1'], 'int-1')).map((l) => l.instanceId)).toEqual(['a', 'b']);
    });

    it("renews an instance's own lease once it expired, in its row, and refuses while any lease runs", async () => {
      await store.claimLease(fixtureLease('t1', 'a', 1000), 0);
      expect(await store.claimLease(fixtureLease('t1', 'a', 2000), 999)).toBe(false);
      expect(await store.claimLease(fixtureLease('t1', 'a', 3000), 1000)).toBe(true);
      expect(await store.leasesOfTasks(['t1'], 'int-1')).toEqual([{ ...fixtureLease('t1', 'a', 3000), answered: false }]);
      expect(await store.claimLease(fixtureLease('t1', 'b', 5000), 2999)).toBe(false);
    });

    it('makes an answered lease permanent', async () => {
      await store.claimLease(fixtureLease('t1', 'a', 1000), 0);
      expect(await store.markAnswered('t1', 'int-1', 'a')).toBe(true);
      expect(await store.markAnswered('t1', 'int-1', 'zz')).toBe(false);
      expect(await store.claimLease(fixtureLease('t1', 'b', 99_000), 50_000)).toBe(false);
      expect((await store.leasesOfTasks(['t1'], 'int-1'))[0]?.answered).toBe(true);
    });

    it('lists and deletes the leases of an instance', async () => {
      await store.claimLease(fixtureLease('t2', 'a', 2000), 0);
      await store.claimLease(fixtureLease('t1', 'a', 1000), 0);
      await store.claimLease(fixtureLease('t3', 'b', 1000), 0);
      expect((await store.leasesOfInstance('int-1', 'a')).map((l) => l.triggeredId)).toEqual(['t1', 't2']);
      await store.deleteLease('t1', 'int-1', 'a');
      expect((await store.leasesOfInstance('int-1', 'a')).map((l) => l.triggeredId)).toEqual(['t2']);
      expect(await store.leasesOfTasks(['t1'], 'int-1')).toEqual([]);
    });

    it('lists every lease, oldest first', async () => {
      await store.claimLease(fixtureLease('t3', 'a', 3000, 'int-2'), 0);
      await store.claimLease(fixtureLease('t1', 'a', 1000), 0);
      await store.claimLease(fixtureLease('t2', 'b', 2000), 0);
      await store.markAnswered('t2', 'int-1', 'b');
      const all = await store.listLeases();
      expect(all.map((l) => [l.triggeredId, l.integrationId, l.instanceId, l.answered])).toEqual([
        ['t1', 'int-1', 'a', false],
        ['t2', 'int-1', 'b', true],
        ['t3', 'int-2', 'a', false],
      ]);
      await store.deleteLease('t1', 'int-1', 'a');
      expect((await store.listLeases()).map((l) => l.triggeredId)).toEqual(['t2', 't3']);
    });

    it('reads the leases of several tasks at once', async () => {
      await store.claimLease(fixtureLease('t1', 'a', 1000), 0);
      await store.claimLease(fixtureLease('t2', 'a', 2000), 0);
      await store.claimLease(fixtureLease('t3', 'a', 3000), 0);
      expect((await store.leasesOfTasks(['t3', 't1', 'zz'], 'int-1')).map((l) => l.triggeredId)).toEqual(['t1', 't3']);
      expect(await store.leasesOfTasks([], 'int-1')).toEqual([]);
    });

    it('lets exactly one of many concurrent claims win', async () => {
      const results = await Promise.all(['a', 'b', 'c', 'd'].map((i) => store.claimLease(fixtureLease('t1', i, 1000), 0)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });
}
