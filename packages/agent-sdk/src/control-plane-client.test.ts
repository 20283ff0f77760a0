/**
 * The agent's client on @shipmate/api-client against real node:http(s) servers on loopback: the
 * TLS settings (a private CA through `caPem`, HTTP_SSL_VERIFY=false), the errors the session
 * relies on (`ControlPlaneError` with the status, 0 without an answer), the long poll's abort,
 * and `raw` in node:http's form.
 */
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueServerCertificate, opensslUnavailable } from '@shipmate/testing';
import type { CertificateAuthority, SelfSignedCertificate } from '@shipmate/testing';
import { ControlPlaneError, createControlPlaneClient } from './control-plane-client.js';
import type { ControlPlaneClient } from './control-plane-client.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const servers: Server[] = [];
const clients: ControlPlaneClient[] = [];

async function listen(server: Server, scheme: 'http' | 'https'): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
}

function client(endpoint: string, extra: { sslVerify?: boolean; caPem?: string; timeoutMs?: number } = {}): ControlPlaneClient {
  const created = createControlPlaneClient({ endpoint, token: 'plane-token', ...extra });
  clients.push(created);
  return created;
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
  response.end(JSON.stringify(body));
}

const REGISTRATION = { id: 'int-1', instanceId: 'inst-1' };

/** Answers a registration, a poll with one task, and 404 for the rest; records the requests. */
function fakeControlPlane(seen: string[]): Handler {
  return (request, response) => {
    seen.push(`${request.method} ${request.url} ${String(request.headers['x-token'])}`);
    if (request.method === 'POST' && request.url === '/api/controlPlane/v1/uniform/registration') return json(response, 201, REGISTRATION);
    if (request.url?.startsWith('/api/controlPlane/v1/uniform/registration/int-1/instance/inst-1/tasks')) {
      return json(response, 200, {
        events: [{ id: 't1', type: 'sh.keptn.event.deployment.triggered', data: { project: 'p' } }],
        aborted: [],
      });
    }
    return json(response, 404, { code: 404, message: 'no such integration', errorCode: 'ERR_INTEGRATION_NOT_FOUND' });
  };
}

afterEach(async () => {
  for (const created of clients.splice(0)) created.close();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** The registration both plain-http tests send. */
const REGISTRATION_BODY = {
  name: 'x',
  metadata: {
    hostname: 'h',
    integrationversion: '1',
    distributorversion: '1',
    location: 'l',
    kubernetesmetadata: { namespace: 'n', podname: 'p', deploymentname: 'd' },
    shipmate: { filters: { projects: [], stages: [], services: [] } },
  },
  subscriptions: [],
};

describe('the agent client over plain http', () => {
  it('registers, polls and reports a refused call with its status', async () => {
    const seen: string[] = [];
    const endpoint = await listen(createHttpServer(fakeControlPlane(seen)), 'http');
    const agent = client(endpoint);
    const registration = await agent.register(REGISTRATION_BODY);
    expect(registration).toEqual(REGISTRATION);
    const batch = await agent.pollTasks(registration, 1000);
    expect(batch.events.map((event) => event.id)).toEqual(['t1']);
    const error = await agent.ping(registration).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ControlPlaneError);
    expect(error).toMatchObject({
      status: 404,
      path: '/controlPlane/v1/uniform/registration/int-1/ping?instanceId=inst-1',
      transient: false,
    });
    expect((error as Error).message).toBe(
      'PUT /controlPlane/v1/uniform/registration/int-1/ping?instanceId=inst-1 answered 404: no such integration',
    );
    expect(seen).toEqual([
      'POST /api/controlPlane/v1/uniform/registration plane-token',
      'GET /api/controlPlane/v1/uniform/registration/int-1/instance/inst-1/tasks?waitMs=1000 plane-token',
      'PUT /api/controlPlane/v1/uniform/registration/int-1/ping?instanceId=inst-1 plane-token',
    ]);
  });

  it('registers and polls again and again over one connection, so an idle instance holds one', async () => {
    const seen: string[] = [];
    const server = createHttpServer(fakeControlPlane(seen));
    // As Shipmate's server: idle connections are kept 65 s, so a second one would stay open.
    server.keepAliveTimeout = 65_000;
    let connections = 0;
    server.on('connection', () => connections++);
    const agent = client(await listen(server, 'http'));
    const registration = await agent.register(REGISTRATION_BODY);
    for (let poll = 0; poll < 5; poll++) await agent.pollTasks(registration, 1000);
    expect(seen).toHaveLength(6);
    expect(connections).toBe(1);
  });

  it("answers raw requests in node:http's form, any status", async () => {
    const endpoint = await listen(createHttpServer(fakeControlPlane([])), 'http');
    const answer = await client(endpoint).raw('GET', '/controlPlane/v1/uniform/registration/nope');
    expect(answer.status).toBe(404);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(JSON.parse(answer.body.toString('utf8'))).toMatchObject({ errorCode: 'ERR_INTEGRATION_NOT_FOUND' });
  });

  it('gives status 0 for a server that does not answer in time, and passes an abort through', async () => {
    const endpoint = await listen(
      createHttpServer(() => {
        // never answers
      }),
      'http',
    );
    const slow = client(endpoint, { timeoutMs: 200 });
    const timedOut = await slow.sendEvent({ type: 'x' }).catch((caught: unknown) => caught);
    expect(timedOut).toBeInstanceOf(ControlPlaneError);
    expect(timedOut).toMatchObject({ status: 0, transient: true });
    expect((timedOut as Error).message).toMatch(/no answer within 200 ms/);

    const controller = new AbortController();
    const polling = slow.pollTasks(REGISTRATION, 30_000, controller.signal);
    setTimeout(() => controller.abort(), 50);
    const aborted = await polling.catch((caught: unknown) => caught);
    expect(aborted).not.toBeInstanceOf(ControlPlaneError);
    expect((aborted as Error).name).toBe('AbortError');
  });
});

const skip = opensslUnavailable();

describe.skipIf(skip !== undefined)(`the agent client over TLS${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: string;
  let ca: CertificateAuthority;
  let leaf: SelfSignedCertificate;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shipmate-agent-client-tls-'));
    ca = createCertificateAuthority(dir, 'shipmate-test-ca');
    leaf = issueServerCertificate(ca, dir, 'cp.test', 'IP:127.0.0.1');
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const serveTls = () => listen(createHttpsServer({ cert: leaf.cert, key: leaf.key }, fakeControlPlane([])), 'https');

  it('trusts the private CA given as caPem', async () => {
    const answer = await client(await serveTls(), { caPem: ca.cert.toString('utf8') }).raw('GET', '/nothing');
    expect(answer.status).toBe(404);
  });

  it('refuses the certificate without the CA (status 0, a certificate error)', async () => {
    const error = await client(await serveTls())
      .raw('GET', '/nothing')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ControlPlaneError);
    expect(error).toMatchObject({ status: 0 });
    expect((error as Error).message).toMatch(/certificate|self.signed|UNABLE_TO_VERIFY/i);
  });

  it('connects without verifying when sslVerify is false', async () => {
    const answer = await client(await serveTls(), { sslVerify: false }).raw('GET', '/nothing');
    expect(answer.status).toBe(404);
  });
});
