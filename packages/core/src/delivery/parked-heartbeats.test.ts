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

  it('still renews every two ticks when each tick comes a few ms late', async () => {
    heartbeats.close();
    // Each renewal puts the clock 3 ms further behind the timer, as a real interval timer fires late.
    let lateMs = 0;
    const late = createParkedHeartbeats({
      renew: (instances) => {
        lateMs += 3;
        writes.push(instances.map((i) => i.instanceId));
        return Promise.resolve(instances.map(() => undefined));
      },
      tickMs: TICK_MS,
      renewEveryMs: RENEW_EVERY_MS,
      onError: (error) => errors.push(error),
      now: () => Date.now() + lateMs,
    });
    late.park(ref('a'), () => undefined);
    late.park(ref('b'), () => undefined);
    await vi.advanceTimersByTimeAsync(40_000);
    late.close();
    // At 10, 20, 30 and 40 s: a heartbeat renewed at one tick is 5,003 ms old at the next, not due.
    expect(writes).toEqual([
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'b'],
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

  it('tells a heartbeat written less than renewEveryMs ago as known, after the poll ended too', async () => {
    expect(heartbeats.heartbeatKnown(ref('a'))).toBe(false);
    const unparkA = heartbeats.park(ref('a'), () => undefined);
    heartbeats.park(ref('b'), () => undefined);
    await vi.advanceTimersByTimeAsync(4_000);
    unparkA();
    expect(heartbeats.heartbeatKnown(ref('a'))).toBe(true);
    await vi.advanceTimersByTimeAsync(5_999);
    expect(heartbeats.heartbeatKnown(ref('a'))).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(heartbeats.heartbeatKnown(ref('a'))).toBe(false);
    // b's renewal at 10 s makes it known again; a, no longer parked, is not renewed.
    expect(writes).toEqual([['b']]);
    expect(heartbeats.heartbeatKnown(ref('b'))).toBe(true);
  });

  it('renews a poll that skipped its heartbeat at the regular tick when that keeps it within renewEveryMs', async () => {
    heartbeats.park(ref('keeps-the-timer'), () => undefined);
    await vi.advanceTimersByTimeAsync(2_000);
    const unpark = heartbeats.park(ref('a'), () => undefined);
    await vi.advanceTimersByTimeAsync(2_000);
    // a's poll ends at 4 s and the next one parks at once without writing: its heartbeat is 2 s old,
    // 6 s by the 5 s tick (not due) and 8 s by the 10 s one (due then, 13 s by the tick after).
    unpark();
    expect(heartbeats.heartbeatKnown(ref('a'))).toBe(true);
    heartbeats.park(ref('a'), () => undefined, false);
    await vi.advanceTimersByTimeAsync(5_999);
    expect(writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(writes).toEqual([['keeps-the-timer', 'a']]);
  });

  it('renews within soonMs, in one write, the polls whose known heartbeat the next tick would leave too old', async () => {
    // Ticks at 5 s, 10 s, 15 s… from the first park.
    heartbeats.park(ref('keeps-the-timer'), () => undefined);
    await vi.advanceTimersByTimeAsync(1_000);
    const unparkA = heartbeats.park(ref('a'), () => undefined);
    const unparkB = heartbeats.park(ref('b'), () => undefined);
    // The polls of a and b end at 9.9 s, just before the tick that would have renewed them.
    await vi.advanceTimersByTimeAsync(8_900);
    unparkA();
    unparkB();
    await vi.advanceTimersByTimeAsync(600);
    expect(writes).toEqual([['keeps-the-timer']]);
    // At 10.5 s and 10.55 s they park again from their heartbeats of 1 s, which the 15 s tick would
    // find 14 s old: one write for both at 10.6 s.
    heartbeats.park(ref('a'), () => undefined, false);
    await vi.advanceTimersByTimeAsync(50);
    heartbeats.park(ref('b'), () => undefined, false);
    await vi.advanceTimersByTimeAsync(49);
    expect(writes).toEqual([['keeps-the-timer']]);
    await vi.advanceTimersByTimeAsync(1);
    expect(writes).toEqual([['keeps-the-timer'], ['a', 'b']]);
  });

  it('renews a poll that skipped its heartbeat within soonMs when the record is gone', async () => {
    heartbeats.park(ref('b'), () => undefined);
    heartbeats.park(ref('a'), () => undefined, false);
    await vi.advanceTimersByTimeAsync(99);
    expect(writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
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
