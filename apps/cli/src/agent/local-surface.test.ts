/** The agent's local surface against a real `shipmate server` process (built by `npm test` first). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createControlPlaneClient, createEventSender, silentLogger } from '@shipmate/agent-sdk';
import { KeptnApiClient, freePort, shipyardYaml, startServerProcess } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';
import { ConfigError } from '../config/config-error.js';
import { proxiedPath, startLocalSurface } from './local-surface.js';
import type { LocalSurface } from './local-surface.js';

const SHIPYARD = shipyardYaml({ dev: ['deployment'] }, { name: 'surface' });

let server: ServerProcess;
let surface: LocalSurface;
const finished: string[] = [];

beforeAll(async () => {
  server = await startServerProcess();
  const api = new KeptnApiClient(server.url, server.token);
  await api.createProject('surface', SHIPYARD);
  await api.createService('surface', 'carts');
  const client = createControlPlaneClient({ endpoint: `${server.url}/api`, token: server.token });
  surface = await startLocalSurface({
    port: await freePort(),
    maxPayloadBytes: 2048,
    client,
    send: createEventSender({ client, logger: silentLogger, giveUpAfterMs: 0 }),
    logger: silentLogger,
    integrationId: () => 'integration-1',
    health: () => ({ registered: true }),
    onFinished: (id) => finished.push(id),
  });
});

afterAll(async () => {
  await surface.close();
  await server.stop();
});

async function call(method: string, path: string, body?: string): Promise<{ status: number; body: Record<string, unknown> | undefined }> {
  const response = await fetch(`${surface.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/cloudevents+json' } }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

describe('local surface', () => {
  it('refuses a port in use with a configuration error naming API_PROXY_PORT (exit 2, no stack)', async () => {
    const client = createControlPlaneClient({ endpoint: `${server.url}/api`, token: server.token });
    const taken = Number(new URL(surface.url).port);
    const second = startLocalSurface({
      port: taken,
      maxPayloadBytes: 2048,
      client,
      send: createEventSender({ client, logger: silentLogger, giveUpAfterMs: 0 }),
      logger: silentLogger,
      integrationId: () => undefined,
      health: () => ({ registered: false }),
      onFinished: () => undefined,
    });
    await expect(second).rejects.toBeInstanceOf(ConfigError);
    await expect(second).rejects.toThrow(`API_PROXY_PORT ${taken} on 127.0.0.1 is in use: set API_PROXY_PORT to a free port`);
  });

  it('answers /health with the agent state', async () => {
    expect(await call('GET', '/health')).toEqual({ status: 200, body: { status: 'OK', registered: true } });
  });

  it('passes events to the control plane and reports .finished of a task', async () => {
    const triggered = await call(
      'POST',
      '/event',
      JSON.stringify({
        specversion: '1.0',
        type: 'sh.keptn.event.dev.delivery.triggered',
        source: 'it',
        data: { project: 'surface', stage: 'dev', service: 'carts' },
      }),
    );
    expect(triggered.status).toBe(200);
    const finishedEvent = {
      specversion: '1.0',
      type: 'sh.keptn.event.deployment.finished',
      source: 'it',
      triggeredid: 'task-1',
      datacontenttype: 'application/json',
      data: { project: 'surface', stage: 'dev', service: 'carts', status: 'errored', result: 'fail', message: 'helm failed' },
    };
    expect((await call('POST', '/event', JSON.stringify(finishedEvent))).status).toBe(200);
    expect(finished).toContain('task-1');
    // The errored .finished also became an error-log entry of the integration.
    const logs = await fetch(`${server.url}/api/controlPlane/v1/log?integrationId=integration-1`, { headers: { 'x-token': server.token } });
    const body = (await logs.json()) as { logs: Array<{ message: string; task?: string; triggeredid?: string }> };
    expect(body.logs).toContainEqual(expect.objectContaining({ message: 'helm failed', task: 'deployment', triggeredid: 'task-1' }));
  });

  it('counts a .finished the control plane refuses for good (4xx) as the end of the task, and passes the refusal on', async () => {
    const ended: string[] = [];
    const client = createControlPlaneClient({ endpoint: `${server.url}/api`, token: 'not-the-token' });
    const refusing = await startLocalSurface({
      port: await freePort(),
      maxPayloadBytes: 2048,
      client,
      send: createEventSender({ client, logger: silentLogger, giveUpAfterMs: 0 }),
      logger: silentLogger,
      integrationId: () => undefined,
      health: () => ({ registered: true }),
      onFinished: (id) => ended.push(id),
    });
    try {
      const post = (type: string) =>
        fetch(`${refusing.url}/event`, {
          method: 'POST',
          headers: { 'content-type': 'application/cloudevents+json' },
          body: JSON.stringify({ specversion: '1.0', type, source: 'it', triggeredid: 'task-9', data: { project: 'surface' } }),
        });
      expect((await post('sh.keptn.event.deployment.started')).status).toBe(401);
      expect(ended).toEqual([]);
      expect((await post('sh.keptn.event.deployment.finished')).status).toBe(401);
      expect(ended).toEqual(['task-9']);
    } finally {
      await refusing.close();
    }
  });

  it('turns sh.keptn.log.error into a log entry and does not send it on as an event', async () => {
    const event = { specversion: '1.0', type: 'sh.keptn.log.error', source: 'it', data: { message: 'config missing', task: 'test' } };
    expect((await call('POST', '/event', JSON.stringify(event))).status).toBe(200);
    const logs = await fetch(`${server.url}/api/controlPlane/v1/log?integrationId=integration-1`, { headers: { 'x-token': server.token } });
    expect(((await logs.json()) as { logs: Array<{ message: string }> }).logs).toContainEqual(
      expect.objectContaining({ message: 'config missing', task: 'test' }),
    );
    const stored = await fetch(`${server.url}/api/mongodb-datastore/event?type=sh.keptn.log.error`, {
      headers: { 'x-token': server.token },
    });
    expect(((await stored.json()) as { events: unknown[] }).events).toEqual([]);
  });

  it('proxies /controlPlane, /mongodb-datastore and /resource-service paths with the token', async () => {
    const registrations = await call('GET', '/controlPlane/v1/uniform/registration');
    expect(registrations.status).toBe(200);
    const events = await call('GET', '/mongodb-datastore/event?project=surface&pageSize=1');
    expect(events.status).toBe(200);
    expect(events.body).toHaveProperty('events');
    const project = await call('GET', '/controlPlane/v1/project/surface');
    expect(project.body).toMatchObject({ projectName: 'surface' });
  });

  it.each([
    ['POST', '/event', 'not json', 400, /not JSON.*structured-mode CloudEvent/],
    ['POST', '/event', '[1]', 400, /must be a JSON object/],
    ['POST', '/event', JSON.stringify({ type: 'sh.keptn.event.test.finished', data: {} }), 400, /'specversion' is missing.*binary mode/],
    ['POST', '/event', JSON.stringify({ specversion: '1.0', data: {} }), 400, /'type' is missing/],
    [
      'POST',
      '/event',
      JSON.stringify({ specversion: '1.0', type: 'sh.keptn.event.test.finished', data: { pad: 'x'.repeat(4096) } }),
      413,
      /API_PROXY_MAX_PAYLOAD_BYTES_KB/,
    ],
    // The control plane's refusal is passed back with its message.
    [
      'POST',
      '/event',
      JSON.stringify({
        specversion: '1.0',
        type: 'sh.keptn.event.test.finished',
        source: 'it',
        data: { project: 'surface', stage: 'dev', service: 'carts', status: 'succeeded', result: 'pass' },
      }),
      400,
      /triggeredid/,
    ],
    ['GET', '/event', undefined, 405, /POST structured CloudEvents/],
    ['GET', '/v1/metadata', undefined, 404, /no route.*\/controlPlane\//],
  ])('%s %s %s answers %i naming the problem', async (method, path, body, status, message) => {
    const reply = await call(method, path, body);
    expect(reply.status).toBe(status);
    expect(String(reply.body?.message)).toMatch(message);
  });
});

describe('proxiedPath', () => {
  it('escapes a nested resource URI as one segment, once', () => {
    expect(proxiedPath('/resource-service/v1/project/p/stage/s/service/c/resource/helm/carts.tgz')).toBe(
      '/resource-service/v1/project/p/stage/s/service/c/resource/helm%2Fcarts.tgz',
    );
    expect(proxiedPath('/resource-service/v1/project/p/resource/helm%2Fcarts.tgz')).toBe(
      '/resource-service/v1/project/p/resource/helm%2Fcarts.tgz',
    );
    expect(proxiedPath('/controlPlane/v1/resource/x/y')).toBe('/controlPlane/v1/resource/x/y');
  });
});
