import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock, KeptnEvent } from '@shipmate/core';
import { shipyardYaml } from '@shipmate/testing';
import { createControlPlaneServer } from '../create-server.js';
import { hashToken } from '../auth/token-verifier.js';
import { TEST_TOKEN, base64, startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { triggerSequence } from '../test-support/sequence-events.js';

const CP = '/api/controlPlane/v1';
const REG = `${CP}/uniform/registration`;
const TOKENS = '/api/shipmate/v1/token';
const DEPLOYMENT = 'sh.keptn.event.deployment.triggered';
const SECRET_KEY = Buffer.alloc(32, 7);
const SHIPYARD = shipyardYaml({ dev: ['deployment', 'approval'] }, { name: 'delivery' });

interface Created {
  id: string;
  token: string;
  name: string;
}
interface Agent {
  id: string;
  instanceId: string;
}

let api: InProcessServer;
let now: number;
const clock: Clock = { nowMs: () => now };

beforeEach(async () => {
  now = Date.UTC(2024, 0, 1);
  api = await startInProcessServer({ clock, authFailureLimit: 3, secretKey: SECRET_KEY });
  for (const project of ['shop', 'other']) {
    expect((await api.call('POST', `${CP}/project`, { name: project, shipyard: base64(SHIPYARD) })).status).toBe(201);
    expect((await api.call('POST', `${CP}/project/${project}/service`, { serviceName: 'carts' })).status).toBe(200);
  }
  expect((await api.call('POST', '/api/secrets/v1/secret', { name: 'hook', scope: 'keptn-default', data: { k: 'v' } })).status).toBe(201);
});

afterEach(async () => {
  await api.close();
});

async function create(name: string, filters?: Record<string, string[]>): Promise<Created> {
  const reply = await api.call<Created>('POST', TOKENS, { name, role: 'execution-plane', ...(filters ? { filters } : {}) });
  expect(reply.status).toBe(201);
  return reply.body;
}

const as = (token: string) => ({ 'x-token': token });

async function register(token: string, name = 'plane-service', projects: string[] = ['shop'], podname = `${name}-pod`): Promise<Agent> {
  const reply = await api.call<Agent>(
    'POST',
    REG,
    {
      name,
      metadata: { hostname: 'node', kubernetesmetadata: { namespace: 'keptn', podname, deploymentname: name } },
      subscriptions: [{ event: DEPLOYMENT, filter: { projects, stages: [], services: [] } }],
    },
    as(token),
  );
  expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(300);
  return reply.body;
}

async function heldTask(token: string): Promise<{ agent: Agent; task: KeptnEvent }> {
  const agent = await register(token);
  await triggerSequence(api, { project: 'shop', stage: 'dev', service: 'carts' });
  const reply = await api.call<{ events: KeptnEvent[] }>(
    'GET',
    `${REG}/${agent.id}/instance/${agent.instanceId}/tasks?waitMs=0`,
    undefined,
    as(token),
  );
  expect(reply.status).toBe(200);
  const [task] = reply.body.events;
  expect(task?.type).toBe(DEPLOYMENT);
  return { agent, task: task! };
}

function answer(task: KeptnEvent, kind: 'started' | 'finished', token: string) {
  const { project, stage, service } = task.data;
  return api.call(
    'POST',
    '/api/v1/event',
    {
      type: task.type.replace(/\.triggered$/, `.${kind}`),
      source: 'plane-service',
      shkeptncontext: task.shkeptncontext,
      triggeredid: task.id,
      data: { project, stage, service, ...(kind === 'finished' ? { result: 'pass', status: 'succeeded' } : {}) },
    },
    as(token),
  );
}

function expectScope(reply: { status: number; body: Record<string, unknown> }, name: string, action: RegExp): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(403);
  expect(reply.body).toMatchObject({ code: 403, errorCode: 'ERR_TOKEN_SCOPE' });
  expect(reply.body.message).toMatch(new RegExp(`^token '${name}' \\(execution-plane\\) may not `));
  expect(reply.body.message).toMatch(action);
  expect(reply.body.message).toMatch(/it may register, ping and unregister its integrations/);
}

describe('token API', () => {
  it('answers a new token once, with its id, and lists tokens without them', async () => {
    const created = await create('hardening-plane', { projects: ['shop'] });
    expect(created.token).toMatch(/^smp_/);
    expect(created).toMatchObject({
      name: 'hardening-plane',
      role: 'execution-plane',
      filters: { projects: ['shop'], stages: [], services: [] },
    });
    const list = await api.call<{ tokens: Array<Record<string, unknown>> }>('GET', TOKENS);
    expect(list.status).toBe(200);
    expect(list.body.tokens).toEqual([
      {
        id: created.id,
        name: 'hardening-plane',
        role: 'execution-plane',
        filters: { projects: ['shop'], stages: [], services: [] },
        createdAt: '2024-01-01T00:00:00.000Z',
      },
    ]);
    expect(JSON.stringify(list.body)).not.toContain(created.token);
  });

  it('shows the last use and the revocation in the list', async () => {
    const created = await create('plane');
    now += 1000;
    expect((await api.call('GET', '/api/v1/metadata', undefined, as(created.token))).status).toBe(200);
    expect((await api.call('DELETE', `${TOKENS}/${created.id}`)).status).toBe(200);
    const list = await api.call<{ tokens: Array<Record<string, unknown>> }>('GET', TOKENS);
    expect(list.body.tokens[0]).toMatchObject({ lastUsedAt: '2024-01-01T00:00:01.000Z', revokedAt: '2024-01-01T00:00:01.000Z' });
  });

  it.each([
    [{ role: 'execution-plane' }, 'ERR_INVALID_NAME', /name must be 1-63 lowercase letters/],
    [{ name: 'Bad Name', role: 'execution-plane' }, 'ERR_INVALID_NAME', /got "Bad Name"/],
    [{ name: 'p' }, 'ERR_INVALID_FIELD', /role must be one of execution-plane; got undefined/],
    [{ name: 'p', role: 'admin' }, 'ERR_INVALID_FIELD', /role must be one of execution-plane; got "admin"/],
    [
      { name: 'p', role: 'execution-plane', filters: { projects: [''] } },
      'ERR_INVALID_FIELD',
      /filters.projects must be a list of names, e.g. \["shop"\]; got \[""\]/,
    ],
    [{ name: 'p', role: 'execution-plane', filters: { namespaces: [] } }, 'ERR_INVALID_FIELD', /filters.namespaces is not a filter/],
  ])('refuses %j with 400', async (body, errorCode, message) => {
    const reply = await api.call('POST', TOKENS, body);
    expect(reply).toMatchObject({ status: 400, body: { errorCode } });
    expect(reply.body.message).toMatch(message);
  });

  it('refuses a second token of the same name (409) and an unknown id to revoke (404)', async () => {
    await create('plane');
    expect((await api.call('POST', TOKENS, { name: 'plane', role: 'execution-plane' })).body).toMatchObject({
      code: 409,
      errorCode: 'ERR_TOKEN_EXISTS',
    });
    expect((await api.call('DELETE', `${TOKENS}/nope`)).body).toMatchObject({ code: 404, errorCode: 'ERR_TOKEN_NOT_FOUND' });
  });
});

describe('what a plane token may do', () => {
  it('reads metadata and /v1/auth', async () => {
    const { token } = await create('plane');
    expect((await api.call('GET', '/api/v1/metadata', undefined, as(token))).status).toBe(200);
    expect((await api.call('POST', '/api/v1/auth', undefined, as(token))).status).toBe(200);
  });

  it('registers, pings, polls, answers its task, reads its task secret and unregisters', async () => {
    const { token } = await create('plane');
    const { agent, task } = await heldTask(token);
    expect((await api.call('PUT', `${REG}/${agent.id}/ping?instanceId=${agent.instanceId}`, undefined, as(token))).status).toBe(200);
    expect((await api.call('GET', `${REG}/${agent.id}/subscription`, undefined, as(token))).status).toBe(200);
    const secret = await api.call(
      'GET',
      `${REG}/${agent.id}/instance/${agent.instanceId}/task/${task.id}/secret?name=hook`,
      undefined,
      as(token),
    );
    expect(secret).toMatchObject({ status: 200, body: { data: { k: 'v' } } });
    expect((await answer(task, 'started', token)).status).toBe(200);
    expect((await answer(task, 'finished', token)).status).toBe(200);
    expect((await api.call('DELETE', `${REG}/${agent.id}/instance/${agent.instanceId}`, undefined, as(token))).status).toBe(200);
    expect((await api.call('DELETE', `${REG}/${agent.id}`, undefined, as(token))).status).toBe(200);
  });

  it('reads resources and datastore events', async () => {
    const { token } = await create('plane');
    expect((await api.call('GET', '/api/resource-service/v1/project/shop/stage/dev/resource', undefined, as(token))).status).toBe(200);
    expect((await api.call('GET', '/api/mongodb-datastore/event?project=shop', undefined, as(token))).status).toBe(200);
  });

  it.each([
    ['POST', `${CP}/project`, { name: 'new', shipyard: base64(SHIPYARD) }, /POST \/api\/controlPlane\/v1\/project;/],
    ['DELETE', `${CP}/project/shop`, undefined, /DELETE \/api\/controlPlane\/v1\/project\/:project;/],
    ['POST', `${CP}/project/shop/service`, { serviceName: 'x' }, /POST \/api\/controlPlane\/v1\/project\/:project\/service;/],
    ['POST', '/api/secrets/v1/secret', { name: 's', scope: 'keptn-default', data: { a: 'b' } }, /POST \/api\/secrets\/v1\/secret;/],
    ['GET', '/api/secrets/v1/secret', undefined, /GET \/api\/secrets\/v1\/secret;/],
    ['POST', TOKENS, { name: 'again', role: 'execution-plane' }, /POST \/api\/shipmate\/v1\/token;/],
    ['GET', TOKENS, undefined, /GET \/api\/shipmate\/v1\/token;/],
    ['GET', `${CP}/project/shop/upstream`, undefined, /GET \/api\/controlPlane\/v1\/project\/:project\/upstream;/],
    [
      'POST',
      '/api/v1/event',
      { type: 'sh.keptn.event.dev.delivery.triggered', source: 'x', data: { project: 'shop', stage: 'dev', service: 'carts' } },
      /triggering the sequence 'sh.keptn.event.dev.delivery.triggered'/,
    ],
  ])('may not %s %s (403 naming the action)', async (method, url, body, action) => {
    const { token } = await create('plane');
    expectScope(await api.call(method, url, body, as(token)), 'plane', action);
  });

  it('says a task has ended when its sequence was aborted before the plane answered', async () => {
    const { token } = await create('plane');
    const { agent, task } = await heldTask(token);
    const aborted = await api.call('POST', `${CP}/sequence/shop/${task.shkeptncontext}/control`, { state: 'abort' });
    expect(aborted.status).toBe(200);
    // The next poll reports the abort and forgets the lease.
    const polled = await api.call<{ aborted: string[] }>(
      'GET',
      `${REG}/${agent.id}/instance/${agent.instanceId}/tasks?waitMs=0`,
      undefined,
      as(token),
    );
    expect(polled.body.aborted).toEqual([task.id]);
    expectScope(await answer(task, 'finished', token), 'plane', /which has ended .*: there is nothing left to answer/);
  });

  it("may not answer, approve or read the secret of a task it does not hold, nor act on another's integration", async () => {
    const { token } = await create('plane');
    const other = await create('other-plane');
    const { agent, task } = await heldTask(token);
    expectScope(await answer(task, 'finished', other.token), 'other-plane', /which no instance registered with this token holds/);
    expectScope(
      await api.call('PUT', `${REG}/${agent.id}/ping`, undefined, as(other.token)),
      'other-plane',
      new RegExp(`integration '${agent.id}', which was not registered with this token`),
    );
    expectScope(
      await api.call('GET', `${REG}/${agent.id}/instance/${agent.instanceId}/task/${task.id}/secret?name=hook`, undefined, as(other.token)),
      'other-plane',
      /which was not registered with this token/,
    );
    const approval = { ...task, id: 'x', type: 'sh.keptn.event.approval.triggered' };
    expectScope(await answer(approval, 'finished', token), 'plane', /'sh.keptn.event.approval.finished' for task 'x'/);
  });
});

describe('two planes sharing an integration name, each with its own token', () => {
  it('each polls, answers and reads secrets through its own instance only; neither unregisters the shared integration', async () => {
    const hardening = await create('hardening-plane');
    const production = await create('production-plane');
    const h = await register(hardening.token, 'helm-service', ['shop'], 'helm-h');
    const p = await register(production.token, 'helm-service', ['shop'], 'helm-p');
    expect(p.id).toBe(h.id);
    expect(p.instanceId).not.toBe(h.instanceId);
    const poll = (agent: Agent, token: string) =>
      api.call<{ events: KeptnEvent[] }>('GET', `${REG}/${agent.id}/instance/${agent.instanceId}/tasks?waitMs=0`, undefined, as(token));
    expect((await poll(h, hardening.token)).status).toBe(200);
    expect((await poll(p, production.token)).status).toBe(200);
    expectScope(await poll(h, production.token), 'production-plane', new RegExp(`instance '${h.instanceId}' of integration '${h.id}'`));
    expect((await api.call('PUT', `${REG}/${p.id}/ping?instanceId=${p.instanceId}`, undefined, as(production.token))).status).toBe(200);
    expect((await api.call('GET', `${REG}/${p.id}/subscription`, undefined, as(production.token))).status).toBe(200);

    await triggerSequence(api, { project: 'shop', stage: 'dev', service: 'carts' });
    const [task] = (await poll(h, hardening.token)).body.events;
    expect(task?.type).toBe(DEPLOYMENT);
    expectScope(await answer(task!, 'started', production.token), 'production-plane', /which no instance registered with this token holds/);
    // Its own instance does not hold the task: the task secret read's lease check refuses it.
    const secret = await api.call(
      'GET',
      `${REG}/${p.id}/instance/${p.instanceId}/task/${task!.id}/secret?name=hook`,
      undefined,
      as(production.token),
    );
    expect(secret).toMatchObject({ status: 403, body: { errorCode: 'ERR_TASK_NOT_LEASED' } });
    expect((await answer(task!, 'started', hardening.token)).status).toBe(200);
    expectScope(
      await api.call('DELETE', `${REG}/${h.id}`, undefined, as(hardening.token)),
      'hardening-plane',
      /has instances registered with other tokens; unregister this token's instances instead/,
    );
    expect((await api.call('DELETE', `${REG}/${p.id}/instance/${p.instanceId}`, undefined, as(production.token))).status).toBe(200);
  });
});

describe('filters of a plane token', () => {
  it('limit registrations, resources, datastore reads and events to its projects', async () => {
    const { token } = await create('shop-plane', { projects: ['shop'] });
    await register(token, 'plane-service', ['shop']);
    const outside = await api.call(
      'POST',
      REG,
      { name: 'wide', metadata: {}, subscriptions: [{ event: DEPLOYMENT, filter: { projects: [], stages: [], services: [] } }] },
      as(token),
    );
    expectScope(
      outside,
      'shop-plane',
      /registering a subscription to 'sh.keptn.event.deployment.triggered' for all projects \(the token is limited to projects shop; give the agent PROJECT_FILTER=shop or the subscription a filter\)/,
    );
    expect((await api.call('GET', '/api/resource-service/v1/project/shop/resource', undefined, as(token))).status).toBe(200);
    expectScope(
      await api.call('GET', '/api/resource-service/v1/project/other/resource', undefined, as(token)),
      'shop-plane',
      /project 'other'/,
    );
    expectScope(await api.call('GET', '/api/mongodb-datastore/event', undefined, as(token)), 'shop-plane', /no project named/);
    expectScope(
      await api.call('GET', `/api/mongodb-datastore/event/type/${DEPLOYMENT}?filter=data.project:other`, undefined, as(token)),
      'shop-plane',
      /project 'other'/,
    );
    expect(
      (await api.call('GET', `/api/mongodb-datastore/event/type/${DEPLOYMENT}?filter=data.project:shop`, undefined, as(token))).status,
    ).toBe(200);
    const subtask = {
      type: 'sh.keptn.event.test.triggered',
      source: 'x',
      shkeptncontext: 'c',
      data: { project: 'other', stage: 'dev', service: 'carts' },
    };
    expectScope(
      await api.call('POST', '/api/v1/event', subtask, as(token)),
      'shop-plane',
      /sub-task 'sh.keptn.event.test.triggered' for project 'other'/,
    );
  });
});

describe('revocation', () => {
  it('takes effect on the next request: 401 ERR_TOKEN_REVOKED naming the token', async () => {
    const created = await create('hardening-plane');
    expect((await api.call('GET', '/api/v1/metadata', undefined, as(created.token))).status).toBe(200);
    expect((await api.call('DELETE', `${TOKENS}/${created.id}`)).status).toBe(200);
    const reply = await api.call('GET', '/api/v1/metadata', undefined, as(created.token));
    expect(reply).toMatchObject({ status: 401, body: { code: 401, errorCode: 'ERR_TOKEN_REVOKED' } });
    expect(reply.body.message).toBe(
      "token 'hardening-plane' was revoked at 2024-01-01T00:00:00.000Z; create a new one with shipmate token create",
    );
  });

  it('counts a revoked token as a failed authentication', async () => {
    const created = await create('plane');
    await api.call('DELETE', `${TOKENS}/${created.id}`);
    for (let i = 0; i < 3; i++) expect((await api.call('GET', '/api/v1/metadata', undefined, as(created.token))).status).toBe(401);
    expect((await api.call('GET', '/api/v1/metadata', undefined, as(created.token))).status).toBe(429);
  });

  it('keeps tokens and revocations across a restart of the server on the same store', async () => {
    const created = await create('plane');
    const revoked = await create('gone');
    await api.call('DELETE', `${TOKENS}/${revoked.id}`);
    const again = await createControlPlaneServer({ store: api.store, apiTokenSha256: hashToken(TEST_TOKEN), clock, secretKey: SECRET_KEY });
    try {
      const metadata = (token: string) => again.app.inject({ method: 'GET', url: '/api/v1/metadata', headers: as(token) });
      expect((await metadata(created.token)).statusCode).toBe(200);
      expect((await metadata(revoked.token)).json()).toMatchObject({ errorCode: 'ERR_TOKEN_REVOKED' });
    } finally {
      await again.close();
    }
  });
});
