/**
 * Task delivery to agent instances (issue 3 point 3, ARCHITECTURE.md §4): which open task
 * `.triggered` events one instance of an integration is offered now, under a lease.
 *
 * - A task is offered when its type matches one of the integration's subscriptions (exact, or
 *   NATS wildcards `*`/`>`), the
 *   subscription's filter and the instance's own filters both match its project/stage/service.
 * - Per integration one instance at a time holds a task: a lease of `leaseMs`. When it runs out
 *   before any `.started`/`.finished` for the task arrived, another instance may take it; once
 *   one arrived the lease is permanent (checked when another instance asks, from the stored
 *   events, so no hook on the intake is needed).
 * - An instance is offered a task it held again only when its lease ran out a whole lease ago
 *   (twice `leaseMs` after it was granted) with no `.started`/`.finished` and no other instance
 *   holding it: the answer to its poll was lost on the way (a link down, a proxy cutting the
 *   response). Other instances get the first lease period to take it. The agent remembers the
 *   tasks it was handed and does not run one twice, so a holder that did get the task only
 *   ignores the second offer.
 * - Tasks leased to the instance that were closed without a `.finished` (sequence aborted or
 *   timed out) are reported once in `aborted`.
 * The first look of a long poll is also the instance's heartbeat; the heartbeats of parked polls
 * are renewed in batches ({@link TaskDelivery.renewHeartbeats}, see parked-heartbeats.ts). The
 * integration and the instance are read from the server's in-memory copy of the registry, so a
 * look that finds nothing reads no registry row.
 */
import { ErrorCode } from '../errors/error-codes.js';
import { NotFoundError } from '../errors/errors.js';
import { keptnTime } from '../events/keptn-event.js';
import type { KeptnEvent } from '../events/keptn-event.js';
import type { Clock } from '../ports/clock.js';
import type { IntegrationRegistryStore } from '../ports/registry-store.js';
import type { ControlPlaneStore } from '../ports/store.js';
import type { TaskLease, TaskLeaseStore } from '../ports/task-lease-store.js';
import type { EventSubscription, InstanceRecord, IntegrationRecord } from '../registry/integration.js';
import { eventTypeMatches, filterMatches, isWildcard, scopeOf, subscriptionsAccept } from './subscription-match.js';

/** The registry's integrations and instances as the server holds them in memory (live-subscriber-index.ts). */
export interface RegistryLookup {
  /** The integration, undefined when unknown; no store read. */
  integration(id: string): IntegrationRecord | undefined;
  /** One instance of the integration, undefined when unknown; no store read. */
  instance(integrationId: string, instanceId: string): InstanceRecord | undefined;
}

/** An instance by its ids. */
export type InstanceRef = Pick<InstanceRecord, 'integrationId' | 'instanceId'>;

/** One map key per instance (ids may hold any character but NUL). */
export function instanceKey(instance: InstanceRef): string {
  return `${instance.integrationId}\u0000${instance.instanceId}`;
}

/** Options of {@link createTaskDelivery}. */
export interface TaskDeliveryOptions {
  events: Pick<ControlPlaneStore, 'queryOpenTriggered' | 'queryEvents'>;
  /** Heartbeat writes, and the listings of the lease sweep. */
  registry: Pick<IntegrationRegistryStore, 'listInstances' | 'touchInstance' | 'touchInstances'>;
  /** Where each look reads the integration and the instance: must reflect every write made through `registry`. */
  registered: RegistryLookup;
  leases: TaskLeaseStore;
  clock: Clock;
  /** How long an instance holds a task before `.started` must arrive. */
  leaseMs: number;
  /** Called with the tasks an instance was just given (a subscriber is live for them). */
  onLeased?: (tasks: readonly KeptnEvent[]) => void;
}

/** What one instance gets from one poll. */
export interface TaskBatch {
  /** Newly leased task events, oldest first, with `data.temporaryData.distributor.subscriptionID` set. */
  events: KeptnEvent[];
  /** Triggered ids of tasks leased to the instance whose sequence was aborted or timed out. */
  aborted: string[];
}

/** A batch and which new events could give the instance work (to wake it only for those). */
export interface TakeResult extends TaskBatch {
  /**
   * True when a `.triggered` event matches one of the integration's subscriptions and the
   * instance's filters, and the instance may take it now: not a task it holds, nor one it held
   * whose second lease period has not passed yet (asked again when a lease runs out).
   */
  accepts: (event: KeptnEvent) => boolean;
  /** The event types (the integration's subscription patterns) outside which `accepts` accepts nothing. */
  topics: readonly string[];
  /**
   * In how many ms (by the delivery's clock) an open task this look saw but could not lease may be
   * offered to the instance: its own lease's second period ends, or another instance's unanswered
   * lease runs out. Undefined when there is none. A parked poll looks again then, on whichever
   * replica it is parked: the wake-up timers of the replica that gave the lease die with it.
   */
  nextOfferInMs?: number;
  /** True when the instance holds a lease of an open task (given now or before). */
  holds: boolean;
}

/** The delivery use case. */
export interface TaskDelivery {
  /**
   * The instance's aborted tasks and new leases; with `heartbeat` (default true) also refreshes its
   * lastseen. Throws `ERR_INTEGRATION_NOT_FOUND` for an unknown integration or instance.
   */
  take(integrationId: string, instanceId: string, options?: { heartbeat?: boolean }): Promise<TakeResult>;
  /** Throws `ERR_INTEGRATION_NOT_FOUND` when the instance is not registered; reads no store. */
  checkRegistered(integrationId: string, instanceId: string): void;
  /**
   * Heartbeats of several instances in one store write, without leasing anything; per instance, in
   * order, undefined or the `ERR_INTEGRATION_NOT_FOUND` error when it is no longer registered.
   */
  renewHeartbeats(instances: readonly InstanceRef[]): Promise<Array<NotFoundError | undefined>>;
  /**
   * Forgets leases of instances that are no longer registered (expired or deleted) once their
   * task is closed; returns how many went. A lease whose task is still open stays, so a task that
   * was started is not offered again.
   */
  sweepLeases(): Promise<number>;
}

/** Later than any event time: used to ask whether a task is still open at all. */
const END_OF_TIME = '9999-12-31T23:59:59.999Z';

/** Whether the task is still open (not finished, aborted or timed out), whenever it became visible. */
export async function taskOpen(events: Pick<ControlPlaneStore, 'queryOpenTriggered'>, triggeredId: string): Promise<boolean> {
  return (await events.queryOpenTriggered({ eventId: triggeredId, visibleAt: END_OF_TIME })).length > 0;
}

/** The event with `data.temporaryData.distributor.subscriptionID` set (a copy). */
export function withSubscriptionId(event: KeptnEvent, subscriptionId: string): KeptnEvent {
  const temporary = event.data.temporaryData;
  const base =
    typeof temporary === 'object' && temporary !== null && !Array.isArray(temporary) ? (temporary as Record<string, unknown>) : {};
  const distributor =
    typeof base.distributor === 'object' && base.distributor !== null ? (base.distributor as Record<string, unknown>) : {};
  return {
    ...event,
    data: { ...event.data, temporaryData: { ...base, distributor: { ...distributor, subscriptionID: subscriptionId } } },
  };
}

/** Whether a `.started` or `.finished` answered the task. */
export async function taskAnswered(events: Pick<ControlPlaneStore, 'queryEvents'>, triggeredId: string): Promise<boolean> {
  const page = await events.queryEvents({ triggeredId, offset: 0, limit: 0 });
  return page.items.some((e) => e.type.endsWith('.started') || e.type.endsWith('.finished'));
}

/**
 * Whether the instance holds the task now, by the rules of the delivery: its lease is answered
 * or not yet expired, or it is the integration's latest lease of the task and a `.started` or
 * `.finished` arrived (the delivery makes such a lease permanent when another instance asks).
 */
export async function holdsTask(
  leases: Pick<TaskLeaseStore, 'leasesOfTasks'>,
  events: Pick<ControlPlaneStore, 'queryEvents'>,
  task: { triggeredId: string; integrationId: string; instanceId: string; nowMs: number },
): Promise<boolean> {
  const all = await leases.leasesOfTasks([task.triggeredId], task.integrationId);
  const own = all.find((lease) => lease.instanceId === task.instanceId);
  if (!own) return false;
  if (own.answered || own.leaseUntilMs > task.nowMs) return true;
  if (all.some((lease) => lease.answered || lease.leaseUntilMs > task.nowMs)) return false;
  return all[all.length - 1] === own && (await taskAnswered(events, task.triggeredId));
}

function taskTypeWith(triggeredType: string, kind: 'finished'): string {
  return `${triggeredType.slice(0, -'triggered'.length)}${kind}`;
}

/** Whether a `.triggered` event matches a subscription of the integration and the instance's filters. */
function accepts(record: IntegrationRecord, instance: InstanceRecord, event: KeptnEvent): boolean {
  return filterMatches(instance.filters, scopeOf(event)) && subscriptionsAccept(record.subscriptions, event);
}

/** Wires the delivery use case. */
export function createTaskDelivery(options: TaskDeliveryOptions): TaskDelivery {
  const { events, registry, registered, leases, clock, leaseMs } = options;

  function integrationNotFound(integrationId: string): NotFoundError {
    return new NotFoundError(
      ErrorCode.integrationNotFound,
      `integration '${integrationId}' not found; it may have expired after missing heartbeats: register it again`,
    );
  }

  function instanceNotFound(integrationId: string, instanceId: string): NotFoundError {
    return new NotFoundError(
      ErrorCode.integrationNotFound,
      `instance '${instanceId}' of integration '${integrationId}' not found; register again and use the instanceId the registration returned`,
    );
  }

  /** Why a heartbeat found no instance. */
  function notFound({ integrationId, instanceId }: InstanceRef): NotFoundError {
    return registered.integration(integrationId) ? instanceNotFound(integrationId, instanceId) : integrationNotFound(integrationId);
  }

  async function requireInstance(
    integrationId: string,
    instanceId: string,
    withHeartbeat = true,
  ): Promise<{ record: IntegrationRecord; instance: InstanceRecord }> {
    const record = registered.integration(integrationId);
    if (!record) throw integrationNotFound(integrationId);
    const instance = registered.instance(integrationId, instanceId);
    if (!instance) throw instanceNotFound(integrationId, instanceId);
    if (withHeartbeat && !(await registry.touchInstance(integrationId, instanceId, keptnTime(clock.nowMs())))) {
      throw notFound({ integrationId, instanceId });
    }
    return { record, instance };
  }

  const answered = (triggeredId: string) => taskAnswered(events, triggeredId);

  /**
   * Reports (once) tasks of this instance that closed without a `.finished`; forgets closed ones.
   * `holdsOpen`: whether a lease of an open task stays.
   */
  async function closedTasks(integrationId: string, instanceId: string): Promise<{ aborted: string[]; holdsOpen: boolean }> {
    const aborted: string[] = [];
    let holdsOpen = false;
    for (const lease of await leases.leasesOfInstance(integrationId, instanceId)) {
      if (await taskOpen(events, lease.triggeredId)) {
        holdsOpen = true;
        continue;
      }
      const finished = await events.queryEvents({
        triggeredId: lease.triggeredId,
        type: taskTypeWith(lease.eventType, 'finished'),
        offset: 0,
        limit: 1,
      });
      if (finished.items.length === 0) aborted.push(lease.triggeredId);
      await leases.deleteLease(lease.triggeredId, integrationId, instanceId);
    }
    return { aborted, holdsOpen };
  }

  /** Tries to lease one task to the instance (which does not hold it now). */
  async function tryLease(
    event: KeptnEvent,
    existing: TaskLease[],
    integrationId: string,
    instanceId: string,
    nowMs: number,
  ): Promise<boolean> {
    if (existing.some((l) => l.answered || l.leaseUntilMs > nowMs)) return false;
    const last: TaskLease | undefined = existing[existing.length - 1];
    if (last && (await answered(event.id))) {
      await leases.markAnswered(event.id, integrationId, last.instanceId);
      return false;
    }
    return leases.claimLease(
      { triggeredId: event.id, integrationId, instanceId, eventType: event.type, leaseUntilMs: nowMs + leaseMs },
      nowMs,
    );
  }

  /**
   * When the instance may be offered a task it held: answered never, else one lease after its own
   * lease ran out (the other instances' turn comes first).
   */
  const retakeAtMs = (own: TaskLease): number => (own.answered ? Number.POSITIVE_INFINITY : own.leaseUntilMs + leaseMs);

  /**
   * When a task the instance cannot lease now (`existing` are the integration's leases of it) may
   * be offered to it: after every other lease ran out, unless one was answered (never).
   */
  function offerableAtMs(existing: TaskLease[], nowMs: number): number {
    if (existing.some((lease) => lease.answered)) return Number.POSITIVE_INFINITY;
    return existing.reduce((latest, lease) => Math.max(latest, lease.leaseUntilMs), nowMs);
  }

  /**
   * New leases of the instance; for each open task it holds or held the time from which it may be
   * offered it again; and the earliest future time one task it saw may be offered to it.
   */
  async function offers(
    record: IntegrationRecord,
    instance: InstanceRecord,
  ): Promise<{ granted: KeptnEvent[]; given: Map<string, number>; nextOfferAtMs: number }> {
    const nowMs = clock.nowMs();
    const candidates: Array<{ event: KeptnEvent; subscription: EventSubscription }> = [];
    const seen = new Set<string>();
    const visibleAt = keptnTime(nowMs);
    // Exact subscriptions ask the store by type; wildcard ones read every open event once.
    let everyOpen: KeptnEvent[] | undefined;
    for (const subscription of record.subscriptions) {
      let open: KeptnEvent[];
      if (isWildcard(subscription.event)) {
        everyOpen ??= await events.queryOpenTriggered({ visibleAt });
        open = everyOpen.filter((e) => eventTypeMatches(subscription.event, e.type));
      } else {
        if (!subscription.event.endsWith('.triggered')) continue;
        open = await events.queryOpenTriggered({ type: subscription.event, visibleAt });
      }
      for (const event of open) {
        const scope = scopeOf(event);
        if (seen.has(event.id) || !filterMatches(subscription.filter, scope) || !filterMatches(instance.filters, scope)) continue;
        seen.add(event.id);
        candidates.push({ event, subscription });
      }
    }
    candidates.sort((a, b) => (a.event.time < b.event.time ? -1 : a.event.time > b.event.time ? 1 : 0));
    const granted: KeptnEvent[] = [];
    const given = new Map<string, number>();
    let nextOfferAtMs = Number.POSITIVE_INFINITY;
    if (candidates.length === 0) return { granted, given, nextOfferAtMs };
    // One read of the integration's leases on every candidate; claims then re-check atomically.
    const byTask = new Map<string, TaskLease[]>();
    for (const lease of await leases.leasesOfTasks(
      candidates.map((c) => c.event.id),
      record.id,
    )) {
      byTask.set(lease.triggeredId, [...(byTask.get(lease.triggeredId) ?? []), lease]);
    }
    for (const { event, subscription } of candidates) {
      const existing = byTask.get(event.id) ?? [];
      const own = existing.find((l) => l.instanceId === instance.instanceId);
      if (own && retakeAtMs(own) > nowMs) {
        given.set(event.id, retakeAtMs(own));
        nextOfferAtMs = Math.min(nextOfferAtMs, retakeAtMs(own));
      } else if (await tryLease(event, existing, record.id, instance.instanceId, nowMs)) {
        granted.push(withSubscriptionId(event, subscription.id));
        given.set(event.id, nowMs + 2 * leaseMs);
      } else {
        const offerable = offerableAtMs(existing, nowMs);
        if (offerable > nowMs) nextOfferAtMs = Math.min(nextOfferAtMs, offerable);
      }
    }
    return { granted, given, nextOfferAtMs };
  }

  return {
    async take(integrationId, instanceId, takeOptions) {
      const { record, instance } = await requireInstance(integrationId, instanceId, takeOptions?.heartbeat ?? true);
      const { aborted, holdsOpen } = await closedTasks(integrationId, instanceId);
      const { granted, given, nextOfferAtMs } = await offers(record, instance);
      if (granted.length > 0) options.onLeased?.(granted);
      const nowMs = clock.nowMs();
      // Tasks it holds cannot wake it: a lease running out wakes another instance first, and this
      // one only a lease later (the long poll wakes a waiter at both times).
      return {
        events: granted,
        aborted,
        accepts: (event) => (given.get(event.id) ?? 0) <= clock.nowMs() && accepts(record, instance, event),
        topics: record.subscriptions.map((subscription) => subscription.event),
        ...(Number.isFinite(nextOfferAtMs) ? { nextOfferInMs: Math.max(0, nextOfferAtMs - nowMs) } : {}),
        holds: holdsOpen || granted.length > 0,
      };
    },
    checkRegistered(integrationId, instanceId) {
      if (!registered.integration(integrationId)) throw integrationNotFound(integrationId);
      if (!registered.instance(integrationId, instanceId)) throw instanceNotFound(integrationId, instanceId);
    },
    async renewHeartbeats(instances) {
      const found = await registry.touchInstances(instances, keptnTime(clock.nowMs()));
      return instances.map((instance, i) => (found[i] ? undefined : notFound(instance)));
    },
    async sweepLeases() {
      // Every lease, read first: there are few (tasks open now, and closed ones until their
      // instance's next poll), while listing every registered instance cost the event loop about
      // 40 ms a sweep with 5,000 parked agents. Then the instances of those leases' integrations only.
      const held = await leases.listLeases();
      if (held.length === 0) return 0;
      const integrationIds = [...new Set(held.map((lease) => lease.integrationId))];
      const registered = new Set((await registry.listInstances(integrationIds)).map(instanceKey));
      let removed = 0;
      for (const lease of held) {
        if (registered.has(instanceKey(lease))) continue;
        if (await taskOpen(events, lease.triggeredId)) continue;
        await leases.deleteLease(lease.triggeredId, lease.integrationId, lease.instanceId);
        removed++;
      }
      return removed;
    },
  };
}
