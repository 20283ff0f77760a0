import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KeptnEvent } from '../events/keptn-event.js';
import { longPoll, parkedHeartbeatMs } from './long-poll.js';
import { ONLINE_HEARTBEATS } from '../registry/collision.js';
import type { LongPollRequest } from './long-poll.js';
import type { TaskBatch, TaskDelivery } from './task-delivery.js';
import { createTaskWaiters } from './task-waiters.js';
import type { TaskWaiters } from './task-waiters.js';

const TASK = { id: 't1', type: 'sh.keptn.event.deployment.triggered' } as KeptnEvent;

/**
 * A delivery whose next batches the test queues; counts looks (per instance) and heartbeats. While
 * `gate` is set, a look waits for it before it reads the queue.
 */
function fakeDelivery(): TaskDelivery & {
  queue: TaskBatch[];
  takes: number;
  takesBy: Record<string, number>;
  touches: number;
  heartbeats: number;
  gate?: Promise<void>;
} {
  const fake = {
    queue: [] as TaskBatch[],
    takes: 0,
    takesBy: {} as Record<string, number>,
    touches: 0,
    heartbeats: 0,
    gate: undefined as Promise<void> | undefined,
    async take(_integrationId: string, instanceId: string, options?: { heartbeat?: boolean }) {
      fake.takes++;
      fake.takesBy[instanceId] = (fake.takesBy[instanceId] ?? 0) + 1;
      if (options?.heartbeat ?? true) fake.heartbeats++;
      await fake.gate;
      return { ...(fake.queue.shift() ?? { events: [], aborted: [] }), accepts: (e: KeptnEvent) => e.id !== 'ignored' };
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

  it('wakes only the instance of an integration parked longest for one task', async () => {
    const first = longPoll(delivery, waiters, request({ instanceId: 'x' }));
    await vi.advanceTimersByTimeAsync(10);
    const second = longPoll(delivery, waiters, request({ instanceId: 'y' }));
    await vi.advanceTimersByTimeAsync(10);
    expect(delivery.takesBy).toEqual({ x: 1, y: 1 });
    delivery.queue.push({ events: [TASK], aborted: [] });
    waiters.wakeFor([TASK]);
    expect((await first).events).toEqual([TASK]);
    expect(delivery.takesBy).toEqual({ x: 2, y: 1 });
    waiters.close();
    expect(await second).toEqual({ events: [], aborted: [] });
  });

  it('passes the wake-up of a request that went away before looking to the next instance', async () => {
    const gone = new AbortController();
    const first = longPoll(delivery, waiters, request({ instanceId: 'x', signal: gone.signal }));
    await vi.advanceTimersByTimeAsync(10);
    const second = longPoll(delivery, waiters, request({ instanceId: 'y' }));
    await vi.advanceTimersByTimeAsync(10);
    delivery.queue.push({ events: [TASK], aborted: [] });
    waiters.wakeFor([TASK]);
    gone.abort();
    expect(await first).toEqual({ events: [], aborted: [] });
    expect((await second).events).toEqual([TASK]);
    expect(delivery.takesBy).toEqual({ x: 1, y: 2 });
  });

  it('passes on a wake-up that came while it looked when the look answers with other tasks', async () => {
    let open = () => undefined as void;
    delivery.gate = new Promise<void>((resolve) => (open = resolve));
    const busy = longPoll(delivery, waiters, request({ instanceId: 'x' }));
    await vi.advanceTimersByTimeAsync(10);
    const other = { ...TASK, id: 't2' };
    waiters.wakeFor([other]);
    delivery.gate = undefined;
    const idle = longPoll(delivery, waiters, request({ instanceId: 'y' }));
    await vi.advanceTimersByTimeAsync(10);
    expect(delivery.takesBy).toEqual({ x: 1, y: 1 });
    delivery.queue.push({ events: [TASK], aborted: [] }, { events: [other], aborted: [] });
    open();
    expect((await busy).events).toEqual([TASK]);
    expect((await idle).events).toEqual([other]);
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

describe('parkedHeartbeatMs', () => {
  it('renews as rarely as possible while staying inside the online window', () => {
    expect(parkedHeartbeatMs(5_000)).toBe(10_000);
    expect(parkedHeartbeatMs(5_000)).toBeLessThan(ONLINE_HEARTBEATS * 5_000);
  });
});
