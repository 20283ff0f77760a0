/**
 * The examples of `examples/` run as the README says: the SDK integration
 * (node-integration/hello-integration.mjs) and a plain Node recipient behind `shipmate agent`
 * (recipient/recipient.mjs), both started as separate processes against a real control plane with
 * the example shipyard. So the recipient contract the README states is the one that works.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KeptnApiClient, freePort, startAgentProcess, startServerProcess, waitFor } from '@shipmate/testing';
import type { AgentProcess, ServerProcess } from '@shipmate/testing';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

let server: ServerProcess;
let api: KeptnApiClient;
const children: ChildProcess[] = [];
let agent: AgentProcess | undefined;

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
    topics: ['sh.keptn.event.deployment.triggered'],
    recipientPort,
  });
  await example(
    'recipient/recipient.mjs',
    { RECIPIENT_PORT: String(recipientPort), AGENT_EVENT_URL: `${agent.surfaceUrl}/event` },
    /recipient listening/,
  );
  const context = await api.triggerSequence('hello', 'dev', 'delivery', 'carts');
  const events = await waitFor('the delivery finished', async () => {
    const all = await api.contextEvents('hello', context);
    return all.some((e) => e.type === 'sh.keptn.event.dev.delivery.finished') ? all : undefined;
  });
  expect(events.find((e) => e.type === 'sh.keptn.event.hello.finished')?.data).toMatchObject({
    result: 'pass',
    hello: { greeting: 'hello carts in hello/dev' },
  });
  expect(events.find((e) => e.type === 'sh.keptn.event.deployment.finished')).toMatchObject({
    source: 'my-recipient',
    data: { result: 'pass', message: 'done by my-recipient' },
  });
  expect(events.find((e) => e.type === 'sh.keptn.event.dev.delivery.finished')?.data).toMatchObject({
    result: 'pass',
    status: 'succeeded',
  });
});
