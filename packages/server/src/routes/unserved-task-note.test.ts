import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeptnEvent, SequenceState, SubscriptionFilter } from '@shipmate/core';
import { base64, startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { manualClock, shipyardYaml } from '@shipmate/testing';

const CP = '/api/controlPlane/v1';
const REG = `${CP}/uniform/registration`;
const TEST = 'sh.keptn.event.test.triggered';
const HEARTBEAT_MS = 5000;
const noteOf = (service: string) =>
  `no live integration subscribes to sh.keptn.event.test.triggered in stage hardening (project sockshop, service ${service}); ` +
  'the task waits for one until it times out (TASK_STARTED_WAIT_DURATION 10m0s)';
const NOTE = noteOf('carts');
/** Services of the project: each trigger after the first uses the next one, since a service runs one sequence at a time. */
const SERVICES = ['carts', 'orders', 'users'];

const SHIPYARD = shipyardYaml({ dev: ['test'], hardening: ['test'] }, { name: 'delivery' });

const ALL: SubscriptionFilter = { projects: [], stages: [], services: [] };

let api: InProcessServer;
let clock: ReturnType<typeof manualClock>;

beforeEach(async () => {
  clock = manualClock();
  api = await startInProcessServer({ clock, heartbeatIntervalMs: HEARTBEAT_MS });
  expect((await api.call('POST', `${CP}/project`, { name: 'sockshop', shipyard: base64(SHIPYARD) })).status).toBe(201);
  for (const serviceName of SERVICES) expect((await api.call('POST', `${CP}/project/sockshop/service`, { serviceName })).status).toBe(200);
});

afterEach(async () => {
  await api.close();
});

interface Registration {
  event?: string;
  filter?: SubscriptionFilter;
  /** The instance's own filters (`STAGE_FILTER` and friends); absent as from Keptn's distributor. */
  own?: SubscriptionFilter;
  /** Another podname registers another instance. */
  podname?: string;
}

/** Registers one process of test-service; returns its integration and instance ids. */
async function register(registration: Registration = {}): Promise<{ id: string; instanceId: string }> {
  const reply = await api.call<{ id: string; instanceId: string }>('POST', REG, {
    name: 'test-service',
    metadata: {
      hostname: 'node-1',
      integrationversion: '1.0.0',
      distributorversion: '1.0.0',
      location: 'plane-a',
      kubernetesmetadata: { namespace: 'keptn', podname: registration.podname ?? 'test-service-1', deploymentname: 'test-service' },
      ...(registration.own ? { shipmate: { filters: registration.own } } : {}),
    },
    subscriptions: [{ event: registration.event ?? TEST, filter: registration.filter ?? ALL }],
  });
  expect(reply.status).toBeLessThan(300);
  return reply.body;
}

/** Triggers the delivery sequence in hardening and waits until the orchestrator (and the check after it) is done. */
async function trigger(service = 'carts'): Promise<void> {
  const reply = await api.call('POST', '/api/v1/event', {
    type: 'sh.keptn.event.hardening.delivery.triggered',
    source: 'test',
    data: { project: 'sockshop', stage: 'hardening', service },
  });
  expect(reply.status).toBe(200);
  await api.server.processor.idle();
}

/** The hardening stage of the service's only sequence in the view. */
async function hardening(service = 'carts'): Promise<SequenceState['stages'][number] | undefined> {
  const reply = await api.call<{ states: SequenceState[] }>('GET', `${CP}/sequence/sockshop`);
  expect(reply.status).toBe(200);
  const states = reply.body.states.filter((state) => state.service === service);
  expect(states).toHaveLength(1);
  return states[0]?.stages.find((s) => s.name === 'hardening');
}

async function openTask(): Promise<KeptnEvent> {
  const reply = await api.call<{ events: KeptnEvent[] }>('GET', `${CP}/event/triggered/${TEST}?project=sockshop`);
  const [task] = reply.body.events;
  if (!task) throw new Error('no open test task');
  return task;
}

describe('a task without a live subscriber', () => {
  it('is noted on its stage in the sequence state at once', async () => {
    await trigger();
    const stage = await hardening();
    expect(stage).toMatchObject({ state: 'triggered', latestEvent: { type: TEST }, message: NOTE });
  });

  it.each([
    { when: 'an online instance subscribes exactly, all filters matching', registration: { own: { ...ALL, stages: ['hardening'] } } },
    { when: 'an online instance subscribes with a NATS wildcard', registration: { event: 'sh.keptn.event.*.triggered' } },
    {
      when: 'the subscription filter names the project, stage and service',
      registration: { filter: { projects: ['sockshop'], stages: ['hardening'], services: ['carts'] } },
    },
  ])('is not noted when $when', async ({ registration }) => {
    await register(registration);
    await trigger();
    expect((await hardening())?.message).toBeUndefined();
  });

  it.each([
    { when: "the only instance's own filter is another stage", registration: { own: { ...ALL, stages: ['dev'] } } },
    { when: 'the subscription filter is another project', registration: { filter: { ...ALL, projects: ['other'] } } },
    { when: 'the subscription is another task', registration: { event: 'sh.keptn.event.deployment.triggered' } },
  ])('is noted when $when', async ({ registration }) => {
    await register(registration);
    await trigger();
    expect((await hardening())?.message).toBe(NOTE);
  });

  it('is noted when the subscribed instance went offline (3 heartbeats missed)', async () => {
    await register();
    clock.advance(3 * HEARTBEAT_MS + 1);
    await trigger();
    expect((await hardening())?.message).toBe(NOTE);
  });

  it('is not noted while an integration pings without an instance id (Keptn distributor), though its instance looks offline', async () => {
    const { id } = await register();
    clock.advance(10 * HEARTBEAT_MS);
    expect((await api.call('PUT', `${REG}/${id}/ping`)).status).toBe(200);
    await trigger();
    expect((await hardening())?.message).toBeUndefined();
  });

  it('follows the heartbeats of each instance', async () => {
    const serving = await register({ own: { ...ALL, stages: ['hardening'] } });
    const other = await register({ own: { ...ALL, stages: ['dev'] }, podname: 'test-service-2' });
    clock.advance(10 * HEARTBEAT_MS);
    // Only the instance of another stage is online.
    expect((await api.call('PUT', `${REG}/${other.id}/ping?instanceId=${other.instanceId}`)).status).toBe(200);
    await trigger();
    expect((await hardening())?.message).toBe(NOTE);
    expect((await api.call('PUT', `${REG}/${serving.id}/ping?instanceId=${serving.instanceId}`)).status).toBe(200);
    await trigger('orders');
    expect((await hardening('orders'))?.message).toBeUndefined();
  });

  it('is noted once the only instance serving the stage was deleted', async () => {
    const { id, instanceId } = await register({ own: { ...ALL, stages: ['hardening'] } });
    await register({ own: { ...ALL, stages: ['dev'] }, podname: 'test-service-2' });
    await trigger();
    expect((await hardening())?.message).toBeUndefined();
    expect((await api.call('DELETE', `${REG}/${id}/instance/${instanceId}`)).status).toBeLessThan(300);
    await trigger('orders');
    expect((await hardening('orders'))?.message).toBe(noteOf('orders'));
  });

  it('is noted once the integration was deleted', async () => {
    const { id } = await register();
    await trigger();
    expect((await hardening())?.message).toBeUndefined();
    expect((await api.call('DELETE', `${REG}/${id}`)).status).toBeLessThan(300);
    await trigger('orders');
    expect((await hardening('orders'))?.message).toBe(noteOf('orders'));
  });

  it('follows subscription changes', async () => {
    const { id } = await register();
    const [subscription] = (await api.call<Array<{ id: string }>>('GET', `${REG}/${id}/subscription`)).body;
    const url = `${REG}/${id}/subscription/${subscription!.id}`;
    expect((await api.call('PUT', url, { event: 'sh.keptn.event.deployment.triggered', filter: ALL })).status).toBeLessThan(300);
    await trigger();
    expect((await hardening())?.message).toBe(NOTE);
    expect((await api.call('PUT', url, { event: TEST, filter: ALL })).status).toBeLessThan(300);
    await trigger('orders');
    expect((await hardening('orders'))?.message).toBeUndefined();
  });

  it('loses the note when the task is started', async () => {
    await trigger();
    expect((await hardening())?.message).toBe(NOTE);
    const task = await openTask();
    const reply = await api.call('POST', '/api/v1/event', {
      type: 'sh.keptn.event.test.started',
      source: 'test-service',
      shkeptncontext: task.shkeptncontext,
      triggeredid: task.id,
      data: { project: 'sockshop', stage: 'hardening', service: 'carts' },
    });
    expect(reply.status).toBe(200);
    await api.server.processor.idle();
    const stage = await hardening();
    expect(stage).toMatchObject({ latestEvent: { type: 'sh.keptn.event.test.started' } });
    expect(stage?.message).toBeUndefined();
  });

  it('loses the note when an agent instance that registered later is given the task', async () => {
    await trigger();
    expect((await hardening())?.message).toBe(NOTE);
    const agent = await register();
    const tasks = await api.call<{ events: KeptnEvent[] }>('GET', `${REG}/${agent.id}/instance/${agent.instanceId}/tasks?waitMs=0`);
    expect(tasks.body.events.map((e) => e.type)).toEqual([TEST]);
    await api.server.processor.idle();
    const stage = await hardening();
    expect(stage).toMatchObject({ latestEvent: { type: TEST } });
    expect(stage?.message).toBeUndefined();
  });
});
