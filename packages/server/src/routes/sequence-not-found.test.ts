/**
 * Keptn conformance (shipyard-controller `Test__main_SequenceState_SequenceNotFound`, Keptn issue
 * #6288): a trigger that cannot start (no such sequence in the stage, no such stage, no such
 * service) ends at once with an errored `.finished` and exactly one sequence state, `finished`,
 * whose stage entry carries the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { shipyardYaml } from '@shipmate/testing';
import { base64, startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { triggerSequence } from '../test-support/sequence-events.js';

const CP = '/api/controlPlane/v1';

interface States {
  states: Array<{ state: string; name: string; stages: Array<{ name: string; state: string; message?: string }> }>;
}

let api: InProcessServer;

beforeAll(async () => {
  api = await startInProcessServer();
  const shipyard = shipyardYaml({ dev: ['deployment'], production: ['deployment'] });
  expect((await api.call('POST', `${CP}/project`, { name: 'shop', shipyard: base64(shipyard) })).status).toBe(201);
  expect((await api.call('POST', `${CP}/project/shop/service`, { serviceName: 'carts' })).status).toBe(200);
});

afterAll(async () => {
  await api.close();
});

const cases = [
  {
    name: 'a sequence the stage does not have',
    stage: 'dev',
    sequence: 'unknown',
    service: 'carts',
    reason: "stage 'dev' of project 'shop' has no sequence 'unknown'",
  },
  {
    name: 'a stage the shipyard does not have',
    stage: 'qa',
    sequence: 'delivery',
    service: 'carts',
    reason: "stage 'qa' is not in the shipyard of project 'shop'",
  },
  {
    name: 'a service the project does not have',
    stage: 'dev',
    sequence: 'delivery',
    service: 'payment',
    reason: "service 'payment' does not exist in stage 'dev' of project 'shop'",
  },
];

describe('a trigger that cannot start (Keptn Test__main_SequenceState_SequenceNotFound)', () => {
  it.each(cases)('$name: one finished sequence state and an errored .finished', async ({ stage, sequence, service, reason }) => {
    const context = await triggerSequence(api, { project: 'shop', stage, service }, sequence);

    const stored = await api.call<{ events: KeptnEvent[] }>(
      'GET',
      `/api/mongodb-datastore/event?project=shop&keptnContext=${context}&pageSize=100`,
    );
    const finished = stored.body.events.filter((e) => e.type === `sh.keptn.event.${stage}.${sequence}.finished`);
    expect(finished).toHaveLength(1);
    expect(finished[0]?.data).toMatchObject({ status: 'errored', result: 'fail' });
    const message = String(finished[0]?.data.message);
    expect(message).toContain(reason);
    // Nothing was started: no task was triggered.
    expect(
      stored.body.events.filter((e) => e.type.endsWith('.triggered') && e.type !== `sh.keptn.event.${stage}.${sequence}.triggered`),
    ).toEqual([]);

    const states = await api.call<States>('GET', `${CP}/sequence/shop?keptnContext=${context}`);
    expect(states.status).toBe(200);
    expect(states.body.states).toHaveLength(1);
    expect(states.body.states[0]).toMatchObject({
      name: sequence,
      state: 'finished',
      stages: [{ name: stage, state: 'errored', message }],
    });
  });

  it('lists the services there are when the service does not exist', async () => {
    const context = await triggerSequence(api, { project: 'shop', stage: 'production', service: 'payment' });
    const states = await api.call<States>('GET', `${CP}/sequence/shop?keptnContext=${context}`);
    expect(states.body.states[0]?.stages[0]?.message).toBe(
      "Unable to start sequence delivery: service 'payment' does not exist in stage 'production' of project 'shop'; services: carts",
    );
  });
});
