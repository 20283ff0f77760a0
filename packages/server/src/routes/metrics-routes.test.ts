/**
 * `GET /metrics`: the counters and histograms move when a sequence runs, the gauges read the queue,
 * the registry and parked polls, and the endpoint needs the token unless `metricsPublic`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { LOCAL_TEST_UPSTREAMS, manualClock, parseMetricsText, waitFor } from '@shipmate/testing';
import type { MetricsText } from '@shipmate/testing';
import { TEST_TOKEN, base64, startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { startMirroredServer } from '../test-support/mirrored-server.js';
import { answerTask, triggerSequence } from '../test-support/sequence-events.js';

const CP = '/api/controlPlane/v1';
const SHIPYARD = `apiVersion: spec.keptn.sh/0.2.0
kind: Shipyard
metadata:
  name: shipyard-shop
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks:
            - name: deployment
`;

let api: InProcessServer | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start(options: Parameters<typeof startInProcessServer>[0] = {}): Promise<InProcessServer> {
  api = await startInProcessServer(options);
  expect((await api.call('POST', `${CP}/project`, { name: 'shop', shipyard: base64(SHIPYARD) })).status).toBe(201);
  expect((await api.call('POST', `${CP}/project/shop/service`, { serviceName: 'carts' })).status).toBe(200);
  return api;
}

async function scrape(server: InProcessServer, headers: Record<string, string> = { 'x-token': TEST_TOKEN }): Promise<MetricsText> {
  const reply = await server.server.app.inject({ method: 'GET', url: '/metrics', headers });
  expect(reply.statusCode).toBe(200);
  expect(reply.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetricsText(reply.body);
}

async function openTask(server: InProcessServer): Promise<KeptnEvent> {
  const reply = await server.call<{ events: KeptnEvent[] }>(
    'GET',
    `${CP}/event/triggered/sh.keptn.event.deployment.triggered?project=shop`,
  );
  const task = reply.body.events[0];
  if (!task) throw new Error('no open deployment task');
  return task;
}

describe('GET /metrics', () => {
  it('counts the events, the sequence and the task latencies of a sequence that runs', async () => {
    const clock = manualClock();
    const server = await start({ clock });
    const before = await scrape(server);
    expect(before.value('shipmate_sequences_triggered_total')).toBeUndefined();

    await triggerSequence(server, { project: 'shop', stage: 'dev', service: 'carts' });
    const task = await openTask(server);
    clock.advance(2000);
    await answerTask(server, task, 'started');
    clock.advance(3000);
    await answerTask(server, task, 'finished');

    const after = await scrape(server);
    expect(after.value('shipmate_events_received_total', { category: 'sequence', kind: 'triggered' })).toBe(1);
    expect(after.value('shipmate_events_received_total', { category: 'task', kind: 'started' })).toBe(1);
    expect(after.value('shipmate_events_received_total', { category: 'task', kind: 'finished' })).toBe(1);
    expect(after.value('shipmate_sequences_triggered_total', { project: 'shop', stage: 'dev' })).toBe(1);
    expect(after.value('shipmate_sequences_finished_total', { project: 'shop', stage: 'dev', result: 'pass' })).toBe(1);
    expect(after.value('shipmate_tasks_triggered_total', { task: 'deployment' })).toBe(1);
    // triggered -> started took 2 s on the server's clock, triggered -> finished 5 s.
    expect(after.value('shipmate_task_started_seconds_count', { task: 'deployment' })).toBe(1);
    expect(after.value('shipmate_task_started_seconds_sum', { task: 'deployment' })).toBe(2);
    expect(after.value('shipmate_task_started_seconds_bucket', { task: 'deployment', le: '1' })).toBe(0);
    expect(after.value('shipmate_task_started_seconds_bucket', { task: 'deployment', le: '2.5' })).toBe(1);
    expect(after.value('shipmate_task_finished_seconds_count', { task: 'deployment' })).toBe(1);
    expect(after.value('shipmate_task_finished_seconds_sum', { task: 'deployment' })).toBe(5);
    expect(after.types.get('shipmate_task_finished_seconds')).toBe('histogram');
  });

  it('gives every shipmate metric a HELP text and has the default process metrics', async () => {
    const server = await start();
    await triggerSequence(server, { project: 'shop', stage: 'dev', service: 'carts' });
    const metrics = await scrape(server);
    const families = [...metrics.types.keys()].filter((name) => name.startsWith('shipmate_'));
    expect(families).toEqual(
      expect.arrayContaining([
        'shipmate_events_received_total',
        'shipmate_sequences_triggered_total',
        'shipmate_sequences_finished_total',
        'shipmate_tasks_triggered_total',
        'shipmate_task_started_seconds',
        'shipmate_task_finished_seconds',
        'shipmate_sequence_executions_queued',
        'shipmate_integrations_online',
        'shipmate_integration_instances_online',
        'shipmate_parked_long_polls',
      ]),
    );
    for (const family of families) expect(metrics.help.get(family), family).toMatch(/\w/);
    expect(metrics.value('process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
    expect(metrics.value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('reads the queue depth, the online integrations and the parked long polls when scraped', async () => {
    const server = await start();
    // A second sequence in the same stage and service stays triggered, queued behind the running one.
    await triggerSequence(server, { project: 'shop', stage: 'dev', service: 'carts' });
    await triggerSequence(server, { project: 'shop', stage: 'dev', service: 'carts' });
    const registered = await server.call('POST', `${CP}/uniform/registration`, {
      name: 'deployer',
      metadata: {
        hostname: 'box',
        integrationversion: '1.0.0',
        distributorversion: '1.0.0',
        location: 'edge-1',
        kubernetesmetadata: { namespace: 'edge', podname: 'deployer-1', deploymentname: 'deployer' },
      },
      subscriptions: [{ event: 'sh.keptn.event.test.triggered', filter: { projects: [], stages: [], services: [] } }],
    });
    expect(registered.status).toBeLessThan(300);

    const metrics = await scrape(server);
    expect(metrics.value('shipmate_sequence_executions_queued', { project: 'shop', state: 'triggered' })).toBe(1);
    expect(metrics.value('shipmate_sequence_executions_queued', { project: 'shop', state: 'waiting' })).toBe(0);
    expect(metrics.value('shipmate_integrations_online', { location: 'edge-1' })).toBe(1);
    expect(metrics.value('shipmate_parked_long_polls')).toBe(0);
  });

  it('counts the projects of each upstream sync state when the server mirrors upstreams', async () => {
    const mirrored = await startMirroredServer({ hosts: LOCAL_TEST_UPSTREAMS });
    try {
      api = mirrored.api;
      const created = await api.call('POST', `${CP}/project`, {
        name: 'mirrored',
        shipyard: base64(SHIPYARD),
        gitCredentials: { remoteURL: mirrored.upstream.url },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      // A project without upstream is not counted.
      expect((await api.call('POST', `${CP}/project`, { name: 'local', shipyard: base64(SHIPYARD) })).status).toBe(201);
      const metrics = await waitFor('the upstream synced', async () => {
        const scraped = await scrape(mirrored.api);
        return scraped.value('shipmate_upstream_projects', { state: 'synced' }) === 1 ? scraped : undefined;
      });
      expect(metrics.value('shipmate_upstream_projects')).toBe(1);
      expect(metrics.value('shipmate_upstream_projects', { state: 'failing' })).toBe(0);
    } finally {
      await api?.close();
      api = undefined;
      mirrored.upstream.cleanup();
    }
  });

  it('has no upstream metric without an upstream mirror', async () => {
    const server = await start();
    expect((await scrape(server)).types.has('shipmate_upstream_projects')).toBe(false);
  });

  it('needs the API token: 401 without it, 200 with it', async () => {
    const server = await start();
    const anonymous = await server.server.app.inject({ method: 'GET', url: '/metrics' });
    expect(anonymous.statusCode).toBe(401);
    expect(JSON.parse(anonymous.body)).toMatchObject({ errorCode: 'ERR_UNAUTHORIZED' });
    const wrong = await server.server.app.inject({ method: 'GET', url: '/metrics', headers: { 'x-token': 'wrong' } });
    expect(wrong.statusCode).toBe(401);
    await scrape(server, { authorization: `Bearer ${TEST_TOKEN}` });
  });

  it('answers without a token when metricsPublic is set, and the API still needs one', async () => {
    const server = await start({ metricsPublic: true });
    const metrics = await scrape(server, {});
    expect(metrics.types.get('shipmate_events_received_total')).toBe('counter');
    expect((await server.server.app.inject({ method: 'GET', url: `${CP}/project` })).statusCode).toBe(401);
  });
});
