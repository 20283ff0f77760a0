import { describe, expect, it } from 'vitest';
import type { KeptnEvent } from '../events/keptn-event.js';
import type { TaskWaiters } from './task-waiters.js';
import { wakeOnEmitted } from './wake-on-emitted.js';

const event = (type: string, status?: string) => ({ type, time: '2024-01-01T00:00:00.000Z', data: status ? { status } : {} }) as KeptnEvent;

function recorder(): TaskWaiters & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    ticket: () => ({
      looking: () => undefined,
      looked: () => undefined,
      wait: () => Promise.resolve(false),
      cancel: () => undefined,
      woken: false,
    }),
    wakeAll: () => void calls.push('all'),
    wakeIntegration: (id) => void calls.push(`integration ${id}`),
    wakeFor: (events) => void calls.push(`for ${events.map((e) => e.type).join(',')}`),
    wakeForAfter: (ms, events) => void calls.push(`after ${ms} for ${events.length}`),
    size: 0,
    wakes: 0,
    closed: false,
    close: () => undefined,
  };
}

describe('wakeOnEmitted', () => {
  it.each([
    { type: 'sh.keptn.event.deployment.triggered', status: undefined, calls: ['for sh.keptn.event.deployment.triggered'] },
    { type: 'sh.keptn.event.dev.delivery.finished', status: 'aborted', calls: ['all'] },
    { type: 'sh.keptn.event.dev.delivery.finished', status: 'succeeded', calls: [] },
    { type: 'sh.keptn.event.deployment.started', status: undefined, calls: [] },
  ])('$type ($status) wakes $calls', ({ type, status, calls }) => {
    const waiters = recorder();
    wakeOnEmitted(waiters, [event(type, status)]);
    expect(waiters.calls).toEqual(calls);
  });
});
