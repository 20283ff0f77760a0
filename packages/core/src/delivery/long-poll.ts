/**
 * The long poll of an agent instance: take work now; if there is none, park until woken or until
 * `waitMs` (real time) passed, then look again. While parked the instance's heartbeat is renewed
 * every `heartbeatMs`, so a long wait never lets it go offline. Answers with an empty batch when
 * time is up.
 */
import type { KeptnEvent } from '../events/keptn-event.js';
import type { TaskBatch, TaskDelivery } from './task-delivery.js';
import type { TaskWaiters } from './task-waiters.js';

/** Largest `waitMs` a request may ask for. */
export const MAX_WAIT_MS = 60_000;

/** One long-poll request. */
export interface LongPollRequest {
  integrationId: string;
  instanceId: string;
  /** How long to hold the request when there is nothing (real ms). */
  waitMs: number;
  /** The lease duration: parked instances are woken when leases given now run out. */
  leaseMs: number;
  /** Heartbeat period while parked. */
  heartbeatMs: number;
  /** Ends the wait early (the client went away) with an empty batch. */
  signal?: AbortSignal;
  /** Real-time clock in ms. @default performance.now */
  now?: () => number;
}

const EMPTY: TaskBatch = { events: [], aborted: [] };

/** Runs one long poll. */
export async function longPoll(delivery: TaskDelivery, waiters: TaskWaiters, request: LongPollRequest): Promise<TaskBatch> {
  const now = request.now ?? (() => performance.now());
  const started = now();
  let look = true;
  let first = true;
  let accepts: ((event: KeptnEvent) => boolean) | undefined;
  for (;;) {
    // The ticket is taken before looking, so a wake-up that comes meanwhile is not lost. Until the
    // first look, any event wakes it; after that only events its subscriptions accept (as of the
    // last look; subscription changes wake everyone).
    let ticket = waiters.ticket(accepts);
    try {
      if (request.signal?.aborted) return { events: [], aborted: [] };
      let batch: TaskBatch = EMPTY;
      let missed = false;
      if (look) {
        // The heartbeat is written on the first look and on every quiet heartbeatMs, not on every wake-up.
        const taken = await delivery.take(request.integrationId, request.instanceId, { heartbeat: first });
        first = false;
        batch = taken;
        // Re-register with the narrowing of the current subscriptions; a wake-up that came meanwhile still counts.
        accepts = taken.accepts;
        const narrowed = waiters.ticket(accepts);
        missed = ticket.woken;
        ticket.cancel();
        ticket = narrowed;
        // Other instances may take these tasks when the lease runs out: wake them then.
        if (batch.events.length > 0) waiters.wakeForAfter(request.leaseMs + 1, batch.events);
      } else {
        await delivery.touch(request.integrationId, request.instanceId);
      }
      const remaining = request.waitMs - (now() - started);
      if (batch.events.length > 0 || batch.aborted.length > 0 || remaining <= 0 || waiters.closed) {
        return { events: batch.events, aborted: batch.aborted };
      }
      const onAbort = () => waiters.wakeAll();
      request.signal?.addEventListener('abort', onAbort, { once: true });
      look = missed || (await ticket.wait(Math.min(remaining, request.heartbeatMs)));
      request.signal?.removeEventListener('abort', onAbort);
    } finally {
      ticket.cancel();
    }
  }
}
