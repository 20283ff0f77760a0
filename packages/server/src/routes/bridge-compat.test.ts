/**
 * What the real Keptn Bridge 1.4.5 needs from the API beyond Keptn's OpenAPI files: its server
 * sends `Content-Type: application/json` with every call, bodiless DELETEs included, and it paints
 * a stage failed whenever `latestFailedEvent` is set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { shipyardYaml } from '@shipmate/testing';
import { base64, startInProcessServer, TEST_TOKEN } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { answerTask, triggerSequence } from '../test-support/sequence-events.js';

const CP = '/api/controlPlane/v1';
const REG = `${CP}/uniform/registration`;
const RS = '/api/resource-service/v1';
const BRIDGE_HEADERS = { 'x-token': TEST_TOKEN, 'content-type': 'application/json' };

let api: InProcessServer;

beforeAll(async () => {
  api = await startInProcessServer();
  const shipyard = base64(shipyardYaml({ dev: ['deployment', 'release'] }, { name: 'bridge' }));
  expect((await api.call('POST', `${CP}/project`, { name: 'shop', shipyard })).status).toBe(201);
  expect((await api.call('POST', `${CP}/project/shop/service`, { serviceName: 'carts' })).status).toBe(200);
});

afterAll(async () => {
  await api.close();
});

/** A DELETE as the Bridge's server sends it: JSON content type, no body. */
const bridgeDelete = (url: string) => api.raw('DELETE', url, '', BRIDGE_HEADERS);

describe('the Keptn Bridge against Shipmate', () => {
  it('deletes a subscription, a resource, a secret, a service and a project with Content-Type application/json and no body', async () => {
    const registration = await api.call<{ id: string }>('POST', REG, {
      name: 'bridge-target',
      metadata: { hostname: 'h', kubernetesmetadata: { namespace: 'keptn', podname: 'p', deploymentname: 'bridge-target' } },
      subscriptions: [{ event: 'sh.keptn.event.deployment.triggered' }],
    });
    const subscription = await api.call<{ id: string }>('POST', `${REG}/${registration.body.id}/subscription`, {
      event: 'sh.keptn.event.test.triggered',
    });
    expect(subscription.status).toBe(201);
    const resource = `${RS}/project/shop/stage/dev/service/carts/resource`;
    expect((await api.call('POST', resource, { resources: [{ resourceURI: 'slo.yaml', resourceContent: base64('x') }] })).status).toBe(201);
    expect((await api.call('POST', '/api/secrets/v1/secret', { name: 'db', data: { password: 'p' } })).status).toBe(201);
    expect((await api.call('POST', `${CP}/project`, { name: 'gone', shipyard: base64(shipyardYaml({ dev: ['x'] })) })).status).toBe(201);

    for (const url of [
      `${REG}/${registration.body.id}/subscription/${subscription.body.id}`,
      `${resource}/slo.yaml`,
      '/api/secrets/v1/secret?name=db&scope=keptn-default',
      `${REG}/${registration.body.id}`,
      `${CP}/project/shop/service/carts`,
      `${CP}/project/gone`,
    ]) {
      const reply = await bridgeDelete(url);
      expect(reply.status, `DELETE ${url}: ${JSON.stringify(reply.body)}`).toBeLessThan(300);
    }
    // A body that is there is still parsed, and bad JSON is still refused.
    expect((await api.raw('DELETE', `${CP}/project/nothing`, '{', BRIDGE_HEADERS)).status).toBe(400);
    // Other methods keep refusing an empty JSON body.
    expect((await api.raw('POST', `${CP}/project`, '', BRIDGE_HEADERS)).body).toMatchObject({ code: 400, errorCode: 'ERR_INVALID_JSON' });
  });

  it('does not mark an aborted sequence failed: no latestFailedEvent, so the Bridge does not paint it red', async () => {
    expect((await api.call('POST', `${CP}/project/shop/service`, { serviceName: 'orders' })).status).toBe(200);
    const keptnContext = await triggerSequence(api, { project: 'shop', stage: 'dev', service: 'orders' });
    const open = await api.call<{ events: KeptnEvent[] }>('GET', `${CP}/event/triggered/sh.keptn.event.deployment.triggered?project=shop`);
    const task = open.body.events.find((event) => event.shkeptncontext === keptnContext);
    expect(task).toBeDefined();
    await answerTask(api, task!, 'started');
    expect((await api.call('POST', `${CP}/sequence/shop/${keptnContext}/control`, { state: 'abort' })).status).toBe(200);
    await api.server.processor.idle();
    const states = await api.call<{ states: Array<{ state: string; stages: Array<Record<string, unknown>> }> }>(
      'GET',
      `${CP}/sequence/shop?keptnContext=${keptnContext}`,
    );
    const [view] = states.body.states;
    expect(view?.state).toBe('aborted');
    expect(view?.stages[0]).toMatchObject({ name: 'dev', state: 'aborted', latestEvent: { type: 'sh.keptn.event.dev.delivery.finished' } });
    expect(view?.stages[0]).not.toHaveProperty('latestFailedEvent');
  });
});
