/** Sends to a real HTTP server on 127.0.0.1, reached through a host name that never resolves (the checked address is used). */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendWebhookRequest } from './send-webhook-request.js';
import type { OutgoingRequest } from './send-webhook-request.js';

let server: Server;
let port: number;
const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      if (request.url === '/big') return response.end('x'.repeat(5000));
      if (request.url === '/redirect') {
        response.writeHead(302, { location: 'http://169.254.169.254/' });
        return response.end();
      }
      if (request.url === '/slow') return; // never answers
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ echo: body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const TARGET = { address: '127.0.0.1', family: 4 as const };
const LIMITS = { timeoutMs: 2000, maxResponseBytes: 1024 };

function outgoing(path: string, extra: Partial<OutgoingRequest> = {}): OutgoingRequest {
  return { url: new URL(`http://hooks.invalid:${port}${path}`), method: 'POST', headers: [], payload: '', ...extra };
}

describe('sendWebhookRequest', () => {
  it('connects to the checked address, keeps the URL host in Host, and sends headers and payload', async () => {
    const answer = await sendWebhookRequest(
      outgoing('/hook?x=1', { headers: [{ key: 'X-Token', value: 't' }], payload: 'a=b' }),
      TARGET,
      LIMITS,
      new AbortController().signal,
    );
    expect(answer).toEqual({ status: 200, body: '{"echo":"a=b"}', truncated: false });
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      url: '/hook?x=1',
      body: 'a=b',
      headers: { host: `hooks.invalid:${port}`, 'x-token': 't', 'content-type': 'application/x-www-form-urlencoded' },
    });
  });

  it('keeps a content type the webhook names, and sends no body with GET', async () => {
    await sendWebhookRequest(
      outgoing('/json', { headers: [{ key: 'content-type', value: 'application/json' }], payload: '{}' }),
      TARGET,
      LIMITS,
      new AbortController().signal,
    );
    expect(seen.at(-1)?.headers['content-type']).toBe('application/json');
    await sendWebhookRequest(outgoing('/get', { method: 'GET', payload: 'ignored' }), TARGET, LIMITS, new AbortController().signal);
    expect(seen.at(-1)).toMatchObject({ method: 'GET', body: '' });
  });

  it('cuts a body longer than the cap and says so', async () => {
    const answer = await sendWebhookRequest(outgoing('/big'), TARGET, LIMITS, new AbortController().signal);
    expect(answer.truncated).toBe(true);
    expect(answer.body).toBe(`${'x'.repeat(1024)}\n[response truncated after 1024 bytes]`);
  });

  it('does not follow a redirect', async () => {
    const answer = await sendWebhookRequest(outgoing('/redirect'), TARGET, LIMITS, new AbortController().signal);
    expect(answer).toMatchObject({ status: 302, location: 'http://169.254.169.254/' });
    expect(seen.at(-1)?.url).toBe('/redirect');
  });

  it('gives up after the timeout, and on abort', async () => {
    await expect(
      sendWebhookRequest(outgoing('/slow'), TARGET, { ...LIMITS, timeoutMs: 200 }, new AbortController().signal),
    ).rejects.toThrow('no complete answer within 200 ms');
    const controller = new AbortController();
    const pending = sendWebhookRequest(outgoing('/slow'), TARGET, LIMITS, controller.signal);
    controller.abort();
    await expect(pending).rejects.toThrow('the task was aborted');
  });
});
