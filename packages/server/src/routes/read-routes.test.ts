import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '@shipmate/store-sqlite';
import type { ControlPlaneStore, KeptnEvent } from '@shipmate/core';
import { createControlPlaneServer } from '../create-server.js';
import type { ControlPlaneServer } from '../create-server.js';
import { hashToken } from '../auth/token-verifier.js';

// The `shared` folder sits next to the repository folder.
const SHIPYARD = readFileSync(new URL('../../../../fixtures/keptn-compat/examples/shipyard-sockshop.yaml', import.meta.url), 'utf8');
const SHIPYARD_BASE64 = Buffer.from(SHIPYARD, 'utf8').toString('base64');
const TOKEN = 'test-token';
const CP = '/api/controlPlane/v1';
const DS = '/api/mongodb-datastore';

interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
}

let dir: string;
let store: ControlPlaneStore;
let server: ControlPlaneServer;
/** keptnContext of the delivery of carts and of orders. */
let cartsContext: string;
let ordersContext: string;

async function call<T = Record<string, unknown>>(method: 'GET' | 'POST', url: string, payload?: unknown): Promise<Reply<T>> {
  const response = await server.app.inject({
    method,
    url,
    headers: { 'x-token': TOKEN },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
  return { status: response.statusCode, body: (response.body === '' ? undefined : response.json()) as T };
}

const get = <T = Record<string, unknown>>(url: string) => call<T>('GET', url);

async function expectStatus(method: 'GET' | 'POST', url: string, payload: unknown, status: number): Promise<Record<string, unknown>> {
  const reply = await call(method, url, payload);
  expect(reply.status, `${method} ${url}: ${JSON.stringify(reply.body)}`).toBe(status);
  return reply.body;
}

async function triggerDelivery(service: string, image: string): Promise<string> {
  const body = await expectStatus(
    'POST',
    '/api/v1/event',
    {
      type: 'sh.keptn.event.dev.delivery.triggered',
      source: 'read-routes-test',
      specversion: '1.0',
      data: { project: 'sockshop', stage: 'dev', service, configurationChange: { values: { image } } },
    },
    200,
  );
  return String(body.keptnContext);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shipmate-read-routes-'));
  store = createSqliteStore({ path: join(dir, 'store.db') });
  server = await createControlPlaneServer({ store, apiTokenSha256: hashToken(TOKEN) });
  await server.app.ready();
  await server.processor.start();

  await expectStatus('POST', `${CP}/project`, { name: 'sockshop', shipyard: SHIPYARD_BASE64 }, 201);
  await expectStatus('POST', `${CP}/project`, { name: 'alpha', shipyard: SHIPYARD_BASE64 }, 201);
  await expectStatus(
    'POST',
    `${CP}/project`,
    {
      name: 'zeta',
      shipyard: SHIPYARD_BASE64,
      gitCredentials: {
        remoteURL: 'https://git.example.com/zeta.git',
        user: 'git-user',
        https: {
          token: 'top-secret-token',
          insecureSkipTLS: true,
          proxy: { url: 'proxy:3128', scheme: 'http', user: 'pu', password: 'proxy-secret' },
        },
      },
    },
    201,
  );
  await expectStatus('POST', `${CP}/project/sockshop/service`, { serviceName: 'orders' }, 200);
  await expectStatus('POST', `${CP}/project/sockshop/service`, { serviceName: 'carts' }, 200);

  cartsContext = await triggerDelivery('carts', 'docker.io/carts:1.0');
  ordersContext = await triggerDelivery('orders', 'docker.io/orders:2.0');
  await server.processor.idle();
});

afterAll(async () => {
  await server?.close();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('authentication', () => {
  it("answers 401 with Keptn's body without a token", async () => {
    const response = await server.app.inject({ method: 'GET', url: `${CP}/project` });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 401, message: expect.any(String) });
  });

  it('answers 401 on the datastore with a wrong token', async () => {
    const response = await server.app.inject({ method: 'GET', url: `${DS}/event`, headers: { 'x-token': 'wrong' } });
    expect(response.statusCode).toBe(401);
  });
});

describe('GET /project', () => {
  it("lists projects sorted by name with Keptn's fields", async () => {
    const { status, body } = await get<{ projects: Array<Record<string, unknown>>; nextPageKey: string; totalCount: number }>(
      `${CP}/project`,
    );
    expect(status).toBe(200);
    expect(body.projects.map((p) => p.projectName)).toEqual(['alpha', 'sockshop', 'zeta']);
    expect(body.nextPageKey).toBe('0');
    expect(body.totalCount).toBe(3);
    expect(body).not.toHaveProperty('pageSize');
  });

  it('pages with string keys, "0" at the end, never repeating a project', async () => {
    const first = await get<{ projects: Array<{ projectName: string }>; nextPageKey: string; totalCount: number }>(
      `${CP}/project?pageSize=2`,
    );
    expect(first.body.projects.map((p) => p.projectName)).toEqual(['alpha', 'sockshop']);
    expect(first.body.nextPageKey).toBe('2');
    expect(first.body.totalCount).toBe(3);
    const second = await get<{ projects: Array<{ projectName: string }>; nextPageKey: string }>(`${CP}/project?pageSize=2&nextPageKey=2`);
    expect(second.body.projects.map((p) => p.projectName)).toEqual(['zeta']);
    expect(second.body.nextPageKey).toBe('0');
  });

  it('rejects a nextPageKey that is not a number', async () => {
    const { status, body } = await get(`${CP}/project?nextPageKey=abc`);
    expect(status).toBe(400);
    expect(body).toMatchObject({
      code: 400,
      message: "nextPageKey 'abc' is not a number; pass the nextPageKey of the previous page",
      errorCode: 'ERR_INVALID_PAGINATION',
    });
  });
});

describe('GET /project/{project}', () => {
  it('returns the expanded project with shipyard text, stages, parent stages and services', async () => {
    const { status, body } = await get(`${CP}/project/sockshop`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      projectName: 'sockshop',
      creationDate: expect.stringMatching(/^\d{19}$/),
      shipyard: SHIPYARD,
      shipyardVersion: 'spec.keptn.sh/0.2.0',
      isUpstreamAutoProvisioned: false,
    });
    expect(body).not.toHaveProperty('gitCredentials');
    const stages = body.stages as Array<{ stageName: string; parentStages?: string[]; services: Array<Record<string, unknown>> }>;
    // A root stage has no parentStages field at all (Keptn's omitempty): the Keptn Bridge draws
    // only the first stage when it finds an empty list there.
    expect(stages.map((s) => [s.stageName, s.parentStages])).toEqual([
      ['dev', undefined],
      ['staging', ['dev']],
      ['production', ['staging']],
    ]);
    expect(stages[0]).not.toHaveProperty('parentStages');
    for (const stage of stages) expect(stage.services.map((s) => s.serviceName)).toEqual(['carts', 'orders']);
    const carts = stages[0]?.services[0];
    expect(carts).toMatchObject({ serviceName: 'carts', openRemediations: null, creationDate: expect.stringMatching(/^\d+$/) });
    expect(carts?.lastEventTypes).toHaveProperty(['sh.keptn.event.deployment.triggered']);
  });

  it('fills lastEventContext from the last sequence', async () => {
    const { body } = await get(`${CP}/project/sockshop`);
    const last = body.lastEventContext as { keptnContext: string; eventId: string; time: string };
    expect([cartsContext, ordersContext]).toContain(last.keptnContext);
    expect(last.eventId).not.toBe('');
  });

  it('returns only the public part of git credentials, also in the legacy flat fields', async () => {
    const { body } = await get(`${CP}/project/zeta`);
    expect(body.gitCredentials).toEqual({
      remoteURL: 'https://git.example.com/zeta.git',
      user: 'git-user',
      https: { insecureSkipTLS: true, proxy: { url: 'proxy:3128', scheme: 'http', user: 'pu' } },
    });
    expect(body).toMatchObject({
      gitRemoteURI: 'https://git.example.com/zeta.git',
      gitUser: 'git-user',
      insecureSkipTLS: true,
      gitProxyUrl: 'proxy:3128',
      gitProxyScheme: 'http',
      gitProxyUser: 'pu',
    });
    const text = JSON.stringify(body);
    expect(text).not.toContain('top-secret-token');
    expect(text).not.toContain('proxy-secret');
  });

  it('answers 404 naming an unknown project', async () => {
    const { status, body } = await get(`${CP}/project/nope`);
    expect(status).toBe(404);
    expect(body).toMatchObject({ code: 404, errorCode: 'ERR_PROJECT_NOT_FOUND' });
    expect(body.message).toContain('nope');
  });
});

describe('stages', () => {
  it('lists stages sorted by name with in-memory pagination', async () => {
    const all = await get<{ stages: Array<{ stageName: string }>; nextPageKey: string; totalCount: number }>(
      `${CP}/project/sockshop/stage`,
    );
    expect(all.status).toBe(200);
    expect(all.body.stages.map((s) => s.stageName)).toEqual(['dev', 'production', 'staging']);
    expect(all.body).toMatchObject({ nextPageKey: '0', totalCount: 3 });

    const seen: string[] = [];
    let key = '';
    for (let guard = 0; guard < 5; guard += 1) {
      const page = await get<{ stages: Array<{ stageName: string }>; nextPageKey: string }>(
        `${CP}/project/sockshop/stage?pageSize=2&nextPageKey=${key}`,
      );
      seen.push(...page.body.stages.map((s) => s.stageName));
      if (page.body.nextPageKey === '0') break;
      key = page.body.nextPageKey;
    }
    expect(seen).toEqual(['dev', 'production', 'staging']);
  });

  it('gets one stage with its parent stages', async () => {
    const { status, body } = await get(`${CP}/project/sockshop/stage/production`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ stageName: 'production', parentStages: ['staging'] });
    expect((body.services as Array<{ serviceName: string }>).map((s) => s.serviceName)).toEqual(['carts', 'orders']);
  });

  it('answers 404 naming the stage and listing the stages', async () => {
    const { status, body } = await get(`${CP}/project/sockshop/stage/prod`);
    expect(status).toBe(404);
    expect(body).toMatchObject({
      code: 404,
      errorCode: 'ERR_STAGE_NOT_FOUND',
      message: "stage 'prod' is not in the shipyard of project 'sockshop'; stages: dev, staging, production",
    });
    expect((await get(`${CP}/project/nope/stage`)).status).toBe(404);
    expect((await get(`${CP}/project/nope/stage/dev`)).status).toBe(404);
  });
});

describe('services', () => {
  it('lists the services of a stage', async () => {
    const { status, body } = await get<{ services: Array<{ serviceName: string }>; nextPageKey: string; totalCount: number }>(
      `${CP}/project/sockshop/stage/dev/service?pageSize=1`,
    );
    expect(status).toBe(200);
    expect(body.services.map((s) => s.serviceName)).toEqual(['carts']);
    expect(body).toMatchObject({ nextPageKey: '1', totalCount: 2 });
    const next = await get<{ services: Array<{ serviceName: string }>; nextPageKey: string }>(
      `${CP}/project/sockshop/stage/dev/service?pageSize=1&nextPageKey=1`,
    );
    expect(next.body.services.map((s) => s.serviceName)).toEqual(['orders']);
    expect(next.body.nextPageKey).toBe('0');
  });

  it('gets a service with the task events that went through it', async () => {
    const { status, body } = await get(`${CP}/project/sockshop/stage/dev/service/carts`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ serviceName: 'carts', openRemediations: null });
    const last = (body.lastEventTypes as Record<string, { eventId: string; keptnContext: string; time: string }>)[
      'sh.keptn.event.deployment.triggered'
    ];
    expect(last).toMatchObject({ keptnContext: cartsContext, eventId: expect.any(String), time: expect.any(String) });
    // Nothing went through staging yet.
    const staging = await get(`${CP}/project/sockshop/stage/staging/service/carts`);
    expect(staging.body.lastEventTypes).toEqual({});
  });

  it('answers 404 for an unknown service, stage or project', async () => {
    const service = await get(`${CP}/project/sockshop/stage/dev/service/payment`);
    expect(service.status).toBe(404);
    expect(service.body).toMatchObject({
      errorCode: 'ERR_SERVICE_NOT_FOUND',
      message: "service 'payment' does not exist in stage 'dev' of project 'sockshop'; services: carts, orders",
    });
    expect((await get(`${CP}/project/sockshop/stage/prod/service/carts`)).body.errorCode).toBe('ERR_STAGE_NOT_FOUND');
    expect((await get(`${CP}/project/sockshop/stage/prod/service`)).body.errorCode).toBe('ERR_STAGE_NOT_FOUND');
    expect((await get(`${CP}/project/nope/stage/dev/service/carts`)).body.errorCode).toBe('ERR_PROJECT_NOT_FOUND');
  });
});

describe('GET /sequence/{project}', () => {
  type States = {
    states: Array<{ name: string; shkeptncontext: string; service: string; state: string; stages: Array<{ name: string }> }>;
    nextPageKey?: number;
    totalCount: number;
  };

  it('lists the sequence states without a page limit by default', async () => {
    const { status, body } = await get<States>(`${CP}/sequence/sockshop`);
    expect(status).toBe(200);
    expect(body.totalCount).toBe(2);
    expect(body).not.toHaveProperty('nextPageKey');
    expect(body.states.map((s) => s.shkeptncontext).sort()).toEqual([cartsContext, ordersContext].sort());
    const carts = body.states.find((s) => s.shkeptncontext === cartsContext);
    expect(carts).toMatchObject({ name: 'delivery', service: 'carts', project: 'sockshop' });
    expect(carts?.stages.map((s) => s.name)).toEqual(['dev']);
  });

  it('filters by name, state, time and a list of contexts', async () => {
    const all = await get<States>(`${CP}/sequence/sockshop`);
    const state = all.body.states[0]?.state ?? '';
    expect((await get<States>(`${CP}/sequence/sockshop?name=delivery`)).body.totalCount).toBe(2);
    expect((await get<States>(`${CP}/sequence/sockshop?name=rollback`)).body.totalCount).toBe(0);
    expect((await get<States>(`${CP}/sequence/sockshop?state=${state}`)).body.totalCount).toBeGreaterThan(0);
    expect((await get<States>(`${CP}/sequence/sockshop?state=aborted`)).body.totalCount).toBe(0);
    expect((await get<States>(`${CP}/sequence/sockshop?fromTime=2999-01-01T00:00:00.000Z`)).body.totalCount).toBe(0);
    expect((await get<States>(`${CP}/sequence/sockshop?beforeTime=2999-01-01T00:00:00.000Z`)).body.totalCount).toBe(2);
    const byContext = await get<States>(`${CP}/sequence/sockshop?keptnContext=${cartsContext},not-a-context`);
    expect(byContext.body.states.map((s) => s.shkeptncontext)).toEqual([cartsContext]);
  });

  it('pages with numeric keys left out at the end', async () => {
    const first = await get<States>(`${CP}/sequence/sockshop?pageSize=1`);
    expect(first.body.states).toHaveLength(1);
    expect(first.body.nextPageKey).toBe(1);
    const second = await get<States>(`${CP}/sequence/sockshop?pageSize=1&nextPageKey=1`);
    expect(second.body.states).toHaveLength(1);
    expect(second.body).not.toHaveProperty('nextPageKey');
    expect(second.body.states[0]?.shkeptncontext).not.toBe(first.body.states[0]?.shkeptncontext);
  });

  it('answers 404 for an unknown project and 400 for a bad page key', async () => {
    expect((await get(`${CP}/sequence/nope`)).body).toMatchObject({ code: 404, errorCode: 'ERR_PROJECT_NOT_FOUND' });
    expect((await get(`${CP}/sequence/sockshop?nextPageKey=x`)).body).toMatchObject({ code: 400, errorCode: 'ERR_INVALID_PAGINATION' });
  });
});

describe('GET /event/triggered/{eventType}', () => {
  const TRIGGERED = `${CP}/event/triggered/sh.keptn.event.nothing-subscribes.triggered`;

  it('answers 404 for an unknown project, and an empty list for a known project without open events', async () => {
    expect((await get(`${TRIGGERED}?project=nope`)).body).toMatchObject({ code: 404, errorCode: 'ERR_PROJECT_NOT_FOUND' });
    expect(await get(`${TRIGGERED}?project=sockshop`)).toMatchObject({ status: 200, body: { events: [], totalCount: 0 } });
  });
});

describe('GET /sequence-execution', () => {
  type Executions = {
    sequenceExecutions: Array<{ scope: { service: string; keptnContext: string }; status: { state: string }; sequence: { name: string } }>;
    nextPageKey?: number;
    pageSize: number;
    totalCount: number;
  };

  it('requires project and names it', async () => {
    const { status, body } = await get(`${CP}/sequence-execution`);
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 400, errorCode: 'ERR_MISSING_FIELD' });
    expect(body.message).toContain("'project' is required");
  });

  it('answers 404 for an unknown project', async () => {
    expect((await get(`${CP}/sequence-execution?project=nope`)).status).toBe(404);
  });

  it('lists executions with pageSize = returned count', async () => {
    const { status, body } = await get<Executions>(`${CP}/sequence-execution?project=sockshop`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ pageSize: 2, totalCount: 2 });
    expect(body).not.toHaveProperty('nextPageKey');
    expect(body.sequenceExecutions.map((e) => e.sequence.name)).toEqual(['delivery', 'delivery']);
  });

  it('filters by service, context, stage, name and status', async () => {
    const carts = await get<Executions>(`${CP}/sequence-execution?project=sockshop&service=carts`);
    expect(carts.body.sequenceExecutions.map((e) => e.scope.keptnContext)).toEqual([cartsContext]);
    const byContext = await get<Executions>(`${CP}/sequence-execution?project=sockshop&keptnContext=${ordersContext}`);
    expect(byContext.body.sequenceExecutions.map((e) => e.scope.service)).toEqual(['orders']);
    expect((await get<Executions>(`${CP}/sequence-execution?project=sockshop&stage=staging`)).body.totalCount).toBe(0);
    expect((await get<Executions>(`${CP}/sequence-execution?project=sockshop&name=rollback`)).body.totalCount).toBe(0);
    const state = carts.body.sequenceExecutions[0]?.status.state ?? '';
    expect((await get<Executions>(`${CP}/sequence-execution?project=sockshop&service=carts&status=${state}`)).body.totalCount).toBe(1);
    expect((await get<Executions>(`${CP}/sequence-execution?project=sockshop&status=timedOut`)).body.totalCount).toBe(0);
  });

  it('pages with numeric keys', async () => {
    const first = await get<Executions>(`${CP}/sequence-execution?project=sockshop&pageSize=1`);
    expect(first.body).toMatchObject({ nextPageKey: 1, pageSize: 1, totalCount: 2 });
    const second = await get<Executions>(`${CP}/sequence-execution?project=sockshop&pageSize=1&nextPageKey=1`);
    expect(second.body).toMatchObject({ pageSize: 1, totalCount: 2 });
    expect(second.body).not.toHaveProperty('nextPageKey');
    expect(second.body.sequenceExecutions[0]?.scope.keptnContext).not.toBe(first.body.sequenceExecutions[0]?.scope.keptnContext);
  });
});

describe('GET /event/triggered/{eventType}', () => {
  type Events = { events: KeptnEvent[]; nextPageKey: string; totalCount: number };
  const url = `${CP}/event/triggered/sh.keptn.event.deployment.triggered`;

  it('lists the open deployment.triggered events of the project', async () => {
    const { status, body } = await get<Events>(`${url}?project=sockshop`);
    expect(status).toBe(200);
    expect(body.totalCount).toBe(2);
    expect(body.nextPageKey).toBe('0');
    expect(body.events.map((e) => e.data.service).sort()).toEqual(['carts', 'orders']);
    for (const event of body.events) {
      expect(event).toMatchObject({ type: 'sh.keptn.event.deployment.triggered', data: { project: 'sockshop', stage: 'dev' } });
    }
  });

  it('filters by stage, service and event id, and searches every project without project', async () => {
    expect((await get<Events>(`${url}?project=sockshop&stage=staging`)).body.totalCount).toBe(0);
    const carts = await get<Events>(`${url}?project=sockshop&stage=dev&service=carts`);
    expect(carts.body.events).toHaveLength(1);
    const id = carts.body.events[0]?.id ?? '';
    expect(carts.body.events[0]?.shkeptncontext).toBe(cartsContext);
    expect((await get<Events>(`${url}?eventID=${id}`)).body.events.map((e) => e.id)).toEqual([id]);
    expect((await get<Events>(url)).body.totalCount).toBe(2);
    expect((await get<Events>(`${CP}/event/triggered/sh.keptn.event.deployment.*`)).body.totalCount).toBe(0);
  });

  it('pages without ever repeating an event', async () => {
    const ids: string[] = [];
    const keys: string[] = [];
    let key = '';
    for (let guard = 0; guard < 5; guard += 1) {
      const page = await get<Events>(`${url}?pageSize=1&nextPageKey=${key}`);
      ids.push(...page.body.events.map((e) => e.id));
      keys.push(page.body.nextPageKey);
      if (page.body.nextPageKey === '0') break;
      key = page.body.nextPageKey;
    }
    expect(keys).toEqual(['1', '0']);
    expect(new Set(ids).size).toBe(2);
  });

  it('answers 404 for an unknown project', async () => {
    expect((await get(`${url}?project=nope`)).body).toMatchObject({ code: 404, errorCode: 'ERR_PROJECT_NOT_FOUND' });
  });
});

describe('GET /mongodb-datastore/event', () => {
  type Events = { events: KeptnEvent[]; nextPageKey?: string; pageSize: number; totalCount: number };

  it('finds events by project and type, newest first', async () => {
    const { status, body } = await get<Events>(`${DS}/event?project=sockshop&type=sh.keptn.event.dev.delivery.triggered`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ pageSize: 20, totalCount: 2 });
    expect(body).not.toHaveProperty('nextPageKey');
    expect(body.events.map((e) => e.shkeptncontext)).toEqual([ordersContext, cartsContext]);
    const times = body.events.map((e) => e.time);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('filters by context, stage, service, source, event id and time', async () => {
    const context = await get<Events>(`${DS}/event?keptnContext=${cartsContext}`);
    const types = context.body.events.map((e) => e.type);
    expect(types).toContain('sh.keptn.event.dev.delivery.triggered');
    expect(types).toContain('sh.keptn.event.deployment.triggered');
    expect(context.body.events.every((e) => e.shkeptncontext === cartsContext)).toBe(true);

    const deployment = await get<Events>(`${DS}/event?project=sockshop&stage=dev&service=orders&type=sh.keptn.event.deployment.triggered`);
    expect(deployment.body.events).toHaveLength(1);
    const event = deployment.body.events[0] as KeptnEvent;
    expect((await get<Events>(`${DS}/event?eventID=${event.id}`)).body.events.map((e) => e.id)).toEqual([event.id]);
    expect((await get<Events>(`${DS}/event?project=sockshop&source=read-routes-test`)).body.totalCount).toBe(2);
    expect((await get<Events>(`${DS}/event?project=sockshop&fromTime=2999-01-01T00:00:00.000Z`)).body.totalCount).toBe(0);
    expect((await get<Events>(`${DS}/event?project=sockshop&beforeTime=2000-01-01T00:00:00.000Z`)).body.totalCount).toBe(0);
    expect((await get<Events>(`${DS}/event?project=sockshop&stage=staging`)).body.totalCount).toBe(0);
  });

  it('returns the first event of each context with root', async () => {
    const { body } = await get<Events>(`${DS}/event?project=sockshop&root=true&type=sh.keptn.event.dev.delivery.triggered`);
    expect(body.totalCount).toBe(2);
    const deployments = await get<Events>(`${DS}/event?project=sockshop&root=true&type=sh.keptn.event.deployment.triggered`);
    expect(deployments.body.totalCount).toBe(0);
  });

  it('pages with string keys present only while more exist, never repeating an event', async () => {
    const total = (await get<Events>(`${DS}/event?project=sockshop`)).body.totalCount;
    expect(total).toBeGreaterThan(3);
    const ids: string[] = [];
    let key = '';
    let pages = 0;
    for (; pages < total + 2; pages += 1) {
      const page = await get<Events>(`${DS}/event?project=sockshop&pageSize=2&nextPageKey=${key}`);
      expect(page.body).toMatchObject({ pageSize: 2, totalCount: total });
      ids.push(...page.body.events.map((e) => e.id));
      if (page.body.nextPageKey === undefined) break;
      expect(page.body.nextPageKey).toBe(String(ids.length));
      key = page.body.nextPageKey;
    }
    expect(pages).toBe(Math.ceil(total / 2) - 1);
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
  });

  it('rejects a pageSize outside 1..100 and a bad page key', async () => {
    for (const size of ['0', '101', 'many']) {
      const { status, body } = await get(`${DS}/event?project=sockshop&pageSize=${size}`);
      expect(status).toBe(400);
      expect(body.message).toContain('pageSize');
    }
    expect((await get(`${DS}/event?nextPageKey=abc`)).body.message).toBe(
      "nextPageKey 'abc' is not a number; pass the nextPageKey of the previous page",
    );
  });

  it('accepts excludeInvalidated and rejects values other than true or false', async () => {
    expect(
      (await get<Events>(`${DS}/event?project=sockshop&type=sh.keptn.event.dev.delivery.triggered&excludeInvalidated=true`)).body
        .totalCount,
    ).toBe(2);
    const bad = await get(`${DS}/event?project=sockshop&excludeInvalidated=yes`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('excludeInvalidated');
  });
});

describe('GET /mongodb-datastore/event/type/{eventType}', () => {
  type Events = { events: KeptnEvent[] };
  const url = `${DS}/event/type/sh.keptn.event.deployment.triggered`;
  const withFilter = (filter: string, extra = '') => `${url}?filter=${encodeURIComponent(filter)}${extra}`;

  it('returns only events, filtered by data fields and lists of values', async () => {
    const carts = await get<Events>(withFilter('data.project:sockshop AND data.service:carts'));
    expect(carts.status).toBe(200);
    expect(Object.keys(carts.body)).toEqual(['events']);
    expect(carts.body.events.map((e) => e.shkeptncontext)).toEqual([cartsContext]);
    const both = await get<Events>(withFilter('data.project:sockshop AND data.service:carts,orders'));
    expect(both.body.events).toHaveLength(2);
    expect((await get<Events>(withFilter('data.project:sockshop AND data.stage:staging'))).body.events).toHaveLength(0);
    expect((await get<Events>(withFilter(`shkeptncontext:${ordersContext}`))).body.events.map((e) => e.data.service)).toEqual(['orders']);
  });

  it("reads a filter whose spaces came as '+' (Go's url.QueryEscape)", async () => {
    const { status, body } = await get<Events>(`${url}?filter=data.project:sockshop+AND+data.service:orders`);
    expect(status).toBe(200);
    expect(body.events.map((e) => e.shkeptncontext)).toEqual([ordersContext]);
  });

  it('honours limit, fromTime and excludeInvalidated', async () => {
    expect((await get<Events>(withFilter('data.project:sockshop', '&limit=1'))).body.events).toHaveLength(1);
    expect((await get<Events>(withFilter('data.project:sockshop', '&fromTime=2999-01-01T00:00:00.000Z'))).body.events).toHaveLength(0);
    expect((await get<Events>(withFilter('data.project:sockshop', '&excludeInvalidated=true'))).body.events).toHaveLength(2);
    for (const limit of ['0', '101']) {
      const { status, body } = await get(withFilter('data.project:sockshop', `&limit=${limit}`));
      expect(status).toBe(400);
      expect(body.message).toContain(`limit ${limit} is out of range`);
    }
  });

  it('requires a filter with data.project or shkeptncontext', async () => {
    const missing = await get(url);
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain("'filter' is required");
    const noProject = await get(withFilter('data.stage:dev'));
    expect(noProject.status).toBe(400);
    expect(noProject.body.message).toContain("either 'shkeptncontext' or 'data.project' must be set");
  });

  it('rejects a malformed clause naming it and the expected form', async () => {
    const { status, body } = await get(withFilter('data.project:sockshop AND data.stage'));
    expect(status).toBe(400);
    expect(body.message).toContain("filter clause 'data.stage' is not key:value");
    expect(body.message).toContain("joined by ' AND '");
  });
});

describe('excludeInvalidated', () => {
  type Events = { events: KeptnEvent[]; totalCount?: number };

  it('drops events whose triggeredid has an .invalidated event in the project', async () => {
    const triggeredid = '0b9e3a52-6f1c-4d0e-9a57-3c2f1e8d7b10';
    const data = { project: 'sockshop', stage: 'dev', service: 'carts' };
    await expectStatus(
      'POST',
      '/api/v1/event',
      {
        type: 'sh.keptn.event.test.finished',
        source: 'invalidation-test',
        triggeredid,
        data: { ...data, result: 'pass', status: 'succeeded' },
      },
      200,
    );
    await expectStatus(
      'POST',
      '/api/v1/event',
      { type: 'sh.keptn.event.test.invalidated', source: 'invalidation-test', triggeredid, data },
      200,
    );
    await server.processor.idle();

    const byType = `${DS}/event/type/sh.keptn.event.test.finished?filter=${encodeURIComponent('data.project:sockshop AND data.service:carts')}`;
    expect((await get<Events>(byType)).body.events.map((e) => e.triggeredid)).toEqual([triggeredid]);
    expect((await get<Events>(`${byType}&excludeInvalidated=true`)).body.events).toEqual([]);
    expect((await get<Events>(`${byType}&excludeInvalidated=false`)).body.events).toHaveLength(1);

    const list = `${DS}/event?project=sockshop&type=sh.keptn.event.test.finished`;
    expect((await get<Events>(list)).body.totalCount).toBe(1);
    expect((await get<Events>(`${list}&excludeInvalidated=true`)).body.totalCount).toBe(0);
  });
});
