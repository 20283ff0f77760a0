/**
 * Where the wire shape and @shipmate/core's domain shape are the same thing, the contract is the
 * one definition and the domain type must stay compatible with it: the type-level assignments
 * below are checked by `tsc -b` (tsconfig.test.json), the values by vitest.
 */
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { MAX_WAIT_MS as CORE_MAX_WAIT_MS } from '@shipmate/core';
import type {
  EventData as CoreEventData,
  KeptnEvent as CoreKeptnEvent,
  SequenceControlState as CoreSequenceControlState,
  TaskBatch as CoreTaskBatch,
} from '@shipmate/core';
import { MAX_WAIT_MS, SEQUENCE_CONTROL_STATES, storedKeptnEventSchema, tasksResponseSchema } from './index.js';
import type { EventData, KeptnEvent, SequenceControlState, TaskBatch } from './index.js';

/** Compiles only when A and B are assignable both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameEvent: Same<KeptnEvent, CoreKeptnEvent> = true;
const sameEventData: Same<EventData, CoreEventData> = true;
const sameBatch: Same<TaskBatch, CoreTaskBatch> = true;
const sameControl: Same<SequenceControlState, CoreSequenceControlState> = true;

const event: CoreKeptnEvent = {
  id: '7b3a0f2c-8b43-4a8e-9a52-3f0d1c2e4b5a',
  type: 'sh.keptn.event.deployment.triggered',
  source: 'shipyard-controller',
  specversion: '1.0',
  time: '2024-01-02T15:04:05.000Z',
  shkeptncontext: 'c5d3f7a8-1111-4222-8333-944455556666',
  data: { project: 'shop', stage: 'dev', service: 'cart', labels: { team: 'a' }, deployment: { image: 'cart:1' } },
};

describe('the contract and the domain', () => {
  it('have the same types (checked at compile time)', () => {
    expect([sameEvent, sameEventData, sameBatch, sameControl]).toEqual([true, true, true, true]);
  });

  it('bound the long poll alike', () => {
    expect(MAX_WAIT_MS).toBe(CORE_MAX_WAIT_MS);
  });

  it('list the same sequence controls', () => {
    const all: Record<CoreSequenceControlState, true> = { pause: true, resume: true, abort: true };
    expect([...SEQUENCE_CONTROL_STATES].sort()).toEqual(Object.keys(all).sort());
  });

  it("accept a domain event as a stored event and a task batch's event (the server's validator, Ajv)", () => {
    const ajv = new Ajv({ strict: false });
    const storedEvent = ajv.compile(storedKeptnEventSchema);
    expect(storedEvent(event), JSON.stringify(storedEvent.errors)).toBe(true);
    const batch: CoreTaskBatch = { events: [event], aborted: ['x'] };
    expect(ajv.validate(tasksResponseSchema, batch)).toBe(true);
    const { id: _id, ...withoutId } = event;
    expect(storedEvent(withoutId)).toBe(false);
  });
});
