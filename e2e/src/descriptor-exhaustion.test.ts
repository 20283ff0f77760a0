/**
 * Out of file descriptors (issue 9 point 4a): a `shipmate server` under `ulimit -n 256` whose
 * descriptors are all taken by idle keep-alive connections answers a resource write with 503 and
 * the cause (git cannot be started), keeps serving, and writes again once the connections close.
 */
import { request, Agent } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { KeptnApiClient, startServerProcess, waitFor } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';
import { THREE_STAGE_SHIPYARD } from './shipyards.js';

const RS = '/api/resource-service/v1/project/shop/stage/dev/service/carts/resource';

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** One request through `agent` (which keeps its connections open); rejects when the server drops the connection. */
function send(agent: Agent, server: ServerProcess, method: string, path: string, payload?: unknown): Promise<Answer> {
  const body = payload === undefined ? undefined : JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      {
        method,
        agent,
        headers: { 'x-token': server.token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const write = (agent: Agent, server: ServerProcess, content: string) =>
  send(agent, server, 'POST', RS, {
    resources: [{ resourceURI: 'limits.yaml', resourceContent: Buffer.from(content).toString('base64') }],
  });

describe('a server out of file descriptors', () => {
  let server: ServerProcess | undefined;

  afterAll(async () => {
    await server?.kill();
  });

  it('answers a write with 503 and the cause, keeps serving, and writes again once connections close', async () => {
    // 256, not fewer: loading the modules at start (TypeBox's ESM build alone is 266 files, read
    // concurrently) took more than 128 descriptors at once in CI.
    server = await startServerProcess({ maxOpenFiles: 256 });
    const client = new KeptnApiClient(server.url, server.token);
    await client.createProject('shop', THREE_STAGE_SHIPYARD);
    await client.createService('shop', 'carts');

    // Idle keep-alive connections, opened all at once, until the server has no descriptor left:
    // the connections it cannot accept are closed by it at once (libuv's EMFILE handling).
    const idle = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1000 });
    const probes = await Promise.allSettled(Array.from({ length: 600 }, () => send(idle, server!, 'GET', '/health')));
    const held = probes.filter((probe) => probe.status === 'fulfilled').length;
    expect(held, 'connections the server kept').toBeGreaterThan(20);
    expect(probes.length - held, 'connections the server could not keep').toBeGreaterThan(0);

    // The write goes over one of the held connections: it needs no new descriptor to arrive, but
    // git needs some for its pipes.
    const refused = await write(idle, server, 'while exhausted\n');
    expect(server.child.exitCode, server.output()).toBeNull();
    expect(refused.status, refused.body).toBe(503);
    const body = JSON.parse(refused.body) as { code: number; message: string; errorCode: string };
    expect(body.code).toBe(503);
    expect(body.errorCode).toBe('ERR_RESOURCES_EXHAUSTED');
    expect(body.message).toContain('no file descriptors left (EMFILE');
    expect(body.message).toContain('ulimit -n');

    idle.destroy();
    const fresh = new Agent({ keepAlive: false });
    const written = await waitFor('a write after the connections closed', async () => {
      const answer = await write(fresh, server!, 'after the connections closed\n');
      return answer.status === 503 ? undefined : answer;
    });
    expect(written.status, written.body).toBe(201);
    expect((await send(fresh, server, 'GET', '/health')).status).toBe(200);
    const read = await send(fresh, server, 'GET', `${RS}/limits.yaml`);
    expect(Buffer.from((JSON.parse(read.body) as { resourceContent: string }).resourceContent, 'base64').toString()).toBe(
      'after the connections closed\n',
    );
    expect(server.child.exitCode).toBeNull();
  });
});
