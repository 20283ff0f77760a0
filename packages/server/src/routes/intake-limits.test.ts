import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64, SOCKSHOP_SHIPYARD, startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { sendBadInput } from '../test-support/bad-input-case.js';
import type { BadInputCase } from '../test-support/bad-input-case.js';

const CP = '/api/controlPlane/v1';
const RS = '/api/resource-service/v1';
const LONG_STAGE = 's'.repeat(300);
const LONG_STAGE_SHIPYARD = SOCKSHOP_SHIPYARD.replace(/name: "?dev"?/, `name: ${LONG_STAGE}`);

/** JSON text of `levels` arrays nested in each other (written out, since JSON.stringify itself overflows). */
function nestedArrays(levels: number): string {
  return `${'['.repeat(levels)}1${']'.repeat(levels)}`;
}

/** A sequence trigger whose `data.deep` nests `levels` arrays (the event is 2 levels before it). */
function deepTrigger(levels: number): string {
  return `{"type":"sh.keptn.event.dev.delivery.triggered","source":"test","data":{"project":"shop","stage":"dev","service":"carts","deep":${nestedArrays(levels)}}}`;
}

let api: InProcessServer;

beforeAll(async () => {
  api = await startInProcessServer();
  expect((await api.call('POST', `${CP}/project`, { name: 'shop', shipyard: base64(SOCKSHOP_SHIPYARD) })).status).toBe(201);
  expect((await api.call('POST', `${CP}/project/shop/service`, { serviceName: 'carts' })).status).toBe(200);
});

afterAll(async () => {
  await api.close();
});

type Case = BadInputCase & { errorCode: string; message: RegExp };

const TOO_DEEP = /more than 64 levels deep.*SHIPMATE_MAX_EVENT_DEPTH/;
const deep = (name: string, method: string, url: string, raw: string): Case => ({
  name,
  method,
  url,
  raw,
  status: 400,
  errorCode: 'ERR_BODY_TOO_DEEP',
  message: TOO_DEEP,
});

const cases: Case[] = [
  deep('event data nested 5,000 levels deep', 'POST', '/api/v1/event', deepTrigger(5000)),
  deep('event one level over the limit', 'POST', '/api/v1/event', deepTrigger(63)),
  deep(
    'project body nested deep',
    'POST',
    `${CP}/project`,
    `{"name":"p2","shipyard":"${base64(SOCKSHOP_SHIPYARD)}","x":${nestedArrays(5000)}}`,
  ),
  deep('resource body nested deep', 'POST', `${RS}/project/shop/resource`, `{"resources":${nestedArrays(5000)}}`),
  deep('registration body nested deep', 'POST', `${CP}/uniform/registration`, `{"name":"x","metadata":${nestedArrays(5000)}}`),
  deep('secret body nested deep', 'POST', '/api/secrets/v1/secret', `{"name":"s","data":${nestedArrays(5000)}}`),
  {
    name: 'project with a 300-character stage name',
    method: 'POST',
    url: `${CP}/project`,
    body: { name: 'p3', shipyard: base64(LONG_STAGE_SHIPYARD) },
    status: 400,
    errorCode: 'ERR_INVALID_SHIPYARD',
    message: new RegExp(`stage name '${LONG_STAGE}' is invalid: it is 300 characters long, the maximum is 200`),
  },
  {
    name: 'project update with a 300-character stage name',
    method: 'PUT',
    url: `${CP}/project`,
    body: { name: 'shop', shipyard: base64(LONG_STAGE_SHIPYARD) },
    status: 400,
    errorCode: 'ERR_INVALID_SHIPYARD',
    message: /it is 300 characters long, the maximum is 200/,
  },
  {
    name: 'shipyard.yaml written through the resource API with a 300-character stage name',
    method: 'PUT',
    url: `${RS}/project/shop/resource`,
    body: { resources: [{ resourceURI: 'shipyard.yaml', resourceContent: base64(LONG_STAGE_SHIPYARD) }] },
    status: 400,
    errorCode: 'ERR_INVALID_SHIPYARD',
    message: /it is 300 characters long, the maximum is 200/,
  },
];

describe('intake limits: nesting depth and stage name length', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const reply = await sendBadInput(api, c);
    expect(reply.status, JSON.stringify(reply.body).slice(0, 500)).toBe(c.status);
    expect(reply.body.errorCode).toBe(c.errorCode);
    expect(String(reply.body.message)).toMatch(c.message);
  });

  it('accepts an event exactly at the depth limit and starts its sequence', async () => {
    const reply = await api.raw('POST', '/api/v1/event', deepTrigger(62));
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    await api.server.processor.idle();
    const state = await api.call<{ states: Array<{ shkeptncontext: string; state: string }> }>('GET', `${CP}/sequence/shop`);
    expect(state.body.states.find((s) => s.shkeptncontext === reply.body.keptnContext)?.state).toBe('started');
  });

  it('left the project as it was', async () => {
    const project = await api.call('GET', `${CP}/project/shop`);
    expect(project.body.shipyard).toBe(SOCKSHOP_SHIPYARD);
    const projects = await api.call<{ projects: Array<{ projectName: string }> }>('GET', `${CP}/project`);
    expect(projects.body.projects.map((p) => p.projectName)).toEqual(['shop']);
  });
});
