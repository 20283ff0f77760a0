/**
 * Idle and slow connections are closed, the connection count is capped, and none of it cuts a
 * long poll that is parked waiting for tasks. Real sockets against a listening in-process server
 * with short limits; every wait is for an event (a close), bounded by the test timeout. Connections
 * that never send a byte are tested on a real server process (e2e/src/connection-limits.test.ts):
 * under vitest, Node closes them by itself, in a plain process it never does.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startInProcessServer, TEST_TOKEN } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import type { ServerOptions } from '../server-options.js';

let api: InProcessServer | undefined;
let port = 0;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function listen(options: Partial<ServerOptions>): Promise<void> {
  api = await startInProcessServer(options);
  await api.server.listen('127.0.0.1', 0);
  port = (api.server.app.server.address() as { port: number }).port;
}

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Milliseconds from now until `socket` is closed by the server (and what it said before). */
function closed(socket: Socket): Promise<{ afterMs: number; text: string }> {
  const started = Date.now();
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => {
    socket.on('close', () => resolve({ afterMs: Date.now() - started, text: Buffer.concat(chunks).toString('latin1') }));
  });
}

describe('HTTP connection limits', () => {
  it('closes a connection whose headers trickle in slower than the headers timeout (408, or closed without answer)', async () => {
    await listen({ headersTimeoutMs: 600, requestTimeoutMs: 5000 });
    const socket = await open();
    const done = closed(socket);
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\n');
    const timer = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 100);
    const { afterMs, text } = await done;
    clearInterval(timer);
    // Node answers 408, or the server's own reaper of silent connections closes it first.
    expect(afterMs).toBeGreaterThanOrEqual(500);
    expect(text === '' || text.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('closes a request whose body is slower than the request timeout', async () => {
    await listen({ headersTimeoutMs: 500, requestTimeoutMs: 1000 });
    const socket = await open();
    const done = closed(socket);
    socket.write(
      `POST /api/v1/event HTTP/1.1\r\nHost: x\r\nx-token: ${TEST_TOKEN}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{`,
    );
    const timer = setInterval(() => socket.writable && socket.write(' '), 100);
    const { afterMs, text } = await done;
    clearInterval(timer);
    expect(afterMs).toBeGreaterThanOrEqual(900);
    expect(text).not.toMatch(/^HTTP\/1\.1 2/);
  });

  it('closes a kept-alive connection idle for longer than the keep-alive timeout', async () => {
    await listen({ keepAliveTimeoutMs: 500 });
    const socket = await open();
    const done = closed(socket);
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    const { afterMs, text } = await done;
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    expect(afterMs).toBeGreaterThanOrEqual(400);
  });

  it('closes connections beyond maxConnections at once and serves again when others go', async () => {
    await listen({ maxConnections: 3, headersTimeoutMs: 60_000, requestTimeoutMs: 60_000 });
    const held = [await open(), await open(), await open()];
    const extra = await open();
    const { text } = await closed(extra);
    expect(text).toBe('');
    const gone = held.map((socket) => closed(socket));
    for (const socket of held) socket.destroy();
    await Promise.all(gone);
    const status = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/health' }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(200);
  });

  it('does not cut a long poll parked for longer than every timeout', async () => {
    await listen({ headersTimeoutMs: 300, requestTimeoutMs: 300, keepAliveTimeoutMs: 300 });
    const registration = await api!.call<{ id: string; instanceId: string }>('POST', '/api/controlPlane/v1/uniform/registration', {
      name: 'waiter',
      metadata: { hostname: 'h', kubernetesmetadata: { namespace: 'keptn', podname: 'p', deploymentname: 'waiter' } },
      subscriptions: [{ event: 'sh.keptn.event.deployment.triggered' }],
    });
    expect(registration.status).toBeLessThan(300);
    const path = `/api/controlPlane/v1/uniform/registration/${registration.body.id}/instance/${registration.body.instanceId}/tasks?waitMs=1500`;
    const started = Date.now();
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path, headers: { 'x-token': TEST_TOKEN } }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      })
        .on('error', reject)
        .end();
    });
    expect(answer.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(JSON.parse(answer.body)).toMatchObject({ events: [] });
  });
});
