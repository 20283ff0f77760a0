import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { sendBadInput } from '../test-support/bad-input-case.js';
import type { BadInputCase } from '../test-support/bad-input-case.js';

const CP = '/api/controlPlane/v1';
const REG = `${CP}/uniform/registration`;

let api: InProcessServer;
let id: string;
let webhookId: string;

function body(overrides: { name?: string; namespace?: string; hostname?: string; subscriptions?: unknown }): Record<string, unknown> {
  return {
    name: overrides.name ?? 'jmeter-service',
    metadata: { hostname: overrides.hostname ?? 'node-1', kubernetesmetadata: { namespace: overrides.namespace ?? 'keptn' } },
    subscriptions: overrides.subscriptions ?? [{ event: 'sh.keptn.event.test.triggered' }],
  };
}

beforeAll(async () => {
  api = await startInProcessServer();
  id = (await api.call<{ id: string }>('POST', REG, body({}))).body.id;
  webhookId = (
    await api.call<{ id: string }>(
      'POST',
      REG,
      body({ name: 'webhook-service', subscriptions: [{ event: 'sh.keptn.event.x.triggered', filter: { projects: ['shop'] } }] }),
    )
  ).body.id;
});

afterAll(async () => {
  await api.close();
});

type Case = BadInputCase & { message: RegExp };

const cases: Case[] = [
  { name: 'register: malformed JSON', method: 'POST', url: REG, raw: '{"name": ', status: 400, message: /not valid JSON/ },
  {
    name: 'register: missing name',
    method: 'POST',
    url: REG,
    body: body({ name: '' }),
    status: 400,
    message: /incomplete integration ID: name \(K8S_DEPLOYMENT_NAME\)/,
  },
  {
    name: 'register: missing namespace',
    method: 'POST',
    url: REG,
    body: body({ namespace: '' }),
    status: 400,
    message: /incomplete integration ID: .*namespace \(K8S_NAMESPACE\)/,
  },
  {
    name: 'register: missing hostname',
    method: 'POST',
    url: REG,
    body: body({ hostname: '' }),
    status: 400,
    message: /incomplete integration ID: metadata\.hostname \(K8S_NODE_NAME\)/,
  },
  {
    name: 'register: subscription without event',
    method: 'POST',
    url: REG,
    body: body({ subscriptions: [{ filter: {} }] }),
    status: 400,
    message: /subscriptions\[0\]: 'event' is required/,
  },
  {
    name: 'register: services without stages',
    method: 'POST',
    url: REG,
    body: body({ name: 'x', subscriptions: [{ event: 'e', filter: { services: ['carts'] } }] }),
    status: 400,
    message: /filter\.services \[carts\] needs filter\.stages/,
  },
  {
    name: 'register: webhook-service without a project',
    method: 'POST',
    url: REG,
    body: body({ name: 'webhook-service', namespace: 'other', subscriptions: [{ event: 'e' }] }),
    status: 400,
    message: /exactly one project/,
  },
  {
    name: 'register: filter not a list',
    method: 'POST',
    url: REG,
    body: body({ name: 'y', subscriptions: [{ event: 'e', filter: { stages: { dev: true } } }] }),
    status: 400,
    message: /stages/,
  },
  { name: 'register: body not an object', method: 'POST', url: REG, raw: '[1]', status: 400, message: /object/ },
  { name: 'get: unknown integration', method: 'GET', url: `${REG}/nope`, status: 404, message: /integration 'nope' not found/ },
  {
    name: 'ping: unknown integration',
    method: 'PUT',
    url: `${REG}/nope/ping`,
    status: 404,
    message: /integration 'nope' not found.*register it again/,
  },
  {
    name: 'subscriptions: unknown integration',
    method: 'GET',
    url: `${REG}/nope/subscription`,
    status: 404,
    message: /integration 'nope' not found/,
  },
  {
    name: 'subscription POST: unknown integration',
    method: 'POST',
    url: `${REG}/nope/subscription`,
    body: { event: 'e' },
    status: 404,
    message: /integration 'nope' not found/,
  },
  {
    name: 'subscription PUT: unknown integration',
    method: 'PUT',
    url: `${REG}/nope/subscription/s1`,
    body: { event: 'e' },
    status: 404,
    message: /integration 'nope' not found/,
  },
  {
    name: 'subscription GET: unknown integration',
    method: 'GET',
    url: `${REG}/nope/subscription/s1`,
    status: 404,
    message: /integration 'nope' not found/,
  },
  {
    name: 'subscription DELETE: unknown integration',
    method: 'DELETE',
    url: `${REG}/nope/subscription/s1`,
    status: 404,
    message: /integration 'nope' not found/,
  },
  {
    name: 'subscription GET: unknown subscription',
    method: 'GET',
    url: `${REG}/ID/subscription/s1`,
    status: 404,
    message: /subscription 's1' of integration/,
  },
  {
    name: 'subscription POST: without event',
    method: 'POST',
    url: `${REG}/ID/subscription`,
    body: { filter: { projects: ['shop'] } },
    status: 400,
    message: /'event' is required/,
  },
  {
    name: 'subscription POST: services without stages',
    method: 'POST',
    url: `${REG}/ID/subscription`,
    body: { event: 'e', filter: { services: ['carts'] } },
    status: 400,
    message: /needs filter\.stages/,
  },
  {
    name: 'subscription PUT: services without stages',
    method: 'PUT',
    url: `${REG}/ID/subscription/s1`,
    body: { event: 'e', filter: { services: ['carts'] } },
    status: 400,
    message: /needs filter\.stages/,
  },
  {
    name: 'subscription PUT: webhook-service with two projects',
    method: 'PUT',
    url: `${REG}/WEBHOOK/subscription/s1`,
    body: { event: 'e', filter: { projects: ['a', 'b'] } },
    status: 400,
    message: /exactly one project.*got 2/,
  },
  {
    name: 'subscription POST: malformed JSON',
    method: 'POST',
    url: `${REG}/ID/subscription`,
    raw: '{event',
    status: 400,
    message: /not valid JSON/,
  },
  { name: 'log POST: malformed JSON', method: 'POST', url: `${CP}/log`, raw: '{"logs": [', status: 400, message: /not valid JSON/ },
  { name: 'log POST: without logs', method: 'POST', url: `${CP}/log`, body: {}, status: 400, message: /'logs' is required/ },
  {
    name: 'log POST: entry without integrationid',
    method: 'POST',
    url: `${CP}/log`,
    body: { logs: [{ message: 'x' }] },
    status: 400,
    message: /logs\[0\]\.integrationid is required/,
  },
  {
    name: 'log POST: bad time',
    method: 'POST',
    url: `${CP}/log`,
    body: { logs: [{ integrationid: 'i', time: 'yesterday' }] },
    status: 400,
    message: /logs\[0\]\.time 'yesterday'/,
  },
  {
    name: 'log GET: bad fromTime',
    method: 'GET',
    url: `${CP}/log?fromTime=2024-01-01`,
    status: 400,
    message: /fromTime '2024-01-01' is not a Keptn timestamp; use the format 2006-01-02T15:04:05\.000Z/,
  },
  {
    name: 'log GET: bad beforeTime',
    method: 'GET',
    url: `${CP}/log?beforeTime=2024-01-01T00:00:00Z`,
    status: 400,
    message: /beforeTime .* 2006-01-02T15:04:05\.000Z/,
  },
  { name: 'log GET: bad pageSize', method: 'GET', url: `${CP}/log?pageSize=ten`, status: 400, message: /pageSize 'ten' is not a number/ },
  { name: 'log DELETE: bad fromTime', method: 'DELETE', url: `${CP}/log?fromTime=now`, status: 400, message: /fromTime 'now'/ },
];

describe('registry and log routes: bad input gets a clear 4xx', () => {
  it.each(cases)('$name → $status', async (c) => {
    const url = c.url.replace('/WEBHOOK/', `/${webhookId}/`).replace('/ID/', `/${id}/`);
    const reply = await sendBadInput(api, c, url);
    expect(reply.status, JSON.stringify(reply.body)).toBe(c.status);
    expect(reply.body).toMatchObject({ code: c.status });
    expect(String(reply.body.message)).toMatch(c.message);
  });

  it('stored nothing from bad input', async () => {
    const list = await api.call<Array<{ name: string }>>('GET', REG);
    expect(list.body.map((i) => i.name).sort()).toEqual(['jmeter-service', 'webhook-service']);
    expect((await api.call<unknown[]>('GET', `${REG}/${id}/subscription`)).body).toHaveLength(1);
  });

  it('accepts a ping with an empty JSON body as Keptn clients may send it', async () => {
    const reply = await api.raw('PUT', `${REG}/${id}/ping`, '');
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  });
});
