import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Integration, IntegrationRegistryStore, KeptnEvent, TaskLeaseStore } from '@shipmate/core';
import { base64, startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { answerTask, triggerSequence } from '../test-support/sequence-events.js';
import type { ServerOptions } from '../server-options.js';
import { manualClock, shipyardYaml } from '@shipmate/testing';

const CP = '/api/controlPlane/v1';
const REG = `${CP}/uniform/registration`;
const DEPLOYMENT = 'sh.keptn.event.deployment.triggered';
const LEASE_MS = 30_000;

const SHIPYARD = shipyardYaml({ dev: ['deployment'], production: ['deployment'] }, { name: 'delivery' });

interface Tasks {
  events: KeptnEvent[];
  aborted: string[];
}

interface Agent {
  id: string;
  instanceId: string;
}

let api: InProcessServer;
let clock: ReturnType<typeof manualClock>;

/** A server with project shop and service carts on a fresh fake clock. */
async function start(options: Partial<ServerOptions> = {}): Promise<void> {
  clock = manualClock();
  api = await startInProcessServer({ clock, ...options });
  expect((await api.call('POST', `${CP}/project`, { name: 'shop', shipyard: base64(SHIPYARD) })).status).toBe(201);
  expect((await api.call('POST', `${CP}/project/shop/service`, { serviceName: 'carts' })).status).toBe(200);
}

beforeEach(async () => {
  await start();
});

afterEach(async () => {
  await api.close();
});

/** Registers one agent process of helm-service; `stages` become its own STAGE_FILTER. */
async function register(pod: string, options: { location?: string; stages?: string[] } = {}): Promise<Agent> {
  const reply = await api.call<{ id: string; instanceId: string }>('POST', REG, {
    name: 'helm-service',
    metadata: {
      hostname: `node-${pod}`,
      integrationversion: '1.0.0',
      distributorversion: '1.0.0',
      location: options.location ?? 'plane-a',
      kubernetesmetadata: { namespace: 'keptn', podname: pod, deploymentname: 'helm-service' },
      shipmate: { filters: { projects: [], stages: options.stages ?? [], services: [] } },
    },
    subscriptions: [{ event: DEPLOYMENT, filter: { projects: ['shop'], stages: [], services: [] } }],
  });
  expect(reply.status).toBeLessThan(300);
  return { id: reply.body.id, instanceId: reply.body.instanceId };
}

function tasksUrl(agent: Agent, waitMs = 0): string {
  return `${REG}/${agent.id}/instance/${agent.instanceId}/tasks?waitMs=${waitMs}`;
}

async function poll(agent: Agent, waitMs = 0): Promise<Tasks> {
  const reply = await api.call<Tasks>('GET', tasksUrl(agent, waitMs));
  expect(reply.status).toBe(200);
  return reply.body;
}

/** Triggers the delivery sequence in a stage; returns the keptn context. */
const trigger = (stage: string) => triggerSequence(api, { project: 'shop', stage, service: 'carts' });

const send = (triggered: KeptnEvent, kind: 'started' | 'finished') => answerTask(api, triggered, kind, 'helm-service');

/** The promise's value if it settles within `turns` event-loop turns, else 'pending' (a race, no timer). */
async function within<T>(promise: Promise<T>, turns = 100): Promise<T | 'pending'> {
  let pending = true;
  const settled = promise.then((value) => {
    pending = false;
    return value;
  });
  for (let i = 0; i < turns && pending; i++) await new Promise((resolve) => setImmediate(resolve));
  return pending ? 'pending' : settled;
}

/** Resolves once `count` long polls are parked (no sleeping: it yields to the event loop). */
async function parked(count: number): Promise<void> {
  while (api.server.waiters.size < count) await new Promise((resolve) => setImmediate(resolve));
}

describe('task delivery', () => {
  it('offers a task only to instances whose own filters match, with the subscription id', async () => {
    const dev = await register('dev-1', { location: 'hardening', stages: ['dev'] });
    const production = await register('prod-1', { location: 'production', stages: ['production'] });
    const context = await trigger('dev');
    expect(await poll(production)).toEqual({ events: [], aborted: [] });
    const got = await poll(dev);
    expect(got.events).toHaveLength(1);
    const [task] = got.events;
    const subscriptionId = (await api.call<Integration>('GET', `${REG}/${dev.id}`)).body.subscriptions[0]?.id;
    expect(task).toMatchObject({
      type: DEPLOYMENT,
      shkeptncontext: context,
      data: { stage: 'dev', temporaryData: { distributor: { subscriptionID: subscriptionId } } },
    });
    await trigger('production');
    expect((await poll(production)).events.map((e) => e.data.stage)).toEqual(['production']);
    expect(await poll(dev)).toEqual({ events: [], aborted: [] });
  });

  it('never offers a task of a project outside the subscription filter', async () => {
    const agent = await register('a');
    await api.call(
      'PUT',
      `${REG}/${agent.id}/subscription/${(await api.call<Integration>('GET', `${REG}/${agent.id}`)).body.subscriptions[0]?.id}`,
      {
        event: DEPLOYMENT,
        filter: { projects: ['other'], stages: [], services: [] },
      },
    );
    await trigger('dev');
    expect((await poll(agent)).events).toEqual([]);
  });

  it('serves NATS wildcard subscriptions', async () => {
    const agent = await register('a');
    const subscriptionId = (await api.call<Integration>('GET', `${REG}/${agent.id}`)).body.subscriptions[0]?.id ?? '';
    await api.call('PUT', `${REG}/${agent.id}/subscription/${subscriptionId}`, {
      event: 'sh.keptn.event.*.triggered',
      filter: { projects: [], stages: [], services: [] },
    });
    await trigger('dev');
    const got = await poll(agent);
    // `*` is one token: the task matches, the sequence event `sh.keptn.event.dev.delivery.triggered` does not.
    expect(got.events.map((e) => [e.type, e.data.temporaryData])).toEqual([
      [DEPLOYMENT, { distributor: { subscriptionID: subscriptionId } }],
    ]);
  });

  it('hands each task to exactly one of two instances and never twice', async () => {
    const a = await register('a');
    const b = await register('b');
    expect(b.id).toBe(a.id);
    await trigger('dev');
    await trigger('production');
    const [first, second] = await Promise.all([poll(a), poll(b)]);
    const ids = [...(first?.events ?? []), ...(second?.events ?? [])].map((e) => e.id);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    expect((await poll(a)).events).toEqual([]);
    expect((await poll(b)).events).toEqual([]);
  });

  it('gives the task to the other instance when the lease runs out before .started, and not back while that one holds it', async () => {
    const a = await register('a');
    const b = await register('b');
    await trigger('dev');
    const [task] = (await poll(a)).events;
    expect(task).toBeDefined();
    expect((await poll(b)).events).toEqual([]);
    clock.advance(LEASE_MS - 1);
    expect((await poll(b)).events).toEqual([]);
    clock.advance(2);
    expect((await poll(b)).events.map((e) => e.id)).toEqual([task?.id]);
    clock.advance(LEASE_MS - 2);
    expect((await poll(a)).events).toEqual([]);
  });

  it('offers the task again to its only instance when the answer to its poll was lost: a lease after its lease ran out', async () => {
    const a = await register('a');
    await trigger('dev');
    const [task] = (await poll(a)).events; // the answer the agent never got
    expect(task).toBeDefined();
    clock.advance(LEASE_MS + 1);
    // The first lease period after it ran out is for other instances.
    expect((await poll(a)).events).toEqual([]);
    clock.advance(LEASE_MS - 2);
    expect((await poll(a)).events).toEqual([]);
    clock.advance(1);
    expect((await poll(a)).events.map((e) => e.id)).toEqual([task?.id]);
    // Renewed for a lease: not offered a third time meanwhile, and permanent once .started arrives.
    expect((await poll(a)).events).toEqual([]);
    await send(task!, 'started');
    clock.advance(10 * LEASE_MS);
    expect((await poll(a)).events).toEqual([]);
  });

  it('wakes the parked holder when its answer was lost and nobody else took the task', async () => {
    await api.close();
    await start({ leaseMs: 200 });
    const a = await register('a');
    await trigger('dev');
    const [task] = (await poll(a)).events;
    expect(task).toBeDefined();
    const waiting = poll(a, 5000);
    await parked(1);
    clock.advance(401);
    expect((await waiting).events.map((e) => e.id)).toEqual([task?.id]);
  });

  it('makes the lease permanent once .started arrived', async () => {
    const a = await register('a');
    const b = await register('b');
    await trigger('dev');
    const [task] = (await poll(a)).events;
    if (!task) throw new Error('no task');
    await send(task, 'started');
    clock.advance(10 * LEASE_MS);
    expect((await poll(b)).events).toEqual([]);
    await send(task, 'finished');
    expect(await poll(a)).toEqual({ events: [], aborted: [] });
  });

  it('wakes a parked long poll when a matching task is triggered', async () => {
    const a = await register('a');
    const waiting = poll(a, 60_000);
    await parked(1);
    expect(await within(waiting, 20)).toBe('pending');
    const context = await trigger('dev');
    const result = await within(waiting);
    if (result === 'pending') throw new Error('the long poll was not woken by the new task');
    expect(result.events.map((e) => e.shkeptncontext)).toEqual([context]);
    expect(api.server.waiters.size).toBe(0);
  });

  it('parks the next poll of an idle instance without reading the store, and wakes it for a new task', async () => {
    const a = await register('a');
    expect(await poll(a, 50)).toEqual({ events: [], aborted: [] });
    const looks = vi.spyOn(api.store as unknown as TaskLeaseStore, 'leasesOfInstance');
    const waiting = poll(a, 60_000);
    await parked(1);
    expect(looks).not.toHaveBeenCalled();
    const context = await trigger('dev');
    const result = await within(waiting);
    if (result === 'pending') throw new Error('the parked poll was not woken by the new task');
    expect(result.events.map((e) => e.shkeptncontext)).toEqual([context]);
    expect(looks).toHaveBeenCalledTimes(1);
  });

  it('wakes only the instance parked longest when two instances of an integration wait for one task', async () => {
    const a = await register('a');
    const b = await register('b');
    const first = poll(a, 300);
    await parked(1);
    const second = poll(b, 300);
    await parked(2);
    // Every look at the tasks reads the instance's leases once.
    const looks = vi.spyOn(api.store as unknown as TaskLeaseStore, 'leasesOfInstance');
    await trigger('dev');
    const answered = await within(first);
    if (answered === 'pending') throw new Error('the instance parked longest was not woken');
    expect(answered.events.map((e) => e.type)).toEqual([DEPLOYMENT]);
    expect(await within(second, 50)).toBe('pending');
    expect(looks).toHaveBeenCalledTimes(1);
    expect(await second).toEqual({ events: [], aborted: [] });
  });

  it('wakes another instance, not the holder, when a lease runs out', async () => {
    await api.close();
    await start({ leaseMs: 200 });
    const a = await register('a');
    const b = await register('b');
    await trigger('dev');
    const [task] = (await poll(a)).events;
    expect(task).toBeDefined();
    // The holder parks first, so it waited longest; it must not be the one woken.
    const holder = poll(a, 3000);
    await parked(1);
    const other = poll(b, 3000);
    await parked(2);
    clock.advance(201);
    const first = await Promise.race([holder.then(() => 'holder'), other.then(() => 'other')]);
    expect(first).toBe('other');
    expect((await other).events.map((e) => e.id)).toEqual([task?.id]);
    api.server.waiters.close();
    expect(await holder).toEqual({ events: [], aborted: [] });
  });

  it('applies a subscription change to a parked long poll at once', async () => {
    const agent = await register('a');
    await api.call(
      'PUT',
      `${REG}/${agent.id}/subscription/${(await api.call<Integration>('GET', `${REG}/${agent.id}`)).body.subscriptions[0]?.id}`,
      {
        event: 'sh.keptn.event.test.triggered',
        filter: { projects: [], stages: [], services: [] },
      },
    );
    const waiting = poll(agent, 60_000);
    await parked(1);
    await trigger('dev');
    expect(await within(waiting, 20)).toBe('pending');
    const post = await api.call('POST', `${REG}/${agent.id}/subscription`, {
      event: DEPLOYMENT,
      filter: { projects: [], stages: [], services: [] },
    });
    expect(post.status).toBe(201);
    const result = await within(waiting);
    if (result === 'pending') throw new Error('the long poll did not see the new subscription');
    expect(result.events.map((e) => e.type)).toEqual([DEPLOYMENT]);
  });

  it('keeps a non-matching instance parked and answers it empty when waitMs passes', async () => {
    const production = await register('prod', { stages: ['production'] });
    const waiting = poll(production, 200);
    await parked(1);
    await trigger('dev');
    expect(await within(waiting, 20)).toBe('pending');
    expect(await waiting).toEqual({ events: [], aborted: [] });
  });

  it('reports an aborted sequence to the instance holding its task, once', async () => {
    const a = await register('a');
    const context = await trigger('dev');
    const [task] = (await poll(a)).events;
    const waiting = poll(a, 60_000);
    await parked(1);
    expect((await api.call('POST', `${CP}/sequence/shop/${context}/control`, { state: 'abort' })).status).toBe(200);
    await api.server.processor.idle();
    expect(await within(waiting)).toEqual({ events: [], aborted: [task?.id] });
    expect(await poll(a)).toEqual({ events: [], aborted: [] });
  });

  it('does not report a finished task as aborted', async () => {
    const a = await register('a');
    await trigger('dev');
    const [task] = (await poll(a)).events;
    if (!task) throw new Error('no task');
    await send(task, 'started');
    await send(task, 'finished');
    expect(await poll(a)).toEqual({ events: [], aborted: [] });
  });

  it('forgets leases of deleted integrations once the task closed, and keeps them while it is open', async () => {
    const a = await register('a');
    const context = await trigger('dev');
    expect((await poll(a)).events).toHaveLength(1);
    await api.call('DELETE', `${REG}/${a.id}`);
    expect(await api.server.sweepOrphanLeases()).toBe(0);
    await api.call('POST', `${CP}/sequence/shop/${context}/control`, { state: 'abort' });
    await api.server.processor.idle();
    expect(await api.server.sweepOrphanLeases()).toBe(1);
    expect(await api.server.sweepOrphanLeases()).toBe(0);
  });

  it('forgets the lease of an unregistered instance once the task closed, and keeps those of instances still registered', async () => {
    const a = await register('a');
    const b = await register('b');
    const first = await trigger('dev');
    expect((await poll(a)).events).toHaveLength(1);
    await trigger('production');
    expect((await poll(b)).events).toHaveLength(1);
    expect((await api.call('DELETE', `${REG}/${a.id}/instance/${a.instanceId}`)).status).toBeLessThan(300);
    expect(await api.server.sweepOrphanLeases()).toBe(0);
    await api.call('POST', `${CP}/sequence/shop/${first}/control`, { state: 'abort' });
    await api.server.processor.idle();
    // a's lease goes; b's stays (b is registered and its task open).
    expect(await api.server.sweepOrphanLeases()).toBe(1);
    expect(await api.server.sweepOrphanLeases()).toBe(0);
    expect((await poll(b)).events).toEqual([]);
  });

  it('counts as the instance heartbeat', async () => {
    const a = await register('a');
    clock.advance(60_000);
    await poll(a);
    const view = (await api.call<Integration>('GET', `${REG}/${a.id}`)).body;
    expect(view.instances.find((i) => i.instanceId === a.instanceId)?.lastseen).toBe(new Date(clock.nowMs()).toISOString());
  });

  /**
   * A server with a 30 ms heartbeat interval and agent a, whose poll stays parked while the clock
   * moves a minute on: the registry calls the store saw meanwhile, and the view's lastseen of a.
   */
  async function parkThroughAMinute(options: Partial<ServerOptions> = {}) {
    await api.close();
    await start({ heartbeatIntervalMs: 30, ...options });
    const a = await register('a');
    const registry = api.store as unknown as IntegrationRegistryStore;
    const reads = [vi.spyOn(registry, 'getIntegration'), vi.spyOn(registry, 'getInstance'), vi.spyOn(registry, 'listInstances')];
    const firstLook = vi.spyOn(registry, 'touchInstance');
    const renewals = vi.spyOn(registry, 'touchInstances');
    const parkedPoll = poll(a, 200);
    await parked(1);
    clock.advance(60_500);
    expect(await parkedPoll).toEqual({ events: [], aborted: [] });
    for (const read of reads) expect(read).not.toHaveBeenCalled();
    const view = (await api.call<Integration>('GET', `${REG}/${a.id}`)).body;
    const lastseen = view.instances.find((i) => i.instanceId === a.instanceId)?.lastseen;
    return { a: { integrationId: a.id, instanceId: a.instanceId }, firstLook, renewals, lastseen };
  }

  it('renews the heartbeat while parked in memory on the only replica, and writes it to the store in bulk (here: on close)', async () => {
    const { a, firstLook, renewals, lastseen } = await parkThroughAMinute();
    expect(firstLook).not.toHaveBeenCalled();
    expect(renewals).not.toHaveBeenCalled();
    // The registry's view reports the heartbeat noted in memory.
    expect(lastseen).toBe(new Date(clock.nowMs()).toISOString());
    const closedAt = clock.nowMs();
    await api.close();
    await start();
    // Its whole second: every instance noted within one second goes in one write.
    expect(renewals.mock.calls).toEqual([[[a], new Date(closedAt - (closedAt % 1000)).toISOString()]]);
  });

  it('renews the heartbeat while parked in batched writes with other replicas, reading no registry row', async () => {
    const { a, firstLook, renewals, lastseen } = await parkThroughAMinute({ claims: { shared: true, hold: (_scopes, work) => work() } });
    expect(firstLook).toHaveBeenCalledTimes(1);
    expect(renewals.mock.calls.map(([instances]) => instances)).toContainEqual([a]);
    expect(lastseen).toBe(new Date(clock.nowMs()).toISOString());
  });

  it('answers a parked poll with 404 once its instance is deleted', async () => {
    await api.close();
    await start({ heartbeatIntervalMs: 30 });
    const a = await register('a');
    const parkedPoll = api.call('GET', tasksUrl(a, 2000));
    await parked(1);
    expect((await api.call('DELETE', `${REG}/${a.id}/instance/${a.instanceId}`)).status).toBeLessThan(300);
    const reply = await parkedPoll;
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({
      errorCode: 'ERR_INTEGRATION_NOT_FOUND',
      message: expect.stringContaining(`instance '${a.instanceId}'`),
    });
  });

  it('applies registry changes made through the API to the next look', async () => {
    const agent = await register('a');
    const subscriptionId = (await api.call<Integration>('GET', `${REG}/${agent.id}`)).body.subscriptions[0]?.id ?? '';
    expect((await api.call('DELETE', `${REG}/${agent.id}/subscription/${subscriptionId}`)).status).toBe(200);
    await trigger('dev');
    expect(await poll(agent)).toEqual({ events: [], aborted: [] });
    expect((await api.call('DELETE', `${REG}/${agent.id}`)).status).toBeLessThan(300);
    const reply = await api.call('GET', tasksUrl(agent));
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({
      errorCode: 'ERR_INTEGRATION_NOT_FOUND',
      message: expect.stringContaining(`integration '${agent.id}'`),
    });
  });

  it('answers 404 for an unknown integration or instance', async () => {
    const a = await register('a');
    for (const agent of [
      { ...a, id: 'nope' },
      { ...a, instanceId: 'nope' },
    ]) {
      const reply = await api.call('GET', tasksUrl(agent));
      expect(reply.status).toBe(404);
      expect(reply.body).toMatchObject({ code: 404, errorCode: 'ERR_INTEGRATION_NOT_FOUND' });
    }
  });

  it.each(['-1', '60001', 'soon', '1.5'])('answers 400 for waitMs=%s', async (waitMs) => {
    const a = await register('a');
    const reply = await api.call('GET', `${REG}/${a.id}/instance/${a.instanceId}/tasks?waitMs=${waitMs}`);
    expect(reply.status).toBe(400);
  });
});
