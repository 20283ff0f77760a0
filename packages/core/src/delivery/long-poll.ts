/**
 * The long poll of an agent instance: take work now; if there is none, park until woken or until
 * `waitMs` (real time) passed, then look again. Answers with an empty batch when time is up.
 */
import type { TaskBatch, TaskDelivery } from './task-delivery.js';
import type { TaskWaiters } from './task-waiters.js';

/** Largest `waitMs` a request may ask for. */
export const MAX_WAIT_MS = 60_000;

/** Runs one long poll. `signal` ends the wait early (the client went away) with an empty batch. */
export async function longPoll(
  delivery: TaskDelivery,
  waiters: TaskWaiters,
  request: { integrationId: string; instanceId: string; waitMs: number; leaseMs: number; signal?: AbortSignal },
): Promise<TaskBatch> {
  const started = performance.now();
  for (;;) {
    const ticket = waiters.ticket();
    try {
      if (request.signal?.aborted) {
        await delivery.touch(request.integrationId, request.instanceId);
        return { events: [], aborted: [] };
      }
      const batch = await delivery.take(request.integrationId, request.instanceId);
      // Other instances may take these tasks when the lease runs out: wake them then.
      if (batch.events.length > 0) waiters.wakeAllAfter(request.leaseMs + 1);
      const remaining = request.waitMs - (performance.now() - started);
      if (batch.events.length > 0 || batch.aborted.length > 0 || remaining <= 0 || waiters.closed) return batch;
      const onAbort = () => waiters.wakeAll();
      request.signal?.addEventListener('abort', onAbort, { once: true });
      await ticket.wait(remaining);
      request.signal?.removeEventListener('abort', onAbort);
    } finally {
      ticket.cancel();
    }
  }
}
