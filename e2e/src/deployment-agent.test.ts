/**
 * The deployment-service as a remote execution plane: `shipmate agent --integration
 * deployment-service` deploys the sample service program (deployment/process.yaml at project
 * level) into SHIPMATE_DEPLOY_DIR behind a stable address with SHIPMATE_PUBLIC_HOST in
 * `deploymentURIsPublic`; when the agent stops, what it deployed stops with it.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KeptnApiClient, SAMPLE_SERVICE_MAIN, shipyardYaml, spawnShipmate, startServerProcess, waitFor } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';

let server: ServerProcess;
let client: KeptnApiClient;

beforeAll(async () => {
  server = await startServerProcess({ env: { SHIPMATE_BUILT_IN_INTEGRATIONS: 'none' } });
  client = new KeptnApiClient(server.url, server.token);
  await client.createProject('plane', shipyardYaml({ dev: ['deployment'] }, { name: 'plane' }));
  await client.createService('plane', 'carts');
  await client.putResource(
    { project: 'plane' },
    'deployment/process.yaml',
    `command: [node, ${JSON.stringify(SAMPLE_SERVICE_MAIN)}, --latency, $IMAGE, --rps, "0"]\nhealthCheck: {path: /metrics}\n`,
  );
});

afterAll(async () => {
  expect(await server.stop()).toBe(0);
});

it('deploys with shipmate agent --integration deployment-service and stops the service when the agent stops', async () => {
  const deployDir = join(mkdtempSync(join(tmpdir(), 'shipmate-plane-')), 'deployments');
  const agent = spawnShipmate(['agent', '--integration', 'deployment-service'], {
    KEPTN_API_ENDPOINT: `${server.url}/api`,
    KEPTN_API_TOKEN: server.token,
    SHIPMATE_DEPLOY_DIR: deployDir,
    SHIPMATE_PUBLIC_HOST: 'plane.example',
  });
  let url = '';
  try {
    await waitFor('deployment-service registered', async () => {
      const list = await client.request<Array<{ subscriptions: Array<{ event: string }>; instances: unknown[] }>>(
        'GET',
        '/api/controlPlane/v1/uniform/registration?name=deployment-service',
      );
      const found = list.body[0];
      return found?.instances.length ? found : undefined;
    });
    const context = await client.triggerSequence('plane', 'dev', 'delivery', 'carts', {
      configurationChange: { values: { image: 'slow' } },
    });
    const finished = await waitFor(
      'deployment.finished',
      async () => (await client.contextEvents('plane', context)).find((e) => e.type === 'sh.keptn.event.deployment.finished'),
      30_000,
      200,
    );
    expect(finished.source).toBe('deployment-service');
    expect(finished.data).toMatchObject({ result: 'pass', status: 'succeeded' });
    const deployment = finished.data.deployment as { deploymentURIsLocal: string[]; deploymentURIsPublic: string[] };
    url = deployment.deploymentURIsLocal[0]!;
    expect(deployment.deploymentURIsPublic).toEqual([url.replace('127.0.0.1', 'plane.example')]);
    expect(await (await fetch(`${url}/latency`)).json()).toEqual({ latencyMs: 600 });
    expect(existsSync(join(deployDir, '.shipmate', 'stable-ports.json'))).toBe(true);
  } finally {
    expect(await agent.stop()).toBe(0);
  }
  // The agent's SIGTERM stopped what it ran: its stable address and the version behind it.
  const log = readFileSync(join(deployDir, '.shipmate', 'logs', 'plane.dev.carts.log'), 'utf8');
  const versionPort = /on port (\d+)/.exec(log)?.[1];
  expect(versionPort).toBeDefined();
  for (const address of [url, `http://127.0.0.1:${versionPort}`])
    await waitFor(
      `${address} stopped`,
      async () =>
        fetch(`${address}/latency`).then(
          () => undefined,
          () => true,
        ),
      10_000,
      100,
    );
});
