/**
 * Event order for the Keptn Bridge: an event the orchestrator emits because of another is always
 * later (strictly greater `time`), even when the clock has not moved, and the datastore lists
 * events of equal time with the cause after its effects (newest first).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { manualClock, shipyardYaml } from '@shipmate/testing';
import { base64, startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { answerTask, triggerSequence } from '../test-support/sequence-events.js';

const SHIPYARD = shipyardYaml({ dev: ['deployment', 'test'] }, { name: 'order' });

const scope = { project: 'order', stage: 'dev', service: 'api' };
let api: InProcessServer;

/** Events of a context as the Bridge reads them: the datastore, newest first. */
async function datastore(keptnContext: string): Promise<KeptnEvent[]> {
  const reply = await api.call<{ events: KeptnEvent[] }>('GET', `/api/mongodb-datastore/event?keptnContext=${keptnContext}&pageSize=100`);
  expect(reply.status).toBe(200);
  return reply.body.events;
}

function only(events: KeptnEvent[], type: string): KeptnEvent {
  const found = events.filter((e) => e.type === type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}: ${events.map((e) => e.type).join(', ')}`);
  return found[0] as KeptnEvent;
}

const ms = (event: KeptnEvent) => Date.parse(event.time);

beforeAll(async () => {
  // A clock that never moves: every event of the test happens in the same millisecond unless the
  // orchestrator orders them.
  api = await startInProcessServer({ clock: manualClock(Date.UTC(2026, 0, 1)) });
  expect((await api.call('POST', '/api/controlPlane/v1/project', { name: 'order', shipyard: base64(SHIPYARD) })).status).toBe(201);
  expect((await api.call('POST', '/api/controlPlane/v1/project/order/service', { serviceName: 'api' })).status).toBe(200);
});

afterAll(async () => {
  await api.close();
});

describe('event order when the clock stands still', () => {
  it('stamps every caused event later than its cause and lists the cause after its effects', async () => {
    const context = await triggerSequence(api, scope);
    let events = await datastore(context);
    const sequenceTriggered = only(events, 'sh.keptn.event.dev.delivery.triggered');
    const deployment = only(events, 'sh.keptn.event.deployment.triggered');
    expect(ms(deployment)).toBeGreaterThan(ms(sequenceTriggered));
    expect(events.map((e) => e.type)).toEqual(['sh.keptn.event.deployment.triggered', 'sh.keptn.event.dev.delivery.triggered']);

    await answerTask(api, deployment, 'finished');
    events = await datastore(context);
    const deploymentFinished = only(events, 'sh.keptn.event.deployment.finished');
    const test = only(events, 'sh.keptn.event.test.triggered');
    expect(ms(test)).toBeGreaterThan(ms(deploymentFinished));

    await answerTask(api, test, 'finished');
    events = await datastore(context);
    const testFinished = only(events, 'sh.keptn.event.test.finished');
    const sequenceFinished = only(events, 'sh.keptn.event.dev.delivery.finished');
    expect(ms(sequenceFinished)).toBeGreaterThan(ms(testFinished));
    // Newest first: every effect the orchestrator emitted is listed before its cause.
    const position = (event: KeptnEvent) => events.findIndex((e) => e.id === event.id);
    expect(position(deployment)).toBeLessThan(position(sequenceTriggered));
    expect(position(test)).toBeLessThan(position(deploymentFinished));
    expect(position(sequenceFinished)).toBeLessThan(position(testFinished));
    expect(position(sequenceFinished)).toBe(0);
  });
});
