/**
 * A built-in run as a remote execution plane: `shipmate agent --integration webhook-service` in a
 * process of its own, registered at `remote-execution-plane`, running a webhook against the
 * control plane's tasks; and an unknown built-in name refused with the list of names.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeptnApiClient, shipyardYaml, spawnShipmate, startServerProcess, waitFor } from '@shipmate/testing';
import type { ServerProcess, ShipmateProcess } from '@shipmate/testing';

const REGISTRATION = '/api/controlPlane/v1/uniform/registration';

let server: ServerProcess;
let client: KeptnApiClient;
let receiver: Server;
let receiverUrl: string;
const paths: string[] = [];

beforeAll(async () => {
  receiver = createServer((request, response) => {
    paths.push(request.url ?? '');
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ pid: 'receiver', path: request.url }));
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  // The server runs no webhook-service of its own: the agent's is the only one.
  server = await startServerProcess({ env: { SHIPMATE_BUILT_IN_INTEGRATIONS: 'approval-service' } });
  client = new KeptnApiClient(server.url, server.token);
  await client.createProject('remote-hooks', shipyardYaml({ dev: ['notify'] }, { name: 'remote-hooks' }));
  await client.createService('remote-hooks', 'carts');
});

afterAll(async () => {
  expect(await server.stop()).toBe(0);
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

function agent(args: string[], env: Record<string, string>): ShipmateProcess {
  return spawnShipmate(['agent', ...args], { KEPTN_API_ENDPOINT: `${server.url}/api`, KEPTN_API_TOKEN: server.token, ...env });
}

describe('shipmate agent --integration', () => {
  it('runs webhook-service in a separate process at remote-execution-plane', async () => {
    const process = agent(['--integration', 'webhook-service'], {
      SHIPMATE_WEBHOOK_ALLOW: '127.0.0.1/32',
    });
    try {
      const registration = await waitFor('webhook-service registered', async () => {
        const list = await client.request<Array<{ id: string; instances: Array<{ location: string }> }>>(
          'GET',
          `${REGISTRATION}?name=webhook-service`,
        );
        return list.body[0]?.instances.length ? list.body[0] : undefined;
      });
      expect(registration.instances.map((i) => i.location)).toEqual(['remote-execution-plane']);
      const added = await client.request<{ id: string }>('POST', `${REGISTRATION}/${registration.id}/subscription`, {
        event: 'sh.keptn.event.notify.triggered',
        filter: { projects: ['remote-hooks'] },
      });
      expect(added.status).toBe(201);
      const yaml = [
        'apiVersion: webhookconfig.keptn.sh/v1beta1',
        'kind: WebhookConfig',
        'spec:',
        '  webhooks:',
        '    - type: sh.keptn.event.notify.triggered',
        `      subscriptionID: ${added.body.id}`,
        '      sendFinished: true',
        '      requests:',
        `        - {url: "${receiverUrl}/remote/{{.data.service}}", method: POST, payload: "{{.shkeptncontext}}"}`,
      ].join('\n');
      await client.putResource({ project: 'remote-hooks' }, 'webhook/webhook.yaml', yaml);
      const context = await client.triggerSequence('remote-hooks', 'dev', 'delivery', 'carts');
      const finished = await waitFor('notify.finished', async () =>
        (await client.contextEvents('remote-hooks', context)).find((e) => e.type === 'sh.keptn.event.notify.finished'),
      );
      expect(finished.source).toBe('webhook-service');
      expect(finished.data).toMatchObject({ status: 'succeeded', notify: { responses: [{ pid: 'receiver', path: '/remote/carts' }] } });
      expect(paths).toContain('/remote/carts');
      // The request was made by the agent process, not the server.
      expect(process.output()).toContain(`requests[0] POST ${receiverUrl}/remote/carts answered 200`);
      expect(server.output()).not.toContain('/remote/carts');
    } finally {
      expect(await process.stop()).toBe(0);
    }
  });

  it('refuses an unknown built-in name with the list of names (exit 2)', async () => {
    for (const [args, env, source] of [
      [['--integration', 'nope-service'], {}, '--integration'],
      [[], { SHIPMATE_INTEGRATION: 'nope-service' }, 'SHIPMATE_INTEGRATION'],
    ] as const) {
      const process = agent([...args], { ...env });
      const code = await new Promise<number | null>((resolve) => process.child.once('exit', resolve));
      expect(code).toBe(2);
      expect(process.output()).toMatch(
        new RegExp(`${source} 'nope-service' is not a built-in integration: give one of .*approval-service.*webhook-service`),
      );
    }
  });
});
