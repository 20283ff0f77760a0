/**
 * The task-lease port (issue 3, delivery): which instance of an integration holds an open task
 * `.triggered` event. One row per (task, integration, instance) that was ever offered the task; an
 * instance's own expired lease is renewed in its row when the delivery offers the task to it again.
 * Adapters pass `describeTaskLeaseStoreContract` in @shipmate/testing. Every method is one transaction.
 */

/** A task offered to one instance of an integration. */
export interface TaskLease {
  /** Id of the task's `.triggered` event. */
  triggeredId: string;
  integrationId: string;
  instanceId: string;
  /** The `.triggered` event's type, to check later whether the task is still open. */
  eventType: string;
  /** The instance holds the task exclusively until then, unless `answered`. */
  leaseUntilMs: number;
  /** A `.started` or `.finished` for the task arrived while this instance held it: the lease is permanent. */
  answered: boolean;
}

/** The lease port. */
export interface TaskLeaseStore {
  /**
   * Grants `lease` (with `answered: false`) when no instance of its integration holds the task (a
   * lease that is answered or not yet expired at `nowMs`); when the instance held it before, its
   * row gets the new `leaseUntilMs`. When an instance may have a task again is the delivery's rule,
   * not the store's. Atomic: of two concurrent claims for one task and integration, at most one wins.
   */
  claimLease(lease: Omit<TaskLease, 'answered'>, nowMs: number): Promise<boolean>;
  /** Leases of the given tasks for one integration, oldest first. */
  leasesOfTasks(triggeredIds: readonly string[], integrationId: string): Promise<TaskLease[]>;
  /** Every lease of one instance, oldest first. */
  leasesOfInstance(integrationId: string, instanceId: string): Promise<TaskLease[]>;
  /** Makes that lease permanent; false if there is no such lease. */
  markAnswered(triggeredId: string, integrationId: string, instanceId: string): Promise<boolean>;
  /** Every lease, oldest first (the sweep of leases whose instance went away reads them all; they are few). */
  listLeases(): Promise<TaskLease[]>;
  /** Deletes that lease (the task is done and the instance was told). */
  deleteLease(triggeredId: string, integrationId: string, instanceId: string): Promise<void>;
}
