import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock, KeptnEvent } from '@shipmate/core';
import { base64, startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { answerTask, triggerSequence } from '../test-support/sequence-events.js';
import { shipyardYaml } from '@shipmate/testing';

const CP = '/api/controlPlane/v1';
const REG = `${CP}/uniform/registration`;
const SECRET = '/api/secrets/v1/secret';
const DEPLOYMENT = 'sh.keptn.event.deployment.triggered';
const LEASE_MS = 30_000;

const SHIPYARD = shipyardYaml({ dev: ['deployment'] }, { name: 'delivery' });

interface Agent {
  id: string;
  instanceId: string;
}

let api: InProcessServer;
let now: number;
const clock: Clock = { nowMs: () => now };

beforeEach(async () => {
  now = Date.UTC(2024, 0, 1);
  api = await startInProcessServer({ clock, leaseMs: LEASE_MS });
  expect((await api.call('POST', `${CP}/project`, { name: 'shop', shipyard: base64(SHIPYARD) })).status).toBe(201);
  expect((await api.call('POST', `${CP}/project/shop/service`, { serviceName: 'carts' })).status).toBe(200);
  for (const [name, scope] of [
    ['webhook-token', 'keptn-webhook-service'],
    ['shared-token', 'keptn-default'],
    ['dt-token', 'dynatrace-service'],
  ]) {
    expect((await api.call('POST', SECRET, { name, scope, data: { token: `value-of-${name}` } })).status).toBe(201);
  }
});

afterEach(async () => {
  await api.close();
});

/** Registers one agent process of an integration subscribed to deployment tasks of shop. */
async function register(name: string, pod: string): Promise<Agent> {
  const reply = await api.call<Agent>('POST', REG, {
    name,
    metadata: { hostname: `node-${pod}`, kubernetesmetadata: { namespace: 'keptn', podname: pod, deploymentname: name } },
    subscriptions: [{ event: DEPLOYMENT, filter: { projects: ['shop'], stages: [], services: [] } }],
  });
  expect(reply.status).toBeLessThan(300);
  return { id: reply.body.id, instanceId: reply.body.instanceId };
}

async function poll(agent: Agent): Promise<KeptnEvent[]> {
  const reply = await api.call<{ events: KeptnEvent[] }>('GET', `${REG}/${agent.id}/instance/${agent.instanceId}/tasks?waitMs=0`);
  expect(reply.status).toBe(200);
  return reply.body.events;
}

/** Triggers delivery in dev; returns the keptn context. */
const trigger = () => triggerSequence(api, { project: 'shop', stage: 'dev', service: 'carts' });

const send = (task: KeptnEvent, kind: 'started' | 'finished') => answerTask(api, task, kind, 'webhook-service');

function read(agent: Agent, triggeredId: string, name: string, scope?: string) {
  const query = `name=${name}${scope ? `&scope=${scope}` : ''}`;
  return api.call(`GET`, `${REG}/${agent.id}/instance/${agent.instanceId}/task/${triggeredId}/secret?${query}`);
}

/** A webhook-service instance holding the task of a fresh sequence. */
async function leasedTask(): Promise<{ agent: Agent; task: KeptnEvent; context: string }> {
  const agent = await register('webhook-service', 'a');
  const context = await trigger();
  const [task] = await poll(agent);
  expect(task?.type).toBe(DEPLOYMENT);
  return { agent, task: task!, context };
}

describe('secrets for a running task', () => {
  it('gives the holder of the task the values of its own scope and of keptn-default', async () => {
    const { agent, task } = await leasedTask();
    expect(await read(agent, task.id, 'webhook-token', 'keptn-webhook-service')).toMatchObject({
      status: 200,
      body: { name: 'webhook-token', scope: 'keptn-webhook-service', data: { token: 'value-of-webhook-token' } },
    });
    expect(await read(agent, task.id, 'shared-token')).toMatchObject({ status: 200, body: { data: { token: 'value-of-shared-token' } } });
  });

  it('refuses a scope the integration may not read with 403', async () => {
    const { agent, task } = await leasedTask();
    const reply = await read(agent, task.id, 'dt-token', 'dynatrace-service');
    expect(reply).toMatchObject({ status: 403, body: { code: 403, errorCode: 'ERR_SCOPE_FORBIDDEN' } });
    expect(reply.body.message).toMatch(
      /'webhook-service' may not read secrets of scope 'dynatrace-service'; it may read keptn-default, webhook-service, keptn-webhook-service/,
    );
  });

  it('lets an integration named like the scope read it', async () => {
    const agent = await register('dynatrace-service', 'd');
    const context = await trigger();
    const [task] = await poll(agent);
    expect(task?.shkeptncontext).toBe(context);
    expect((await read(agent, task!.id, 'dt-token', 'dynatrace-service')).status).toBe(200);
    expect((await read(agent, task!.id, 'webhook-token', 'keptn-webhook-service')).status).toBe(403);
  });

  it('refuses another instance of the integration and another integration with 403', async () => {
    const { task } = await leasedTask();
    const other = await register('webhook-service', 'b');
    const reply = await read(other, task.id, 'webhook-token', 'keptn-webhook-service');
    expect(reply).toMatchObject({ status: 403, body: { errorCode: 'ERR_TASK_NOT_LEASED' } });
    expect(reply.body.message).toMatch(/does not hold task/);
    const stranger = await register('helm-service', 'h');
    expect((await read(stranger, task.id, 'shared-token')).body).toMatchObject({ errorCode: 'ERR_TASK_NOT_LEASED' });
  });

  it('refuses after the lease ran out without .started, and gives to the instance that took the task over', async () => {
    const { agent, task } = await leasedTask();
    now += LEASE_MS;
    expect((await read(agent, task.id, 'shared-token')).body).toMatchObject({ code: 403, errorCode: 'ERR_TASK_NOT_LEASED' });
    const successor = await register('webhook-service', 'b');
    expect((await poll(successor)).map((e) => e.id)).toEqual([task.id]);
    expect((await read(successor, task.id, 'shared-token')).status).toBe(200);
    expect((await read(agent, task.id, 'shared-token')).status).toBe(403);
  });

  it('keeps giving to the holder after .started, long after the lease time', async () => {
    const { agent, task } = await leasedTask();
    await send(task, 'started');
    now += 10 * LEASE_MS;
    expect((await read(agent, task.id, 'shared-token')).status).toBe(200);
    // Another instance asking does not take it over.
    const other = await register('webhook-service', 'b');
    expect(await poll(other)).toEqual([]);
    expect((await read(agent, task.id, 'shared-token')).status).toBe(200);
    expect((await read(other, task.id, 'shared-token')).status).toBe(403);
  });

  it('refuses a finished task and an aborted one with 404', async () => {
    const { agent, task } = await leasedTask();
    await send(task, 'started');
    await send(task, 'finished');
    const finished = await read(agent, task.id, 'shared-token');
    expect(finished).toMatchObject({ status: 404, body: { errorCode: 'ERR_TASK_NOT_OPEN' } });
    expect(finished.body.message).toMatch(/not open \(unknown, finished or aborted\)/);

    const next = await leasedTask();
    expect((await api.call('POST', `${CP}/sequence/shop/${next.context}/control`, { state: 'abort' })).status).toBe(200);
    await api.server.processor.idle();
    expect((await read(next.agent, next.task.id, 'shared-token')).body).toMatchObject({ code: 404, errorCode: 'ERR_TASK_NOT_OPEN' });
  });

  it('answers 404 for an unknown instance, task or secret, and 400 for a bad name', async () => {
    const { agent, task } = await leasedTask();
    expect((await read({ ...agent, instanceId: 'nope' }, task.id, 'shared-token')).body).toMatchObject({
      code: 404,
      errorCode: 'ERR_INTEGRATION_NOT_FOUND',
    });
    expect((await read(agent, 'no-such-task', 'shared-token')).body).toMatchObject({ code: 404, errorCode: 'ERR_TASK_NOT_OPEN' });
    expect((await read(agent, task.id, 'missing')).body).toMatchObject({ code: 404, errorCode: 'ERR_SECRET_NOT_FOUND' });
    expect((await read(agent, task.id, 'Bad_Name')).body).toMatchObject({ code: 400, errorCode: 'ERR_INVALID_NAME' });
    expect((await read(agent, task.id, 'shared-token', 'unknown-scope')).body).toMatchObject({ code: 400, errorCode: 'ERR_UNKNOWN_SCOPE' });
  });
});
