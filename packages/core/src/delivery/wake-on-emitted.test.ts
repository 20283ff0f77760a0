import { describe, expect, it } from 'vitest';
import type { KeptnEvent } from '../events/keptn-event.js';
import type { TaskWaiters } from './task-waiters.js';
import { wakeOnEmitted } from './wake-on-emitted.js';

const NOW = Date.UTC(2024, 0, 1);
const clock = { nowMs: () => NOW };
const event = (type: string, inMs = 0) => ({ type, time: new Date(NOW + inMs).toISOString() }) as KeptnEvent;

function recorder(): TaskWaiters & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    ticket: () => ({ wait: () => Promise.resolve(false), cancel: () => undefined }),
    wakeAll: () => void calls.push('now'),
    wakeAllAfter: (ms) => void calls.push(`after ${ms}`),
    size: 0,
    closed: false,
    close: () => undefined,
  };
}

describe('wakeOnEmitted', () => {
  it.each([
    { types: ['sh.keptn.event.deployment.triggered'], calls: ['now'] },
    { types: ['sh.keptn.event.dev.delivery.finished'], calls: ['now'] },
    { types: ['sh.keptn.event.deployment.started'], calls: [] },
  ])('$types wake $calls', ({ types, calls }) => {
    const waiters = recorder();
    wakeOnEmitted(waiters, clock, types.map((t) => event(t)));
    expect(waiters.calls).toEqual(calls);
  });

  it('wakes again when a triggeredAfter task becomes visible', () => {
    const waiters = recorder();
    wakeOnEmitted(waiters, clock, [event('sh.keptn.event.test.triggered', 120_000)]);
    expect(waiters.calls).toEqual(['now', 'after 120001']);
  });
});
