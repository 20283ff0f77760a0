/**
 * `/metrics` of `shipmate agent` (and of the control plane it talks to) with real processes on
 * loopback: a control plane with SHIPMATE_METRICS_PUBLIC, an agent, and a recipient that answers
 * through the agent's `/event`. Built by `npx tsc -b` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KeptnApiClient,
  freePort,
  parseMetricsText,
  shipyardYaml,
  spawnShipmate,
  startAgentProcess,
  startRecipient,
  startServerProcess,
  waitFor,
} from '@shipmate/testing';
import type { MetricsText, Recipient, ServerProcess } from '@shipmate/testing';

const SHIPYARD = shipyardYaml({ dev: ['deployment'] }, { name: 'metrics' });
const TOPICS = ['sh.keptn.event.deployment.triggered'];

let server: ServerProcess;
let client: KeptnApiClient;
const running: Array<{ stop(): Promise<unknown> }> = [];

async function scrape(url: string): Promise<MetricsText> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetricsText(await response.text());
}

async function sequenceFinished(context: string): Promise<void> {
  await waitFor(`sequence ${context} finished`, async () =>
    (await client.sequenceState('shop', context))?.state === 'finished' ? true : undefined,
  );
}

beforeAll(async () => {
  // No built-in integrations: their long polls would count with the agent's.
  server = await startServerProcess({ env: { SHIPMATE_METRICS_PUBLIC: 'true', SHIPMATE_BUILT_IN_INTEGRATIONS: 'none' } });
  client = new KeptnApiClient(server.url, server.token);
  await client.createProject('shop', SHIPYARD);
  await client.createService('shop', 'carts');
  await client.createService('shop', 'orders');
});

afterAll(async () => {
  for (const process of running.splice(0).reverse()) await process.stop();
  expect(await server.stop()).toBe(0);
});

describe('shipmate agent /metrics', () => {
  it('counts a task received, forwarded and answered, and the events sent; the control plane counts it too', async () => {
    const recipient: Recipient = await startRecipient();
    running.push({ stop: () => recipient.close() });
    const metricsPort = await freePort();
    const agent = await startAgentProcess({
      endpoint: `${server.url}/api`,
      token: server.token,
      name: 'deployer',
      topics: TOPICS,
      recipientPort: recipient.port,
      env: { LOCATION: 'edge-1', SHIPMATE_METRICS_PORT: String(metricsPort) },
    });
    running.push(agent);
    recipient.setAgentUrl(agent.surfaceUrl);

    const idle = await scrape(agent.surfaceUrl);
    expect(idle.value('shipmate_agent_tasks_received_total')).toBeUndefined();
    expect(idle.value('shipmate_agent_connected')).toBe(1);

    const context = await client.triggerSequence('shop', 'dev', 'delivery', 'carts');
    await sequenceFinished(context);
    const metrics = await waitFor('the .finished through the agent', async () => {
      const scraped = await scrape(agent.surfaceUrl);
      return scraped.value('shipmate_agent_open_tasks') === 0 && scraped.value('shipmate_agent_events_sent_total') === 2
        ? scraped
        : undefined;
    });
    expect(metrics.value('shipmate_agent_tasks_received_total', { task: 'deployment' })).toBe(1);
    expect(metrics.value('shipmate_agent_tasks_forwarded_total', { task: 'deployment', result: 'accepted' })).toBe(1);
    expect(metrics.value('shipmate_agent_forward_retries_total')).toBe(0);
    expect(metrics.value('shipmate_agent_events_failed_total')).toBe(0);
    expect(metrics.value('shipmate_agent_poll_errors_total')).toBe(0);
    expect(metrics.value('shipmate_agent_connected')).toBe(1);
    expect(metrics.value('process_resident_memory_bytes')).toBeGreaterThan(0);
    // The same registry on the scrape port (SHIPMATE_METRICS_PORT), which serves nothing else.
    const scrapePort = await scrape(`http://127.0.0.1:${metricsPort}`);
    expect(scrapePort.value('shipmate_agent_tasks_forwarded_total', { task: 'deployment', result: 'accepted' })).toBe(1);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/controlPlane/v1/project`)).status).toBe(404);

    // The control plane's /metrics, public here (SHIPMATE_METRICS_PUBLIC): no token sent.
    const plane = await scrape(server.url);
    expect(plane.value('shipmate_task_started_seconds_count', { task: 'deployment' })).toBe(1);
    expect(plane.value('shipmate_task_finished_seconds_count', { task: 'deployment' })).toBe(1);
    expect(plane.value('shipmate_sequences_finished_total', { project: 'shop', stage: 'dev', result: 'pass' })).toBe(1);
    expect(plane.value('shipmate_integration_instances_online', { location: 'edge-1' })).toBe(1);
    // The agent parks its next long poll on the server.
    await waitFor('the poll parked', async () => ((await scrape(server.url)).value('shipmate_parked_long_polls') === 1 ? true : undefined));
  });

  it('counts the forward retries and a task given up while the recipient is down', async () => {
    // Nothing listens on this port: every attempt fails until SHIPMATE_FORWARD_RETRY runs out.
    const agent = await startAgentProcess({
      endpoint: `${server.url}/api`,
      token: server.token,
      name: 'deployer-down',
      topics: TOPICS,
      recipientPort: await freePort(),
      env: { SHIPMATE_FORWARD_RETRY: '1s', SERVICE_FILTER: 'orders', K8S_POD_NAME: 'deployer-down-1' },
    });
    running.push(agent);
    await client.triggerSequence('shop', 'dev', 'delivery', 'orders');
    const metrics = await waitFor('the task given up', async () => {
      const scraped = await scrape(agent.surfaceUrl);
      return scraped.value('shipmate_agent_tasks_forwarded_total', { result: 'given_up' }) === 1 ? scraped : undefined;
    });
    expect(metrics.value('shipmate_agent_tasks_received_total', { task: 'deployment' })).toBe(1);
    expect(metrics.value('shipmate_agent_forward_retries_total')).toBeGreaterThanOrEqual(1);
    expect(metrics.value('shipmate_agent_tasks_forwarded_total', { result: 'accepted' })).toBeUndefined();
  });

  it('serves the metrics of agent --integration on SHIPMATE_METRICS_PORT: tasks received and ended, their duration, connection', async () => {
    await client.createProject('tested', shipyardYaml({ dev: ['test'] }, { name: 'tested' }));
    await client.createService('tested', 'carts');
    const port = await freePort();
    const agent = spawnShipmate(['agent', '--integration', 'http-test-service'], {
      KEPTN_API_ENDPOINT: `${server.url}/api`,
      KEPTN_API_TOKEN: server.token,
      SHIPMATE_METRICS_PORT: String(port),
    });
    running.push(agent);
    const url = `http://127.0.0.1:${port}`;
    const idle = await waitFor('the metrics port up and connected', async () => {
      const scraped = await scrape(url).catch(() => undefined);
      return scraped?.value('shipmate_agent_connected') === 1 ? scraped : undefined;
    });
    expect(idle.value('shipmate_agent_tasks_received_total')).toBeUndefined();
    expect(idle.value('shipmate_agent_running_tasks')).toBe(0);

    const context = await client.triggerSequence('tested', 'dev', 'delivery', 'carts');
    await waitFor(`sequence ${context} finished`, async () =>
      (await client.sequenceState('tested', context))?.state === 'finished' ? true : undefined,
    );
    const metrics = await waitFor('the task ended', async () => {
      const scraped = await scrape(url);
      return scraped.value('shipmate_agent_task_seconds_count', { task: 'test' }) === 1 ? scraped : undefined;
    });
    expect(metrics.value('shipmate_agent_tasks_received_total', { task: 'test' })).toBe(1);
    const ended = ['finished', 'errored'].map((result) => metrics.value('shipmate_agent_tasks_ended_total', { task: 'test', result }) ?? 0);
    expect(ended[0]! + ended[1]!).toBe(1);
    expect(metrics.value('shipmate_agent_poll_errors_total')).toBe(0);
    expect(metrics.value('process_resident_memory_bytes')).toBeGreaterThan(0);

    const health = await fetch(`${url}/health`);
    expect(await health.json()).toMatchObject({ status: 'OK', integration: 'http-test-service', connected: true });
    const event = await fetch(`${url}/event`, { method: 'POST', body: '{}' });
    expect(event.status).toBe(405);
    expect(((await event.json()) as { message: string }).message).toMatch(/GET \/metrics or GET \/health/);
    expect((await fetch(`${url}/controlPlane/v1/project`)).status).toBe(404);
  });

  it('exits 2 naming SHIPMATE_METRICS_PORT when that port is taken', async () => {
    // The control plane's own port: binding all interfaces there fails with EADDRINUSE.
    const agent = spawnShipmate(['agent', '--integration', 'http-test-service'], {
      KEPTN_API_ENDPOINT: `${server.url}/api`,
      KEPTN_API_TOKEN: server.token,
      SHIPMATE_METRICS_PORT: new URL(server.url).port,
    });
    const code = await waitFor('the agent to exit', async () => agent.child.exitCode ?? undefined);
    expect(code).toBe(2);
    expect(agent.output()).toMatch(/SHIPMATE_METRICS_PORT \d+ on 0\.0\.0\.0 is in use: set SHIPMATE_METRICS_PORT to a free port/);
  });
});
