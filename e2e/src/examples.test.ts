/**
 * The examples of `examples/` run as the README says: the SDK integration
 * (node-integration/hello-integration.mjs) and a plain Node recipient behind `shipmate agent`
 * (recipient/recipient.mjs), both started as separate processes against a real control plane with
 * the example shipyard, and the job example (job/config.yaml, job/greet.sh) run by the
 * job-executor-service in a `shipmate agent --integration` process. So the recipient contract the
 * README states is the one that works.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KeptnApiClient, freePort, spawnShipmate, startAgentProcess, startServerProcess, waitFor } from '@shipmate/testing';
import type { AgentProcess, ServerProcess, ShipmateProcess } from '@shipmate/testing';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

let server: ServerProcess;
let api: KeptnApiClient;
const children: ChildProcess[] = [];
let agent: AgentProcess | undefined;
let jobAgent: ShipmateProcess | undefined;

/** Starts `node <file>` and resolves once it printed `ready`. */
async function example(file: string, env: Record<string, string>, ready: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, [`${EXAMPLES}${file}`], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(`${file} to start`, async () => (ready.test(output) ? true : undefined), 20_000);
  return child;
}

beforeAll(async () => {
  server = await startServerProcess({ env: { SHIPMATE_BUILT_IN_INTEGRATIONS: 'none' } });
  api = new KeptnApiClient(server.url, server.token);
  await api.createProject('hello', readFileSync(`${EXAMPLES}shipyards/hello.yaml`, 'utf8'));
  await api.createService('hello', 'carts');
});

afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await agent?.stop();
  await jobAgent?.stop();
  expect(await server.stop()).toBe(0);
});

it('runs the hello shipyard with the SDK example and the recipient example behind shipmate agent', async () => {
  await example(
    'node-integration/hello-integration.mjs',
    { KEPTN_API_ENDPOINT: `${server.url}/api`, KEPTN_API_TOKEN: server.token },
    /waiting for hello tasks/,
  );
  const recipientPort = await freePort();
  agent = await startAgentProcess({
    endpoint: `${server.url}/api`,
    token: server.token,
    name: 'my-recipient',
    topics: ['sh.keptn.event.notify.triggered'],
    recipientPort,
  });
  await example(
    'recipient/recipient.mjs',
    { RECIPIENT_PORT: String(recipientPort), AGENT_EVENT_URL: `${agent.surfaceUrl}/event` },
    /recipient listening/,
  );
  // The job example: its files as service resources, the job-executor-service subscribed to greet.
  const level = { project: 'hello', stage: 'dev', service: 'carts' };
  await api.putResource(level, 'job/config.yaml', readFileSync(`${EXAMPLES}job/config.yaml`, 'utf8'));
  await api.putResource(level, 'job/greet.sh', readFileSync(`${EXAMPLES}job/greet.sh`, 'utf8'));
  jobAgent = spawnShipmate(['agent', '--integration', 'job-executor-service'], {
    KEPTN_API_ENDPOINT: `${server.url}/api`,
    KEPTN_API_TOKEN: server.token,
    SHIPMATE_JOB_DIR: `${server.dataDir}-jobs`,
  });
  const job = await waitFor('the job-executor-service registered', async () => {
    const list = await api.request<Array<{ id: string; name: string }>>(
      'GET',
      '/api/controlPlane/v1/uniform/registration?name=job-executor-service',
    );
    return list.body[0];
  });
  const subscribed = await api.request('POST', `/api/controlPlane/v1/uniform/registration/${job.id}/subscription`, {
    event: 'sh.keptn.event.greet.triggered',
    filter: { projects: ['hello'] },
  });
  expect(subscribed.status).toBe(201);
  const context = await api.triggerSequence('hello', 'dev', 'delivery', 'carts');
  const events = await waitFor('the delivery finished', async () => {
    const all = await api.contextEvents('hello', context);
    return all.some((e) => e.type === 'sh.keptn.event.dev.delivery.finished') ? all : undefined;
  });
  expect(events.find((e) => e.type === 'sh.keptn.event.hello.finished')?.data).toMatchObject({
    result: 'pass',
    hello: { greeting: 'hello carts in hello/dev' },
  });
  expect(events.find((e) => e.type === 'sh.keptn.event.notify.finished')).toMatchObject({
    source: 'my-recipient',
    data: { result: 'pass', message: 'done by my-recipient' },
  });
  const greet = events.find((e) => e.type === 'sh.keptn.event.greet.finished');
  expect(greet).toMatchObject({ source: 'job-executor-service', data: { result: 'pass' } });
  expect(String(greet?.data.message)).toContain('hello from a job: carts in hello/dev');
  expect(String(greet?.data.message)).toContain('notify posted to #deployments');
  expect(events.find((e) => e.type === 'sh.keptn.event.dev.delivery.finished')?.data).toMatchObject({
    result: 'pass',
    status: 'succeeded',
  });
});
