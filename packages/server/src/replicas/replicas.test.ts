/**
 * Two control-plane replicas in one test process, each with its own PostgreSQL store (pool) and
 * LISTEN/NOTIFY bus on one database, as two pods would run: what one replica changes reaches what
 * the other keeps in memory. The registry backstop timer is set to an hour, so only the notices
 * can make these pass.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestPostgresDatabase, shipyardYaml } from '@shipmate/testing';
import type { TestPostgresDatabase } from '@shipmate/testing';
import { createPostgresNoticeBus, createPostgresStore } from '@shipmate/store-postgres';
import type { KeptnEvent, ReplicaNoticeBus, TaskLeaseStore } from '@shipmate/core';
import { base64, startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { answerTask, triggerSequence } from '../test-support/sequence-events.js';
import type { ChangeBatch } from '../changes/change-feed.js';

const CP = '/api/controlPlane/v1';
const REG = `${CP}/uniform/registration`;
const TOKENS = '/api/shipmate/v1/token';
const DEPLOYMENT = 'sh.keptn.event.deployment.triggered';
const SHIPYARD = shipyardYaml({ dev: ['deployment', 'test'] }, { name: 'delivery' });

let database: TestPostgresDatabase;
const closing: Array<() => Promise<unknown>> = [];
/** Each replica's PostgreSQL store (`InProcessServer.store` is an unused SQLite one here). */
const postgresStores = new Map<InProcessServer, object>();

/** A replica on the test database. */
async function replica(name: string, options: { leaseMs?: number } = {}): Promise<InProcessServer> {
  const store = await createPostgresStore(database.url);
  const notices: ReplicaNoticeBus = await createPostgresNoticeBus({ url: database.url, replicaId: name });
  const server = await startInProcessServer({ store, notices, resources: undefined, registryRefreshMs: 3_600_000, ...options });
  postgresStores.set(server, store);
  closing.push(async () => {
    await server.close();
    await notices.close();
    await store.close();
  });
  return server;
}

let a: InProcessServer;
let b: InProcessServer;

beforeEach(async () => {
  database = await createTestPostgresDatabase();
  a = await replica('a');
  b = await replica('b');
  expect((await a.call('POST', `${CP}/project`, { name: 'shop', shipyard: base64(SHIPYARD) })).status).toBe(201);
  expect((await a.call('POST', `${CP}/project/shop/service`, { serviceName: 'carts' })).status).toBe(200);
});

afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
  await database.drop();
});

/** Registers helm-service (pod `pod`) through `on`, subscribed to `event`. */
async function register(on: InProcessServer, event = DEPLOYMENT, pod = 'helm-1'): Promise<{ id: string; instanceId: string }> {
  const reply = await on.call<{ id: string; instanceId: string }>('POST', REG, {
    name: 'helm-service',
    metadata: { hostname: 'node-1', integrationversion: '1.0.0', kubernetesmetadata: { namespace: 'keptn', podname: pod } },
    subscriptions: [{ event, filter: { projects: ['shop'], stages: [], services: [] } }],
  });
  expect(reply.status).toBeLessThan(300);
  return reply.body;
}

/** A long poll of `agent` parked on `on` for up to a minute: its tasks, or 'not woken' after `ms`. */
async function pollWithin(
  on: InProcessServer,
  agent: { id: string; instanceId: string },
  ms: number,
  parked: Promise<unknown>,
): Promise<KeptnEvent[] | 'not woken'> {
  const reply = on.call<{ events: KeptnEvent[] }>('GET', `${REG}/${agent.id}/instance/${agent.instanceId}/tasks?waitMs=60000`);
  await parked;
  const timeout = new Promise<'not woken'>((resolve) => setTimeout(() => resolve('not woken'), ms));
  const result = await Promise.race([reply.then((r) => r.body.events), timeout]);
  if (result === 'not woken') on.server.waiters.close();
  return result;
}

/** Resolves once `on` has `count` parked polls. */
async function parkedOn(on: InProcessServer, count: number): Promise<void> {
  await expect.poll(() => on.server.waiters.size, { timeout: 5000, interval: 10 }).toBe(count);
}

describe('two replicas on one PostgreSQL database', () => {
  describe('when the replica that leased a task dies before its answer reached the agent', () => {
    const LEASE_MS = 300;
    /** Replicas a and b with short leases; `holder` got the task from a, whose answer was lost; then a is closed. */
    async function leaseLostWithReplica(): Promise<{
      a: InProcessServer;
      b: InProcessServer;
      holder: { id: string; instanceId: string };
      task: KeptnEvent;
    }> {
      const shortA = await replica('short-a', { leaseMs: LEASE_MS });
      const shortB = await replica('short-b', { leaseMs: LEASE_MS });
      const holder = await register(shortA);
      await triggerSequence(shortA, { project: 'shop', stage: 'dev', service: 'carts' });
      const reply = await shortA.call<{ events: KeptnEvent[] }>('GET', `${REG}/${holder.id}/instance/${holder.instanceId}/tasks?waitMs=0`);
      const [task] = reply.body.events;
      if (!task) throw new Error('the holder got no task');
      // Its wake-up timers (a lease and two leases from now) go with it.
      await shortA.close();
      return { a: shortA, b: shortB, holder, task };
    }

    it('the holder, parked on the other replica, gets the task again a lease after its lease ran out', async () => {
      const { b: other, holder, task } = await leaseLostWithReplica();
      // Nothing on b ever wakes this poll; it must look again by itself when the task may be offered.
      const polled = pollWithin(other, holder, 5000, parkedOn(other, 1));
      expect(await polled).toEqual([expect.objectContaining({ id: task.id })]);
    });

    it('another instance parked on the other replica gets the task when the lease runs out', async () => {
      const { b: other, task } = await leaseLostWithReplica();
      const second = await register(other, DEPLOYMENT, 'helm-2');
      const polled = pollWithin(other, second, 5000, parkedOn(other, 1));
      expect(await polled).toEqual([expect.objectContaining({ id: task.id })]);
    });
  });

  it('look at every poll: a replica killed between its commit and its notice leaves a task only a look finds', async () => {
    const agent = await register(b);
    const url = (waitMs: number) => `${REG}/${agent.id}/instance/${agent.instanceId}/tasks?waitMs=${waitMs}`;
    expect((await b.call('GET', url(50))).status).toBe(200);
    const looks = vi.spyOn(postgresStores.get(b) as TaskLeaseStore, 'leasesOfInstance');
    expect((await b.call('GET', url(50))).status).toBe(200);
    expect(looks).toHaveBeenCalled();
  });

  it('wake a long poll parked on one replica for a task emitted on the other', async () => {
    const agent = await register(b);
    const polled = pollWithin(
      b,
      agent,
      5000,
      parkedOn(b, 1).then(() => triggerSequence(a, { project: 'shop', stage: 'dev', service: 'carts' })),
    );
    expect(await polled).toEqual([expect.objectContaining({ type: DEPLOYMENT })]);
    const metrics = async (on: InProcessServer) =>
      (await on.server.app.inject({ method: 'GET', url: '/metrics', headers: { 'x-token': 'test-token' } })).body;
    expect(await metrics(a)).toMatch(/shipmate_replica_notices_total\{kind="emitted",direction="sent"\} [1-9]/);
    expect(await metrics(b)).toMatch(/shipmate_replica_notices_total\{kind="emitted",direction="received"\} [1-9]/);
  });

  it('deliver a task on one replica to a subscription added through the other', async () => {
    const agent = await register(b, 'sh.keptn.event.evaluation.triggered');
    const added = await a.call('POST', `${REG}/${agent.id}/subscription`, {
      event: DEPLOYMENT,
      filter: { projects: [], stages: [], services: [] },
    });
    expect(added.status).toBe(201);
    const polled = pollWithin(
      b,
      agent,
      5000,
      parkedOn(b, 1).then(() => triggerSequence(b, { project: 'shop', stage: 'dev', service: 'carts' })),
    );
    expect(await polled).toEqual([expect.objectContaining({ type: DEPLOYMENT })]);
  });

  it('accept on one replica a token created through the other, and refuse it once revoked there', async () => {
    const created = await a.call<{ id: string; token: string }>('POST', TOKENS, { name: 'plane-eu', role: 'execution-plane' });
    expect(created.status).toBe(201);
    const asPlane = { 'x-token': created.body.token };
    await expect.poll(async () => (await b.call('GET', '/api/v1/metadata', undefined, asPlane)).status, { timeout: 5000 }).toBe(200);
    expect((await a.call('DELETE', `${TOKENS}/${created.body.id}`)).status).toBe(200);
    await expect
      .poll(async () => (await b.call<{ errorCode?: string }>('GET', '/api/v1/metadata', undefined, asPlane)).body.errorCode, {
        timeout: 5000,
      })
      .toBe('ERR_TOKEN_REVOKED');
  });

  it('keep the instance a plane token registered through one replica from another plane token on the other', async () => {
    const eu = (await a.call<{ token: string }>('POST', TOKENS, { name: 'plane-eu', role: 'execution-plane' })).body.token;
    const us = (await a.call<{ token: string }>('POST', TOKENS, { name: 'plane-us', role: 'execution-plane' })).body.token;
    await expect
      .poll(async () => (await b.call('GET', '/api/v1/metadata', undefined, { 'x-token': us })).status, { timeout: 5000 })
      .toBe(200);
    const registered = await a.call<{ id: string; instanceId: string }>(
      'POST',
      REG,
      {
        name: 'helm-service',
        metadata: { hostname: 'node-1', kubernetesmetadata: { namespace: 'keptn', podname: 'helm-1' } },
        subscriptions: [{ event: DEPLOYMENT, filter: { projects: [], stages: [], services: [] } }],
      },
      { 'x-token': eu },
    );
    expect(registered.status).toBeLessThan(300);
    const ping = (token: string) =>
      b.call('PUT', `${REG}/${registered.body.id}/ping?instanceId=${registered.body.instanceId}`, undefined, { 'x-token': token });
    // Until the binding arrived, the other plane's first ping on b would bind the instance to itself.
    await expect.poll(async () => (await ping(eu)).status, { timeout: 5000 }).toBe(200);
    expect((await ping(us)).status).toBe(403);
  });

  it('show in the live views open on one replica what is written through the other', async () => {
    const heard: ChangeBatch[] = [];
    b.server.liveViews.subscribe((batch) => heard.push(batch));
    const projects = () => new Set(heard.flatMap((batch) => batch.projects));
    const topics = () => new Set(heard.flatMap((batch) => batch.topics));
    expect((await a.call('POST', '/api/secrets/v1/secret', { name: 'registry-creds', data: { token: 's3cret' } })).status).toBe(201);
    await expect.poll(topics, { timeout: 5000 }).toEqual(new Set(['secrets']));
    await register(a);
    await expect.poll(topics, { timeout: 5000 }).toEqual(new Set(['secrets', 'integrations']));
    await triggerSequence(a, { project: 'shop', stage: 'dev', service: 'carts' });
    await expect.poll(projects, { timeout: 5000 }).toEqual(new Set(['shop']));
    // A .started is announced by no other notice: the changes notice alone carries it.
    const open = await a.call<{ events: KeptnEvent[] }>('GET', `${CP}/event/triggered/${DEPLOYMENT}?project=shop`);
    const task = open.body.events[0];
    if (!task) throw new Error('no deployment task was triggered');
    await new Promise((resolve) => setTimeout(resolve, 300));
    heard.length = 0;
    await answerTask(a, task, 'started');
    await expect.poll(projects, { timeout: 5000 }).toEqual(new Set(['shop']));
    // What b heard it does not announce again.
    const metrics = (await b.server.app.inject({ method: 'GET', url: '/metrics', headers: { 'x-token': 'test-token' } })).body;
    expect(metrics).toMatch(/shipmate_replica_notices_total\{kind="changes",direction="received"\} [1-9]/);
    expect(metrics).not.toMatch(/shipmate_replica_notices_total\{kind="changes",direction="sent"\} [1-9]/);
  });

  it('answer a wait for a .finished parked on one replica when the answer is stored through the other', async () => {
    await triggerSequence(a, { project: 'shop', stage: 'dev', service: 'carts' });
    const open = await a.call<{ events: KeptnEvent[] }>('GET', `${CP}/event/triggered/${DEPLOYMENT}?project=shop`);
    const task = open.body.events[0];
    if (!task) throw new Error('no deployment task was triggered');
    const answer = b.call<{ event: KeptnEvent | null }>('GET', `${CP}/event/finished/${task.id}?waitMs=60000`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await answerTask(a, task, 'started');
    await answerTask(a, task, 'finished');
    const timeout = new Promise<'not woken'>((resolve) => setTimeout(() => resolve('not woken'), 5000));
    const result = await Promise.race([answer.then((r) => r.body.event?.type), timeout]);
    expect(result).toBe('sh.keptn.event.deployment.finished');
  });
});
