import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64, SOCKSHOP_SHIPYARD, startInProcessServer, TEST_TOKEN } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';

const CP = '/api/controlPlane/v1';
const MAX_BODY = 4096;

let api: InProcessServer;
let context: string;

beforeAll(async () => {
  api = await startInProcessServer({ maxBodyBytes: MAX_BODY });
  expect((await api.call('POST', `${CP}/project`, { name: 'shop', shipyard: base64(SOCKSHOP_SHIPYARD) })).status).toBe(201);
  expect((await api.call('POST', `${CP}/project/shop/service`, { serviceName: 'carts' })).status).toBe(200);
  const triggered = await api.call('POST', '/api/v1/event', {
    type: 'sh.keptn.event.dev.delivery.triggered',
    source: 'test',
    data: { project: 'shop', stage: 'dev', service: 'carts' },
  });
  context = String(triggered.body.keptnContext);
});

afterAll(async () => {
  await api.close();
});

const INVALID_YAML =
  'apiVersion: spec.keptn.sh/0.2.3\nkind: Shipyard\nmetadata:\n  name: x\nspec:\n  stages:\n    - name: dev\n      sequences: [\n';
const UNKNOWN_TASK_FIELD = [
  'apiVersion: spec.keptn.sh/0.2.3',
  'kind: Shipyard',
  'metadata:',
  '  name: x',
  'spec:',
  '  stages:',
  '    - name: dev',
  '      sequences:',
  '        - name: delivery',
  '          tasks:',
  '            - name: deployment',
  '              timeout: 5m',
].join('\n');

interface Case {
  name: string;
  method: string;
  url: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  status: number;
  message: RegExp;
}

const cases: Case[] = [
  { name: 'malformed JSON event', method: 'POST', url: '/api/v1/event', raw: '{"type": "sh.keptn', status: 400, message: /not valid JSON/ },
  { name: 'malformed JSON project', method: 'POST', url: `${CP}/project`, raw: '{name:', status: 400, message: /not valid JSON/ },
  {
    name: 'event with a __proto__ key',
    method: 'POST',
    url: '/api/v1/event',
    raw: '{"type":"x","__proto__":{"a":1},"data":{}}',
    status: 400,
    message: /not valid JSON/,
  },
  {
    name: 'event with an escaped __proto__ key',
    method: 'POST',
    url: '/api/v1/event',
    raw: '{"type":"x","\\u005f_proto__":{"a":1},"data":{}}',
    status: 400,
    message: /not valid JSON/,
  },
  {
    name: 'event with a constructor key',
    method: 'POST',
    url: '/api/v1/event',
    raw: '{"type":"x","constructor":{"prototype":{"a":1}},"data":{}}',
    status: 400,
    message: /not valid JSON/,
  },
  {
    name: 'body over the limit',
    method: 'POST',
    url: '/api/v1/event',
    raw: JSON.stringify({ type: 'x', data: { pad: 'x'.repeat(MAX_BODY) } }),
    status: 413,
    message: /limit of 4096 bytes.*SHIPMATE_MAX_BODY_BYTES/,
  },
  {
    name: 'event without type',
    method: 'POST',
    url: '/api/v1/event',
    body: { source: 's', data: {} },
    status: 400,
    message: /field 'type' is required/,
  },
  {
    name: 'event without data',
    method: 'POST',
    url: '/api/v1/event',
    body: { type: 'sh.keptn.event.dev.delivery.triggered', source: 's' },
    status: 400,
    message: /field 'data' is required/,
  },
  {
    name: 'client sends a task .triggered',
    method: 'POST',
    url: '/api/v1/event',
    body: { type: 'sh.keptn.event.deployment.triggered', source: 's', data: { project: 'shop', stage: 'dev', service: 'carts' } },
    status: 400,
    message: /control plane triggers tasks/,
  },
  {
    name: 'sequence trigger without service',
    method: 'POST',
    url: '/api/v1/event',
    body: { type: 'sh.keptn.event.dev.delivery.triggered', source: 's', data: { project: 'shop', stage: 'dev' } },
    status: 400,
    message: /data\.service/,
  },
  {
    name: 'stage of type and data differ',
    method: 'POST',
    url: '/api/v1/event',
    body: { type: 'sh.keptn.event.dev.delivery.triggered', source: 's', data: { project: 'shop', stage: 'prod', service: 'carts' } },
    status: 400,
    message: /does not match the stage 'dev'/,
  },
  {
    name: '.finished without result',
    method: 'POST',
    url: '/api/v1/event',
    body: {
      type: 'sh.keptn.event.test.finished',
      source: 's',
      triggeredid: 'x',
      data: { project: 'shop', stage: 'dev', service: 'carts', status: 'succeeded' },
    },
    status: 400,
    message: /data\.result/,
  },
  {
    name: 'status.changed without triggeredid',
    method: 'POST',
    url: '/api/v1/event',
    body: {
      type: 'sh.keptn.event.test.status.changed',
      source: 's',
      data: { project: 'shop', stage: 'dev', service: 'carts', message: 'half way' },
    },
    status: 400,
    message: /'triggeredid' is required on status\.changed/,
  },
  {
    name: 'unknown event type',
    method: 'POST',
    url: '/api/v1/event',
    body: { type: 'com.example.thing', source: 's', data: {} },
    status: 400,
    message: /unknown event type 'com\.example\.thing'/,
  },
  {
    name: 'unknown field on project create',
    method: 'POST',
    url: `${CP}/project`,
    body: { name: 'p2', shipyard: base64(SOCKSHOP_SHIPYARD), owner: 'me' },
    status: 400,
    message: /unknown field 'owner'/,
  },
  {
    name: 'unknown field in gitCredentials',
    method: 'POST',
    url: `${CP}/project`,
    body: { name: 'p2', shipyard: base64(SOCKSHOP_SHIPYARD), gitCredentials: { remoteURL: 'https://x/y.git', pass: 'x' } },
    status: 400,
    message: /unknown field 'gitCredentials\.pass'/,
  },
  {
    name: 'git remote with a bad scheme',
    method: 'POST',
    url: `${CP}/project`,
    body: { name: 'p2', shipyard: base64(SOCKSHOP_SHIPYARD), gitCredentials: { remoteURL: 'ftp://x/y.git' } },
    status: 400,
    message: /must start with http/,
  },
  {
    name: 'project name with capitals',
    method: 'POST',
    url: `${CP}/project`,
    body: { name: 'My_Shop', shipyard: base64(SOCKSHOP_SHIPYARD) },
    status: 400,
    message: /project name 'My_Shop' is invalid/,
  },
  {
    name: 'project without shipyard',
    method: 'POST',
    url: `${CP}/project`,
    body: { name: 'p2' },
    status: 400,
    message: /'shipyard' is required/,
  },
  {
    name: 'shipyard not base64',
    method: 'POST',
    url: `${CP}/project`,
    body: { name: 'p2', shipyard: 'not base64!!' },
    status: 400,
    message: /not valid base64/,
  },
  {
    name: 'shipyard not YAML',
    method: 'POST',
    url: `${CP}/project`,
    body: { name: 'p2', shipyard: base64(INVALID_YAML) },
    status: 400,
    message: /line \d+/,
  },
  {
    name: 'shipyard against the schema',
    method: 'POST',
    url: `${CP}/project`,
    body: { name: 'p2', shipyard: base64(UNKNOWN_TASK_FIELD) },
    status: 400,
    message: /line 12.*timeout/,
  },
  {
    name: 'project exists',
    method: 'POST',
    url: `${CP}/project`,
    body: { name: 'shop', shipyard: base64(SOCKSHOP_SHIPYARD) },
    status: 409,
    message: /project 'shop' already exists/,
  },
  {
    name: 'update changes stages',
    method: 'PUT',
    url: `${CP}/project`,
    body: { name: 'shop', shipyard: base64(SOCKSHOP_SHIPYARD.replace(/staging/g, 'qa')) },
    status: 400,
    message: /stage name cannot be changed or removed/,
  },
  {
    name: 'update of unknown project',
    method: 'PUT',
    url: `${CP}/project`,
    body: { name: 'nope', shipyard: base64(SOCKSHOP_SHIPYARD) },
    status: 404,
    message: /Project not found: nope/,
  },
  {
    name: 'service name with a slash',
    method: 'POST',
    url: `${CP}/project/shop/service`,
    body: { serviceName: 'a/b' },
    status: 400,
    message: /service name 'a\/b' is invalid/,
  },
  {
    name: 'service name too long',
    method: 'POST',
    url: `${CP}/project/shop/service`,
    body: { serviceName: 'a'.repeat(44) },
    status: 400,
    message: /service name/,
  },
  {
    name: 'unknown field on service create',
    method: 'POST',
    url: `${CP}/project/shop/service`,
    body: { serviceName: 'x', helmChart: 'y' },
    status: 400,
    message: /unknown field 'helmChart'/,
  },
  {
    name: 'service exists',
    method: 'POST',
    url: `${CP}/project/shop/service`,
    body: { serviceName: 'carts' },
    status: 409,
    message: /already exists/,
  },
  {
    name: 'service in unknown project',
    method: 'POST',
    url: `${CP}/project/nope/service`,
    body: { serviceName: 'x' },
    status: 404,
    message: /Project not found: nope/,
  },
  {
    name: 'delete unknown service',
    method: 'DELETE',
    url: `${CP}/project/shop/service/nope`,
    status: 404,
    message: /Service not found: 'nope'/,
  },
  { name: 'unknown project', method: 'GET', url: `${CP}/project/nope`, status: 404, message: /nope/ },
  { name: 'unknown stage', method: 'GET', url: `${CP}/project/shop/stage/qa`, status: 404, message: /qa/ },
  { name: 'unknown service', method: 'GET', url: `${CP}/project/shop/stage/dev/service/nope`, status: 404, message: /nope/ },
  { name: 'unknown route', method: 'GET', url: '/api/controlPlane/v1/nothing', status: 404, message: /no route/ },
  {
    name: 'control without state',
    method: 'POST',
    url: `${CP}/sequence/shop/CTX/control`,
    body: {},
    status: 400,
    message: /'state' is required/,
  },
  {
    name: 'control with a bad state',
    method: 'POST',
    url: `${CP}/sequence/shop/CTX/control`,
    body: { state: 'stop' },
    status: 400,
    message: /pause, resume, abort/,
  },
  {
    name: 'control of unknown context',
    method: 'POST',
    url: `${CP}/sequence/shop/00000000-0000-4000-8000-000000000000/control`,
    body: { state: 'abort' },
    status: 404,
    message: /not found/,
  },
  {
    name: 'control of unknown stage',
    method: 'POST',
    url: `${CP}/sequence/shop/CTX/control`,
    body: { state: 'pause', stage: 'qa' },
    status: 404,
    message: /stage 'qa'/,
  },
  {
    name: 'evaluation end without start',
    method: 'POST',
    url: `${CP}/project/shop/stage/dev/service/carts/evaluation`,
    body: { end: '2024-01-01T00:10:00Z' },
    status: 400,
    message: /'end' needs 'start'/,
  },
  {
    name: 'evaluation timeframe and end',
    method: 'POST',
    url: `${CP}/project/shop/stage/dev/service/carts/evaluation`,
    body: { start: '2024-01-01T00:00:00Z', end: '2024-01-01T00:10:00Z', timeframe: '5m' },
    status: 400,
    message: /mutually exclusive/,
  },
  {
    name: 'evaluation bad timeframe',
    method: 'POST',
    url: `${CP}/project/shop/stage/dev/service/carts/evaluation`,
    body: { timeframe: '5 minutes' },
    status: 400,
    message: /timeframe/,
  },
  {
    name: 'evaluation of unknown service',
    method: 'POST',
    url: `${CP}/project/shop/stage/dev/service/nope/evaluation`,
    body: {},
    status: 404,
    message: /service 'nope'/,
  },
  { name: 'bad nextPageKey', method: 'GET', url: `${CP}/project?nextPageKey=abc`, status: 400, message: /nextPageKey/ },
  {
    name: 'missing token',
    method: 'GET',
    url: `${CP}/project`,
    headers: {},
    status: 401,
    message: /^unauthenticated or invalid credentials$/,
  },
  {
    name: 'wrong token',
    method: 'GET',
    url: `${CP}/project`,
    headers: { 'x-token': 'wrong' },
    status: 401,
    message: /^unauthenticated or invalid credentials$/,
  },
];

describe('bad input gets a clear 4xx and the server keeps serving', () => {
  it.each(cases)('$name → $status', async (c) => {
    const url = c.url.replace('CTX', context);
    const reply =
      c.raw !== undefined
        ? await api.raw(c.method, url, c.raw)
        : await api.call(c.method, url, c.body, c.headers ?? { 'x-token': TEST_TOKEN });
    expect(reply.status, JSON.stringify(reply.body)).toBe(c.status);
    expect(reply.body).toMatchObject({ code: c.status });
    expect(String(reply.body.message)).toMatch(c.message);
  });

  it('still serves, and bad input stored nothing', async () => {
    expect((await api.call('GET', '/health')).status).toBe(200);
    const projects = await api.call<{ projects: Array<{ projectName: string }> }>('GET', `${CP}/project`);
    expect(projects.body.projects.map((p) => p.projectName)).toEqual(['shop']);
    const events = await api.call<{ events: Array<{ type: string }>; totalCount: number }>(
      'GET',
      `/api/mongodb-datastore/event?project=shop&pageSize=100`,
    );
    expect(events.body.events.some((e) => e.type === 'sh.keptn.event.deployment.triggered')).toBe(true);
    expect(events.body.events.filter((e) => e.type === 'com.example.thing' || e.type === 'sh.keptn.event.test.finished')).toEqual([]);
  });

  it('accepts Authorization: Bearer as well as x-token', async () => {
    expect((await api.call('GET', `${CP}/project`, undefined, { authorization: `Bearer ${TEST_TOKEN}` })).status).toBe(200);
  });
});
