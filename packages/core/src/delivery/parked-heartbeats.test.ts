import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createParkedHeartbeats } from './parked-heartbeats.js';
import type { ParkedHeartbeats } from './parked-heartbeats.js';
import type { InstanceRef } from './task-delivery.js';

const TICK_MS = 5_000;
const RENEW_EVERY_MS = 10_000;
const ref = (instanceId: string, integrationId = 'i'): InstanceRef => ({ integrationId, instanceId });

/** The writes the heartbeats made (instance ids per write); instances in `gone` are unknown, a `failing` write throws. */
let writes: string[][];
let gone: Set<string>;
let failing: boolean;
let errors: unknown[];
let heartbeats: ParkedHeartbeats;

beforeEach(() => {
  vi.useFakeTimers();
  writes = [];
  gone = new Set();
  failing = false;
  errors = [];
  heartbeats = createParkedHeartbeats({
    renew: (instances) => {
      if (failing) return Promise.reject(new Error('disk full'));
      writes.push(instances.map((i) => i.instanceId));
      return Promise.resolve(instances.map((i) => (gone.has(i.instanceId) ? new Error(`${i.instanceId} is gone`) : undefined)));
    },
    tickMs: TICK_MS,
    renewEveryMs: RENEW_EVERY_MS,
    onError: (error) => errors.push(error),
    now: () => Date.now(),
  });
});

afterEach(() => {
  heartbeats.close();
  vi.useRealTimers();
});

describe('createParkedHeartbeats', () => {
  it('renews every parked instance that is due in one write per tick', async () => {
    heartbeats.park(ref('a'), () => undefined);
    await vi.advanceTimersByTimeAsync(3_000);
    heartbeats.park(ref('b'), () => undefined);
    heartbeats.park(ref('c', 'other'), () => undefined);
    // Tick 10 s: a (10 s old) and b, c (7 s old, 12 s by the next tick) in one write.
    await vi.advanceTimersByTimeAsync(7_000);
    expect(writes).toEqual([['a', 'b', 'c']]);
    // From then on all three are renewed together, every two ticks.
    await vi.advanceTimersByTimeAsync(20_000);
    expect(writes).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ]);
  });

  it('renews an instance with two parked polls once, and from the later park', async () => {
    heartbeats.park(ref('a'), () => undefined);
    await vi.advanceTimersByTimeAsync(4_000);
    heartbeats.park(ref('a'), () => undefined);
    expect(heartbeats.size).toBe(2);
    // One write for both polls at 10 s (the later park's heartbeat, at 4 s, would be 11 s old by the next tick).
    await vi.advanceTimersByTimeAsync(6_000);
    expect(writes).toEqual([['a']]);
  });

  it('ends the polls of an instance that is gone, and only those', async () => {
    const ended: string[] = [];
    heartbeats.park(ref('a'), (error) => ended.push(`first: ${error.message}`));
    heartbeats.park(ref('a'), (error) => ended.push(`second: ${error.message}`));
    heartbeats.park(ref('b'), (error) => ended.push(`b: ${error.message}`));
    gone.add('a');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ended).toEqual(['first: a is gone', 'second: a is gone']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(writes).toEqual([['a', 'b'], ['b']]);
  });

  it('reports a failed write and retries the instances on the next tick', async () => {
    heartbeats.park(ref('a'), () => undefined);
    failing = true;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(errors).toEqual([new Error('disk full')]);
    failing = false;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(writes).toEqual([['a']]);
  });

  it('tells a heartbeat written less than renewEveryMs - tickMs ago as fresh, after the poll ended too', async () => {
    expect(heartbeats.heartbeatFresh(ref('a'))).toBe(false);
    const unparkA = heartbeats.park(ref('a'), () => undefined);
    heartbeats.park(ref('b'), () => undefined);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(heartbeats.heartbeatFresh(ref('a'))).toBe(true);
    unparkA();
    expect(heartbeats.heartbeatFresh(ref('a'))).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(heartbeats.heartbeatFresh(ref('a'))).toBe(false);
    // b's renewal at 10 s makes it fresh again; a, no longer parked, is not renewed.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(writes).toEqual([['b']]);
    expect(heartbeats.heartbeatFresh(ref('b'))).toBe(true);
    expect(heartbeats.heartbeatFresh(ref('a'))).toBe(false);
  });

  it('renews a poll that skipped its heartbeat from the heartbeat written before, within renewEveryMs of it', async () => {
    heartbeats.park(ref('keeps-the-timer'), () => undefined);
    await vi.advanceTimersByTimeAsync(2_000);
    const unpark = heartbeats.park(ref('a'), () => undefined);
    await vi.advanceTimersByTimeAsync(4_000);
    // a's poll ends at 6 s and the next one parks at once without writing: its heartbeat is 4 s old.
    unpark();
    expect(heartbeats.heartbeatFresh(ref('a'))).toBe(true);
    heartbeats.park(ref('a'), () => undefined, false);
    // Due at the 10 s tick (8 s old, 13 s by the next one), as if the poll had not ended.
    await vi.advanceTimersByTimeAsync(4_000);
    expect(writes).toEqual([['keeps-the-timer', 'a']]);
  });

  it('renews a poll that skipped its heartbeat at the next tick when the record is gone', async () => {
    heartbeats.park(ref('b'), () => undefined);
    heartbeats.park(ref('a'), () => undefined, false);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(writes).toEqual([['a']]);
  });

  it('runs a timer only while a poll is parked, and none after close', async () => {
    expect(vi.getTimerCount()).toBe(0);
    const unparkA = heartbeats.park(ref('a'), () => undefined);
    const unparkB = heartbeats.park(ref('b'), () => undefined);
    expect(vi.getTimerCount()).toBe(1);
    unparkA();
    unparkA();
    expect(heartbeats.size).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(writes).toEqual([['b']]);
    unparkB();
    expect(heartbeats.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    heartbeats.close();
    heartbeats.park(ref('a'), () => undefined);
    expect(vi.getTimerCount()).toBe(0);
  });
});
