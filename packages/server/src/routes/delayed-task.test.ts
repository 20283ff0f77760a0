/**
 * Keptn conformance (shipyard-controller `Test__main_SequenceTimeoutDelayedTask` and
 * `...DelayedTaskCancelSequence`): a task with `triggeredAfter` has no `.triggered` anywhere until
 * it is due; an abort before then means it is never emitted; its start timeout counts from when
 * it is emitted.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { manualClock } from '@shipmate/testing';
import { base64, startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { triggerSequence } from '../test-support/sequence-events.js';

const CP = '/api/controlPlane/v1';
const WAIT_MS = 60_000;
const DELAY_MS = 10_000;
const TASK = 'sh.keptn.event.unknown.triggered';

const SHIPYARD = `apiVersion: spec.keptn.sh/0.2.0
kind: Shipyard
metadata:
  name: shipyard-sockshop
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks:
            - name: unknown
              triggeredAfter: "10s"
`;

let api: InProcessServer;
let clock: ReturnType<typeof manualClock>;

beforeEach(async () => {
  // The processor arms a real setTimeout for the next timer, computed from the fake clock: fake
  // setTimeout too and move both together. Nothing else is faked (inject needs setImmediate).
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  clock = manualClock();
  api = await startInProcessServer({ clock, taskStartedWaitMs: WAIT_MS });
  expect((await api.call('POST', `${CP}/project`, { name: 'shop', shipyard: base64(SHIPYARD) })).status).toBe(201);
  expect((await api.call('POST', `${CP}/project/shop/service`, { serviceName: 'carts' })).status).toBe(200);
});

afterEach(async () => {
  await api.close();
  vi.useRealTimers();
});

/** Moves the clock and the processor's timer by `ms`, then waits for the steps they caused. */
async function advance(ms: number): Promise<void> {
  clock.advance(ms);
  await vi.advanceTimersByTimeAsync(ms);
  await api.server.processor.idle();
}

/** The task `.triggered` events of the context in the datastore and on the triggered-events endpoint. */
async function taskEvents(context: string): Promise<{ stored: KeptnEvent[]; open: KeptnEvent[] }> {
  const stored = await api.call<{ events: KeptnEvent[] }>(
    'GET',
    `/api/mongodb-datastore/event?project=shop&keptnContext=${context}&pageSize=100`,
  );
  const open = await api.call<{ events: KeptnEvent[] }>('GET', `${CP}/event/triggered/${TASK}?project=shop`);
  return {
    stored: stored.body.events.filter((e) => e.type === TASK),
    open: open.body.events.filter((e) => e.shkeptncontext === context),
  };
}

async function sequenceState(context: string): Promise<string | undefined> {
  const reply = await api.call<{ states: Array<{ state: string }> }>('GET', `${CP}/sequence/shop?keptnContext=${context}`);
  return reply.body.states[0]?.state;
}

const scope = { project: 'shop', stage: 'dev', service: 'carts' };

describe('a task with triggeredAfter (Keptn Test__main_SequenceTimeoutDelayedTask)', () => {
  it('has no .triggered before it is due, one after, and times out only TASK_STARTED_WAIT_DURATION after that', async () => {
    const context = await triggerSequence(api, scope);
    await advance(DELAY_MS - 1);
    expect(await taskEvents(context)).toEqual({ stored: [], open: [] });
    expect(await sequenceState(context)).toBe('started');

    // Due DELAY_MS after the moment the task would have been triggered, which is 1 ms after the
    // sequence's trigger when the clock has not moved (an effect is always later than its cause).
    await advance(2);
    const { stored, open } = await taskEvents(context);
    expect(stored).toHaveLength(1);
    expect(open.map((e) => e.id)).toEqual(stored.map((e) => e.id));
    expect(Date.parse(stored[0]?.time ?? '')).toBe(clock.nowMs());

    await advance(WAIT_MS - 1);
    expect(await sequenceState(context)).toBe('started');
    await advance(1);
    expect(await sequenceState(context)).toBe('timedOut');
  });

  it('is never emitted when the sequence is aborted before it is due (…DelayedTaskCancelSequence)', async () => {
    const context = await triggerSequence(api, scope);
    await advance(DELAY_MS / 2);
    expect((await api.call('POST', `${CP}/sequence/shop/${context}/control`, { state: 'abort' })).status).toBe(200);
    await api.server.processor.idle();
    await advance(DELAY_MS + WAIT_MS);
    expect(await taskEvents(context)).toEqual({ stored: [], open: [] });
    expect(await sequenceState(context)).toBe('aborted');
    expect(await api.store.nextTimerDueMs()).toBeUndefined();
  });

  it('is held while the sequence is paused and emitted on resume once due', async () => {
    const context = await triggerSequence(api, scope);
    expect((await api.call('POST', `${CP}/sequence/shop/${context}/control`, { state: 'pause' })).status).toBe(200);
    await advance(DELAY_MS * 2);
    expect(await taskEvents(context)).toEqual({ stored: [], open: [] });

    expect((await api.call('POST', `${CP}/sequence/shop/${context}/control`, { state: 'resume' })).status).toBe(200);
    await api.server.processor.idle();
    const { stored } = await taskEvents(context);
    expect(stored).toHaveLength(1);
    expect(Date.parse(stored[0]?.time ?? '')).toBe(clock.nowMs());
  });
});
