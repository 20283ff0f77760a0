import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NotFoundError } from '../errors/errors.js';
import { ErrorCode } from '../errors/error-codes.js';
import type { KeptnEvent } from '../events/keptn-event.js';
import { longPoll, parkedHeartbeatMs } from './long-poll.js';
import { ONLINE_HEARTBEATS } from '../registry/collision.js';
import type { LongPollRequest } from './long-poll.js';
import { createParkedHeartbeats } from './parked-heartbeats.js';
import type { ParkedHeartbeats } from './parked-heartbeats.js';
import type { InstanceRef, TaskBatch, TaskDelivery } from './task-delivery.js';
import { createTaskWaiters } from './task-waiters.js';
import { createQuietPolls } from './quiet-polls.js';
import type { TaskWaiters } from './task-waiters.js';

const TASK = { id: 't1', type: 'sh.keptn.event.deployment.triggered' } as KeptnEvent;

/**
 * A delivery whose next batches the test queues; counts looks (per instance), first-look heartbeats
 * and records the renewals of parked heartbeats (instances in `removed` are gone). While `gate` is
 * set, a look waits for it before it reads the queue.
 */
function fakeDelivery(): TaskDelivery & {
  queue: Array<TaskBatch & { nextOfferInMs?: number; holds?: boolean }>;
  takes: number;
  takesBy: Record<string, number>;
  renewals: string[][];
  heartbeats: number;
  removed: Set<string>;
  gate?: Promise<void>;
} {
  const fake = {
    queue: [] as Array<TaskBatch & { nextOfferInMs?: number; holds?: boolean }>,
    takes: 0,
    takesBy: {} as Record<string, number>,
    renewals: [] as string[][],
    heartbeats: 0,
    removed: new Set<string>(),
    gate: undefined as Promise<void> | undefined,
    async take(_integrationId: string, instanceId: string, options?: { heartbeat?: boolean }) {
      fake.takes++;
      fake.takesBy[instanceId] = (fake.takesBy[instanceId] ?? 0) + 1;
      if (options?.heartbeat ?? true) fake.heartbeats++;
      await fake.gate;
      return {
        holds: false,
        ...(fake.queue.shift() ?? { events: [], aborted: [] }),
        accepts: (e: KeptnEvent) => e.id !== 'ignored',
        topics: ['>'],
      };
    },
    renewHeartbeats(instances: readonly InstanceRef[]) {
      fake.renewals.push(instances.map((i) => i.instanceId));
      return Promise.resolve(
        instances.map((i) =>
          fake.removed.has(i.instanceId)
            ? new NotFoundError(ErrorCode.integrationNotFound, `instance '${i.instanceId}' not found`)
            : undefined,
        ),
      );
    },
    sweepLeases: () => Promise.resolve(0),
    checkRegistered(_integrationId: string, instanceId: string) {
      if (fake.removed.has(instanceId)) throw new NotFoundError(ErrorCode.integrationNotFound, `instance '${instanceId}' not found`);
    },
  };
  return fake;
}

const HEARTBEAT_MS = 5_000;
let waiters: TaskWaiters;
let heartbeats: ParkedHeartbeats;
let delivery: ReturnType<typeof fakeDelivery>;
const request = (fields: Partial<LongPollRequest> = {}): LongPollRequest => ({
  integrationId: 'i',
  instanceId: 'x',
  waitMs: 60_000,
  leaseMs: 30_000,
  now: () => Date.now(),
  ...fields,
});
const poll = (fields: LongPollRequest) => longPoll({ delivery, waiters, heartbeats }, fields);

beforeEach(() => {
  vi.useFakeTimers();
  waiters = createTaskWaiters();
  delivery = fakeDelivery();
  heartbeats = createParkedHeartbeats({
    renew: (instances) => delivery.renewHeartbeats(instances),
    tickMs: HEARTBEAT_MS,
    renewEveryMs: parkedHeartbeatMs(HEARTBEAT_MS),
    onError: (error) => {
      throw error;
    },
    now: () => Date.now(),
  });
});

afterEach(() => {
  waiters.close();
  heartbeats.close();
  vi.useRealTimers();
});

describe('longPoll', () => {
  it('answers at once when there is work', async () => {
    delivery.queue.push({ events: [TASK], aborted: [] });
    expect(await poll(request())).toEqual({ events: [TASK], aborted: [] });
    expect(waiters.size).toBe(0);
  });

  it('parks, and looks again when woken', async () => {
    const answer = poll(request());
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
    const answer = poll(request());
    await vi.advanceTimersByTimeAsync(10);
    waiters.wakeFor([{ ...TASK, id: 'ignored' }]);
    await vi.advanceTimersByTimeAsync(10);
    expect(delivery.takes).toBe(1);
    delivery.queue.push({ events: [TASK], aborted: [] });
    waiters.wakeFor([TASK]);
    expect((await answer).events).toEqual([TASK]);
  });

  it('renews the heartbeat every two intervals while parked and answers empty after waitMs', async () => {
    const answer = poll(request({ waitMs: 25_000 }));
    await vi.advanceTimersByTimeAsync(25_000);
    expect(await answer).toEqual({ events: [], aborted: [] });
    expect(delivery.takes).toBe(1);
    expect(delivery.heartbeats).toBe(1);
    // At 10 s and 20 s; the first look (0 s) was the first heartbeat.
    expect(delivery.renewals).toEqual([['x'], ['x']]);
    expect(heartbeats.size).toBe(0);
  });

  it('skips the heartbeat of a poll sent right after the last one was answered, and parks from the earlier heartbeat', async () => {
    const first = poll(request({ waitMs: 12_000 }));
    await vi.advanceTimersByTimeAsync(12_000);
    await first;
    // Renewed at 10 s: the next poll, at 12 s, finds a heartbeat 2 s old and writes none.
    expect(delivery.renewals).toEqual([['x']]);
    const second = poll(request({ waitMs: 10_000 }));
    await vi.advanceTimersByTimeAsync(0);
    expect(delivery.heartbeats).toBe(1);
    // The renewals go from the 10 s heartbeat: due by the first tick after the poll parked (17 s).
    await vi.advanceTimersByTimeAsync(5_000);
    expect(delivery.renewals).toEqual([['x'], ['x']]);
    await vi.advanceTimersByTimeAsync(5_000);
    await second;
    expect(delivery.heartbeats).toBe(1);
  });

  it('renews within soonMs the skipped heartbeat of a poll that the next tick would renew too late', async () => {
    const first = poll(request({ waitMs: 6_000 }));
    await vi.advanceTimersByTimeAsync(6_000);
    await first;
    // The first look at 0 s was the last heartbeat; the next poll, at 6 s, writes none, but the
    // renewals' timer starts again with it and would tick at 11 s: one renewal 100 ms after the park.
    const second = poll(request({ waitMs: 1_000 }));
    await vi.advanceTimersByTimeAsync(99);
    expect(delivery.renewals).toEqual([]);
    await vi.advanceTimersByTimeAsync(901);
    await second;
    expect(delivery.heartbeats).toBe(1);
    expect(delivery.renewals).toEqual([['x']]);
  });

  it('writes the heartbeat of a poll whose instance this replica last saw renewEveryMs ago or more', async () => {
    const first = poll(request({ waitMs: 1_000 }));
    await vi.advanceTimersByTimeAsync(10_000);
    await first;
    const second = poll(request({ waitMs: 1_000 }));
    await vi.advanceTimersByTimeAsync(1_000);
    await second;
    expect(delivery.heartbeats).toBe(2);
    expect(delivery.renewals).toEqual([]);
  });

  it('renews the parked polls of several instances in one write', async () => {
    const polls = ['x', 'y', 'z'].map((instanceId) => poll(request({ instanceId, waitMs: 15_000 })));
    await vi.advanceTimersByTimeAsync(15_000);
    expect(await Promise.all(polls)).toEqual(polls.map(() => ({ events: [], aborted: [] })));
    expect(delivery.renewals).toEqual([['x', 'y', 'z']]);
  });

  it('ends a parked poll with the error of the renewal once its instance is gone, and keeps the others', async () => {
    const removed = poll(request({ instanceId: 'x', waitMs: 30_000 }));
    const kept = poll(request({ instanceId: 'y', waitMs: 25_000 }));
    const failure = expect(removed).rejects.toMatchObject({ code: ErrorCode.integrationNotFound, message: "instance 'x' not found" });
    await vi.advanceTimersByTimeAsync(1000);
    delivery.removed.add('x');
    await vi.advanceTimersByTimeAsync(10_000);
    await failure;
    expect(waiters.size).toBe(1);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(await kept).toEqual({ events: [], aborted: [] });
    expect(delivery.renewals).toEqual([['x', 'y'], ['y']]);
  });

  it('wakes the others when a lease it handed out runs out', async () => {
    const other = poll(request());
    await vi.advanceTimersByTimeAsync(10);
    delivery.queue.push({ events: [TASK], aborted: [] });
    // The wake-up from this poll's own ticket registration must not matter: it answers at once.
    await poll(request());
    delivery.queue.push({ events: [TASK], aborted: [] });
    await vi.advanceTimersByTimeAsync(30_001);
    expect((await other).events).toEqual([TASK]);
  });

  it('looks again, unwoken, when a task it saw may be offered to it', async () => {
    delivery.queue.push({ events: [], aborted: [], nextOfferInMs: 40_000 });
    const answer = poll(request());
    await vi.advanceTimersByTimeAsync(40_000);
    expect(delivery.takes).toBe(1);
    delivery.queue.push({ events: [TASK], aborted: [] });
    await vi.advanceTimersByTimeAsync(1);
    expect(await answer).toEqual({ events: [TASK], aborted: [] });
    expect(delivery.takes).toBe(2);
  });

  it('does not look again for a task offerable only after its wait ends', async () => {
    delivery.queue.push({ events: [], aborted: [], nextOfferInMs: 25_000 });
    const answer = poll(request({ waitMs: 20_000 }));
    await vi.advanceTimersByTimeAsync(20_000);
    expect(await answer).toEqual({ events: [], aborted: [] });
    expect(delivery.takes).toBe(1);
  });

  it('wakes only the instance of an integration parked longest for one task', async () => {
    const first = poll(request({ instanceId: 'x' }));
    await vi.advanceTimersByTimeAsync(10);
    const second = poll(request({ instanceId: 'y' }));
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
    const first = poll(request({ instanceId: 'x', signal: gone.signal }));
    await vi.advanceTimersByTimeAsync(10);
    const second = poll(request({ instanceId: 'y' }));
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
    const busy = poll(request({ instanceId: 'x' }));
    await vi.advanceTimersByTimeAsync(10);
    const other = { ...TASK, id: 't2' };
    waiters.wakeFor([other]);
    delivery.gate = undefined;
    const idle = poll(request({ instanceId: 'y' }));
    await vi.advanceTimersByTimeAsync(10);
    expect(delivery.takesBy).toEqual({ x: 1, y: 1 });
    delivery.queue.push({ events: [TASK], aborted: [] }, { events: [other], aborted: [] });
    open();
    expect((await busy).events).toEqual([TASK]);
    expect((await idle).events).toEqual([other]);
  });

  it('stops waiting when the client goes away', async () => {
    const gone = new AbortController();
    const answer = poll(request({ signal: gone.signal }));
    await vi.advanceTimersByTimeAsync(10);
    gone.abort();
    expect(await answer).toEqual({ events: [], aborted: [] });
  });

  it('answers parked polls when the waiters close', async () => {
    const answer = poll(request());
    await vi.advanceTimersByTimeAsync(10);
    waiters.close();
    expect(await answer).toEqual({ events: [], aborted: [] });
  });
});

describe('longPoll after a poll that ended quiet', () => {
  const quietPoll = (fields: Partial<LongPollRequest>, quiet: ReturnType<typeof createQuietPolls>) =>
    longPoll({ delivery, waiters, heartbeats, quiet }, request({ waitMs: 1000, ...fields }));

  /** A poll of x that looks once, finds nothing and ends when its wait runs out. */
  async function endQuiet(quiet: ReturnType<typeof createQuietPolls>): Promise<void> {
    const first = quietPoll({}, quiet);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await first).toEqual({ events: [], aborted: [] });
    expect(delivery.takes).toBe(1);
  }

  /** The next poll of x looks (takes a second time) and ends when its wait runs out. */
  async function expectNextPollLooks(quiet: ReturnType<typeof createQuietPolls>): Promise<void> {
    const next = quietPoll({}, quiet);
    await vi.advanceTimersByTimeAsync(1000);
    await next;
    expect(delivery.takes).toBe(2);
  }

  it('parks the next poll without a look, and still hands it a task woken for it', async () => {
    const quiet = createQuietPolls({ now: () => Date.now() });
    await endQuiet(quiet);
    const next = quietPoll({ waitMs: 60_000 }, quiet);
    await vi.advanceTimersByTimeAsync(10);
    expect(delivery.takes).toBe(1);
    expect(waiters.size).toBe(1);
    // Woken only by what the reused look accepts.
    waiters.wakeFor([{ ...TASK, id: 'ignored' }]);
    await vi.advanceTimersByTimeAsync(10);
    expect(delivery.takes).toBe(1);
    delivery.queue.push({ events: [TASK], aborted: [] });
    waiters.wakeFor([TASK]);
    expect((await next).events).toEqual([TASK]);
    expect(delivery.takes).toBe(2);
  });

  it('looks when any event reached the waiters between the two polls', async () => {
    const quiet = createQuietPolls({ now: () => Date.now() });
    await endQuiet(quiet);
    waiters.wakeFor([{ ...TASK, id: 'other' }]);
    await expectNextPollLooks(quiet);
  });

  it.each([
    ['holds a task', { events: [], aborted: [], holds: true }],
    ['may be offered a task later', { events: [], aborted: [], nextOfferInMs: 50_000 }],
  ])('looks when the last look found the instance %s', async (_what, batch) => {
    const quiet = createQuietPolls({ now: () => Date.now() });
    delivery.queue.push(batch);
    await endQuiet(quiet);
    await expectNextPollLooks(quiet);
  });

  it('looks when the next poll comes a second or more after the end', async () => {
    const quiet = createQuietPolls({ now: () => Date.now() });
    await endQuiet(quiet);
    await vi.advanceTimersByTimeAsync(1000);
    await expectNextPollLooks(quiet);
  });

  it('answers 404 at once when the instance is gone, though it reuses the look', async () => {
    const quiet = createQuietPolls({ now: () => Date.now() });
    await endQuiet(quiet);
    delivery.removed.add('x');
    await expect(quietPoll({}, quiet)).rejects.toMatchObject({ code: ErrorCode.integrationNotFound });
    expect(waiters.size).toBe(0);
  });
});

describe('parkedHeartbeatMs', () => {
  it('renews as rarely as possible while staying inside the online window', () => {
    expect(parkedHeartbeatMs(5_000)).toBe(10_000);
    expect(parkedHeartbeatMs(5_000)).toBeLessThan(ONLINE_HEARTBEATS * 5_000);
  });
});
