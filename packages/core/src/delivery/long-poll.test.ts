import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KeptnEvent } from '../events/keptn-event.js';
import { longPoll } from './long-poll.js';
import type { LongPollRequest } from './long-poll.js';
import type { TaskBatch, TaskDelivery } from './task-delivery.js';
import { createTaskWaiters } from './task-waiters.js';
import type { TaskWaiters } from './task-waiters.js';

const TASK = { id: 't1', type: 'sh.keptn.event.deployment.triggered' } as KeptnEvent;

/** A delivery whose next batches the test queues; counts heartbeats. */
function fakeDelivery(): TaskDelivery & { queue: TaskBatch[]; takes: number; touches: number; heartbeats: number } {
  const fake = {
    queue: [] as TaskBatch[],
    takes: 0,
    touches: 0,
    heartbeats: 0,
    take(_integrationId: string, _instanceId: string, options?: { heartbeat?: boolean }) {
      fake.takes++;
      if (options?.heartbeat ?? true) fake.heartbeats++;
      return Promise.resolve({ ...(fake.queue.shift() ?? { events: [], aborted: [] }), accepts: (e: KeptnEvent) => e.id !== 'ignored' });
    },
    touch() {
      fake.touches++;
      return Promise.resolve();
    },
    sweepLeases: () => Promise.resolve(0),
  };
  return fake;
}

let waiters: TaskWaiters;
let delivery: ReturnType<typeof fakeDelivery>;
const request = (fields: Partial<LongPollRequest> = {}): LongPollRequest => ({
  integrationId: 'i',
  instanceId: 'x',
  waitMs: 60_000,
  leaseMs: 30_000,
  heartbeatMs: 5_000,
  now: () => Date.now(),
  ...fields,
});

beforeEach(() => {
  vi.useFakeTimers();
  waiters = createTaskWaiters();
  delivery = fakeDelivery();
});

afterEach(() => {
  waiters.close();
  vi.useRealTimers();
});

describe('longPoll', () => {
  it('answers at once when there is work', async () => {
    delivery.queue.push({ events: [TASK], aborted: [] });
    expect(await longPoll(delivery, waiters, request())).toEqual({ events: [TASK], aborted: [] });
    expect(waiters.size).toBe(0);
  });

  it('parks, and looks again when woken', async () => {
    const answer = longPoll(delivery, waiters, request());
    await vi.advanceTimersByTimeAsync(1000);
    expect(waiters.size).toBe(1);
    delivery.queue.push({ events: [], aborted: ['t9'] });
    waiters.wakeAll();
    expect(await answer).toEqual({ events: [], aborted: ['t9'] });
    expect(delivery.takes).toBe(2);
    // The heartbeat is written on the first look only, not on every wake-up.
    expect(delivery.heartbeats).toBe(1);
  });

  it('is woken only by events its subscriptions accept', async () => {
    const answer = longPoll(delivery, waiters, request());
    await vi.advanceTimersByTimeAsync(10);
    waiters.wakeFor([{ ...TASK, id: 'ignored' }]);
    await vi.advanceTimersByTimeAsync(10);
    expect(delivery.takes).toBe(1);
    delivery.queue.push({ events: [TASK], aborted: [] });
    waiters.wakeFor([TASK]);
    expect((await answer).events).toEqual([TASK]);
  });

  it('renews the heartbeat every heartbeatMs while parked and answers empty after waitMs', async () => {
    const answer = longPoll(delivery, waiters, request({ waitMs: 12_000 }));
    await vi.advanceTimersByTimeAsync(12_000);
    expect(await answer).toEqual({ events: [], aborted: [] });
    expect(delivery.takes).toBe(1);
    // At 5 s, 10 s and at the end (12 s).
    expect(delivery.touches).toBe(3);
  });

  it('wakes the others when a lease it handed out runs out', async () => {
    const other = longPoll(delivery, waiters, request());
    await vi.advanceTimersByTimeAsync(10);
    delivery.queue.push({ events: [TASK], aborted: [] });
    // The wake-up from this poll's own ticket registration must not matter: it answers at once.
    await longPoll(delivery, waiters, request());
    delivery.queue.push({ events: [TASK], aborted: [] });
    await vi.advanceTimersByTimeAsync(30_001);
    expect((await other).events).toEqual([TASK]);
  });

  it('stops waiting when the client goes away', async () => {
    const gone = new AbortController();
    const answer = longPoll(delivery, waiters, request({ signal: gone.signal }));
    await vi.advanceTimersByTimeAsync(10);
    gone.abort();
    expect(await answer).toEqual({ events: [], aborted: [] });
  });

  it('answers parked polls when the waiters close', async () => {
    const answer = longPoll(delivery, waiters, request());
    await vi.advanceTimersByTimeAsync(10);
    waiters.close();
    expect(await answer).toEqual({ events: [], aborted: [] });
  });
});
