/**
 * The long poll of an agent instance: take work now; if there is none, park until woken or until
 * `waitMs` (real time) passed, then look again. The first look is the instance's heartbeat, unless
 * this replica wrote that heartbeat less than a renewal period ago (usually the renewals of its
 * previous poll), which the parked renewals then carry on (see parked-heartbeats.ts). While the
 * poll is parked, its heartbeat is renewed with those of all other parked polls, so a long wait
 * never lets it go offline, and an instance that is no longer registered ends its poll with 404.
 * Answers with an empty batch when time is up. A new task wakes one parked instance per
 * integration (see task-waiters.ts). A poll that saw a task it could not lease yet (leased to
 * another instance, or to this one with the answer lost) looks again the moment it may be offered,
 * so a lease given by a replica that died since is taken over in time.
 */
import type { TaskBatch, TaskDelivery } from './task-delivery.js';
import type { TaskWaiters } from './task-waiters.js';
import type { ParkedHeartbeats } from './parked-heartbeats.js';
import { ONLINE_HEARTBEATS } from '../registry/collision.js';
import type { CancelSignal } from './cancel-signal.js';
import type { QuietPolls, ReusableLook } from './quiet-polls.js';

/**
 * How often a parked poll renews its instance's heartbeat: every `ONLINE_HEARTBEATS - 1` intervals
 * (10 s with the default 5 s), the sparsest renewal that still keeps the instance online (it goes
 * offline after `ONLINE_HEARTBEATS` intervals); it halves the heartbeat writes of idle agents.
 */
export function parkedHeartbeatMs(heartbeatIntervalMs: number): number {
  return heartbeatIntervalMs * Math.max(1, ONLINE_HEARTBEATS - 1);
}

/** Largest `waitMs` a request may ask for. */
export const MAX_WAIT_MS = 60_000;

/** What a long poll works with: the delivery, the parked requests and their heartbeats. */
export interface LongPollServices {
  delivery: TaskDelivery;
  waiters: TaskWaiters;
  heartbeats: ParkedHeartbeats;
  /** Polls that ended quiet: the next one of the instance may skip its first look (quiet-polls.ts). */
  quiet?: QuietPolls;
}

/** One long-poll request. */
export interface LongPollRequest {
  integrationId: string;
  instanceId: string;
  /** How long to hold the request when there is nothing (real ms). */
  waitMs: number;
  /** The lease duration: parked instances are woken when leases given now run out. */
  leaseMs: number;
  /** Ends the wait early (the client went away) with an empty batch. */
  signal?: CancelSignal;
  /** Real-time clock in ms. @default performance.now */
  now?: () => number;
}

const EMPTY: TaskBatch = { events: [], aborted: [] };

/** Runs one long poll; rejects with `ERR_INTEGRATION_NOT_FOUND` when the instance is not (or no longer) registered. */
export async function longPoll(services: LongPollServices, request: LongPollRequest): Promise<TaskBatch> {
  const { delivery, waiters, heartbeats, quiet } = services;
  const now = request.now ?? (() => performance.now());
  const started = now();
  // One ticket for the whole request, taken before the first look so that a task triggered
  // meanwhile is not missed. Until that look ends any event wakes it; after it only the events its
  // subscriptions and filters accept (as of the last look; subscription changes wake everyone).
  const ticket = waiters.ticket(request.integrationId);
  let unpark: (() => void) | undefined;
  let gone: Promise<Error> | undefined;
  let look = true;
  let first = true;
  /** Real time at which a task this instance saw but could not take may be offered to it. */
  let lookAgainAt = Number.POSITIVE_INFINITY;
  const instance = { integrationId: request.integrationId, instanceId: request.instanceId };
  const heartbeatWritten = !heartbeats.heartbeatKnown(instance);
  /** The last look when it found nothing for the instance (what the next poll may reuse). */
  let quietLook: ReusableLook | undefined;
  // The last poll ended quiet just now and no event came since: its look stands for this one's
  // first (only when the heartbeat needs no write, which that look would make).
  const reused = heartbeatWritten ? undefined : quiet?.reuse(instance, waiters.wakes);
  try {
    if (reused) {
      delivery.checkRegistered(request.integrationId, request.instanceId);
      ticket.looked(reused.accepts, [], reused.topics);
      quietLook = reused;
      look = false;
      first = false;
    }
    for (;;) {
      if (request.signal?.aborted) return { events: [], aborted: [] };
      let batch: TaskBatch = EMPTY;
      if (look) {
        ticket.looking();
        const lookedAt = now();
        // The heartbeat is written on the first look only; once parked, the shared renewal takes over.
        const taken = await delivery.take(request.integrationId, request.instanceId, { heartbeat: first && heartbeatWritten });
        first = false;
        ticket.looked(taken.accepts, taken.events, taken.topics);
        batch = taken;
        const foundNothing = taken.events.length === 0 && taken.aborted.length === 0 && !taken.holds && taken.nextOfferInMs === undefined;
        quietLook = foundNothing ? { accepts: taken.accepts, topics: taken.topics, lookedAt } : undefined;
        // +1: the look must come after the moment, not at it.
        lookAgainAt = taken.nextOfferInMs === undefined ? Number.POSITIVE_INFINITY : now() + taken.nextOfferInMs + 1;
        // Another instance of the integration may take these tasks when the lease runs out, and this
        // one a lease later (its answer may be lost on the way): wake a waiter at both times.
        if (batch.events.length > 0) {
          waiters.wakeForAfter(request.leaseMs + 1, batch.events, request.integrationId);
          waiters.wakeForAfter(2 * request.leaseMs + 1, batch.events, request.integrationId);
        }
      }
      const remaining = request.waitMs - (now() - started);
      if (batch.events.length > 0 || batch.aborted.length > 0 || remaining <= 0 || waiters.closed) {
        // Time is up, nothing woke it since a look that found nothing: the next poll may reuse that look.
        if (quietLook && remaining <= 0 && !ticket.woken && !waiters.closed) quiet?.ended(instance, quietLook, waiters.wakes);
        return { events: batch.events, aborted: batch.aborted };
      }
      if (!gone) {
        gone = new Promise<Error>((resolve) => (unpark = heartbeats.park(instance, resolve, heartbeatWritten)));
      }
      // True at once when a wake-up came during the look; an Error when the instance was removed.
      const untilOffer = lookAgainAt - now();
      const woken = await Promise.race([ticket.wait(Math.max(0, Math.min(remaining, untilOffer)), request.signal), gone]);
      if (woken instanceof Error) throw woken;
      look = woken || (untilOffer < remaining && now() >= lookAgainAt);
    }
  } finally {
    unpark?.();
    // A wake-up no look used (the request answered with other tasks, or went away) goes to the next instance.
    ticket.cancel();
  }
}
