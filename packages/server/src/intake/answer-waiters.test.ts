import { describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { createAnswerWaiters } from './answer-waiters.js';

function event(type: string, triggeredid?: string): KeptnEvent {
  return {
    id: `e-${type}`,
    type,
    source: 's',
    specversion: '1.0',
    time: 't',
    shkeptncontext: 'c',
    ...(triggeredid ? { triggeredid } : {}),
    data: {},
  };
}

describe('answer waiters', () => {
  it('wake every waiter of a triggered id with its .finished, and only with a .finished', async () => {
    const waiters = createAnswerWaiters();
    const first = waiters.wait('t1', 10_000);
    const second = waiters.wait('t1', 10_000);
    const other = waiters.wait('t2', 50);
    waiters.stored(event('sh.keptn.event.get-sli.started', 't1'));
    waiters.stored(event('sh.keptn.event.get-sli.finished', 't1'));
    expect((await first)?.type).toBe('sh.keptn.event.get-sli.finished');
    expect((await second)?.type).toBe('sh.keptn.event.get-sli.finished');
    expect(await other).toBeUndefined();
    expect(waiters.size).toBe(0);
  });

  it('give up on the timeout or an abort, and forget the waiter', async () => {
    const waiters = createAnswerWaiters();
    const controller = new AbortController();
    const aborted = waiters.wait('t1', 10_000, controller.signal);
    expect(waiters.size).toBe(1);
    controller.abort();
    expect(await aborted).toBeUndefined();
    expect(await waiters.wait('t1', 1)).toBeUndefined();
    expect(waiters.size).toBe(0);
    waiters.stored(event('sh.keptn.event.get-sli.finished', 't1'));
  });
});
