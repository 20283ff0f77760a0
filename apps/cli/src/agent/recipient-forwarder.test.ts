/** Forwarding tasks to the integration over real HTTP on loopback. */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { silentLogger } from '@shipmate/agent-sdk';
import type { AgentLogger } from '@shipmate/agent-sdk';
import { freePort } from '@shipmate/testing';
import { TASK_ABORTED_TYPE, createRecipientForwarder } from './recipient-forwarder.js';
import type { RecipientForwarder, RecipientForwarderOptions } from './recipient-forwarder.js';

const TASK: KeptnEvent = {
  id: 'task-1',
  type: 'sh.keptn.event.deployment.triggered',
  source: 'shipyard-controller',
  specversion: '1.0',
  time: '2026-01-01T00:00:00.000Z',
  contenttype: 'application/json',
  shkeptncontext: 'ctx-1',
  data: { project: 'p', stage: 'dev', service: 'carts' },
};

const servers: Server[] = [];
const forwarders: RecipientForwarder[] = [];
afterEach(async () => {
  for (const forwarder of forwarders.splice(0)) forwarder.close();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A forwarder closed after the test. */
function forwarderOf(options: RecipientForwarderOptions): RecipientForwarder {
  const forwarder = createRecipientForwarder(options);
  forwarders.push(forwarder);
  return forwarder;
}

/** A forwarder to the recipient on `port` with a 1 s retry window. */
function forwarderTo(port: number) {
  return forwarderOf({ recipientUrl: `http://127.0.0.1:${port}`, retryMs: 1000, logger: silentLogger, source: 'helm', backoff });
}

/** A recipient on `port` answering `status`; records bodies, content types and the client's port. */
async function recipient(port: number, status = 200, options: { dropSecondRequest?: boolean } = {}) {
  const received: Array<{ contentType: string | undefined; body: Record<string, unknown>; clientPort: number | undefined }> = [];
  let requests = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // As a recipient that closed the kept-alive connection just as the request went out on it.
      if (++requests === 2 && options.dropSecondRequest) {
        req.socket.destroy();
        return;
      }
      received.push({
        contentType: req.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>,
        clientPort: req.socket.remotePort,
      });
      res.writeHead(status).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return received;
}

const backoff = { initialMs: 20, maxMs: 100 };

describe('recipient forwarder', () => {
  it('posts a structured CloudEvent once when the recipient accepts it', async () => {
    const port = await freePort();
    const received = await recipient(port);
    const forwarder = forwarderOf({
      recipientUrl: `http://127.0.0.1:${port}/events`,
      retryMs: 1000,
      logger: silentLogger,
      source: 'helm',
      backoff,
    });
    expect(await forwarder.forward(TASK)).toBe(true);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      contentType: 'application/cloudevents+json',
      body: { ...TASK, datacontenttype: 'application/json' },
    });
  });

  it('sends consecutive tasks over one kept-alive connection', async () => {
    const port = await freePort();
    const received = await recipient(port);
    const forwarder = forwarderTo(port);
    for (const id of ['task-1', 'task-2', 'task-3']) expect(await forwarder.forward({ ...TASK, id })).toBe(true);
    expect(received.map((r) => r.body.id)).toEqual(['task-1', 'task-2', 'task-3']);
    expect(new Set(received.map((r) => r.clientPort)).size).toBe(1);
  });

  it('sends again at once, without a warning, when the kept-alive connection was closed under the request', async () => {
    const port = await freePort();
    const received = await recipient(port, 200, { dropSecondRequest: true });
    const warnings: string[] = [];
    const logger: AgentLogger = { ...silentLogger, warn: (message) => warnings.push(message) };
    const forwarder = forwarderOf({ recipientUrl: `http://127.0.0.1:${port}`, retryMs: 1000, logger, source: 'helm', backoff });
    expect(await forwarder.forward({ ...TASK, id: 'task-1' })).toBe(true);
    expect(await forwarder.forward({ ...TASK, id: 'task-2' })).toBe(true);
    expect(received.map((r) => r.body.id)).toEqual(['task-1', 'task-2']);
    expect(warnings).toEqual([]);
  });

  it('retries while the recipient is down and delivers once it is up', async () => {
    const port = await freePort();
    const forwarder = forwarderOf({
      recipientUrl: `http://127.0.0.1:${port}`,
      retryMs: 5000,
      logger: silentLogger,
      source: 'helm',
      backoff,
    });
    const delivery = forwarder.forward(TASK);
    await new Promise((r) => setTimeout(r, 300));
    const received = await recipient(port);
    expect(await delivery).toBe(true);
    expect(received).toHaveLength(1);
  });

  it('retries on non-2xx answers and gives up after retryMs', async () => {
    const port = await freePort();
    const received = await recipient(port, 503);
    const forwarder = forwarderOf({
      recipientUrl: `http://127.0.0.1:${port}`,
      retryMs: 300,
      logger: silentLogger,
      source: 'helm',
      backoff,
    });
    expect(await forwarder.forward(TASK)).toBe(false);
    expect(received.length).toBeGreaterThan(1);
  });

  it('stops retrying when its signal aborts', async () => {
    const port = await freePort();
    const forwarder = forwarderOf({
      recipientUrl: `http://127.0.0.1:${port}`,
      retryMs: 60_000,
      logger: silentLogger,
      source: 'helm',
      backoff,
    });
    const controller = new AbortController();
    const delivery = forwarder.forward(TASK, controller.signal);
    setTimeout(() => controller.abort(), 100);
    expect(await delivery).toBe(false);
  });

  it('tells the recipient about an aborted task', async () => {
    const port = await freePort();
    const received = await recipient(port);
    const forwarder = forwarderTo(port);
    expect(await forwarder.notifyAborted(TASK)).toBe(true);
    expect(received[0]?.body).toMatchObject({
      type: TASK_ABORTED_TYPE,
      source: 'helm',
      triggeredid: 'task-1',
      shkeptncontext: 'ctx-1',
      data: { project: 'p', stage: 'dev', service: 'carts', task: 'deployment' },
    });
  });
});
