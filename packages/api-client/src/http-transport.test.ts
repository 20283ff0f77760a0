/**
 * The transport against real node:http servers on loopback that fail on purpose: retries of
 * idempotent requests on 503 and 429 (with Retry-After), none for POST, the distinct errors for a
 * closed port and for a server that never answers, and the caller's abort.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiClient } from './api-client.js';
import { ApiError, ApiTimeoutError, ApiUnreachableError } from './api-error.js';
import { fetchExchange } from './http-exchange.js';
import type { HttpExchangeRequest } from './http-exchange.js';

type Handler = (request: IncomingMessage, response: ServerResponse, count: number) => void;

const servers: Server[] = [];

/** A server answering with `handler`; resolves with its API base URL and the requests it saw. */
async function serve(
  handler: Handler,
): Promise<{ baseUrl: string; seen: Array<{ method: string; url: string; token: string | undefined }> }> {
  const seen: Array<{ method: string; url: string; token: string | undefined }> = [];
  const server = createServer((request, response) => {
    seen.push({ method: request.method ?? '', url: request.url ?? '', token: request.headers['x-token'] as string | undefined });
    request.resume();
    request.on('end', () => handler(request, response, seen.length));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`, seen };
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** A port nothing listens on: a server's, closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

describe('retries', () => {
  it('retries a GET that answered 503 twice, then returns the 200', async () => {
    const { baseUrl, seen } = await serve((_request, response, count) =>
      count <= 2
        ? json(response, 503, { code: 503, message: 'busy' })
        : json(response, 200, { keptnversion: 'x', automaticprovisioning: false }),
    );
    const client = createApiClient({ baseUrl, token: 'secret', retryBaseDelayMs: 10 });
    await expect(client.metadata()).resolves.toEqual({ keptnversion: 'x', automaticprovisioning: false });
    expect(seen.map((request) => `${request.method} ${request.url} ${request.token}`)).toEqual([
      'GET /api/v1/metadata secret',
      'GET /api/v1/metadata secret',
      'GET /api/v1/metadata secret',
    ]);
  });

  it('gives up after its retries with the last answer as an ApiError', async () => {
    const { baseUrl, seen } = await serve((_request, response) => json(response, 502, { code: 502, message: 'bad gateway' }));
    const client = createApiClient({ baseUrl, retries: 1, retryBaseDelayMs: 10 });
    const error = await client.project('shop').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 502, code: 502, detail: 'bad gateway', transient: true });
    expect(seen).toHaveLength(2);
  });

  it('does not retry a POST (a repeat could store a second event)', async () => {
    const { baseUrl, seen } = await serve((_request, response) => json(response, 503, { code: 503, message: 'busy' }));
    const client = createApiClient({ baseUrl, retryBaseDelayMs: 10 });
    await expect(client.sendEvent({ type: 'sh.keptn.event.x.triggered' })).rejects.toMatchObject({ status: 503 });
    expect(seen).toHaveLength(1);
  });

  it("waits a 429's Retry-After before the next attempt", async () => {
    const times: number[] = [];
    const { baseUrl } = await serve((_request, response, count) => {
      times.push(Date.now());
      if (count === 1) json(response, 429, { code: 429, message: 'slow down' }, { 'retry-after': '1' });
      else json(response, 200, { scopes: ['keptn-default'] });
    });
    const client = createApiClient({ baseUrl, retryBaseDelayMs: 1 });
    await expect(client.secretScopes()).resolves.toEqual({ scopes: ['keptn-default'] });
    expect(times).toHaveLength(2);
    // Retry-After: 1 means a second; without it the delay would be about 1 ms.
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('retries a closed port and then says the control plane is unreachable', async () => {
    const port = await closedPort();
    const client = createApiClient({ baseUrl: `http://127.0.0.1:${port}/api`, retries: 2, retryBaseDelayMs: 5 });
    const error = await client.metadata().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiUnreachableError);
    expect((error as Error).message).toMatch(/unreachable.*ECONNREFUSED/);
  });
});

describe('errors', () => {
  it("carries Keptn's code, Shipmate's errorCode and the message", async () => {
    const { baseUrl } = await serve((_request, response) =>
      json(response, 404, { code: 404, message: "project 'shop' does not exist", errorCode: 'ERR_PROJECT_NOT_FOUND' }),
    );
    const error = await createApiClient({ baseUrl })
      .project('shop')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 404,
      code: 404,
      errorCode: 'ERR_PROJECT_NOT_FOUND',
      detail: "project 'shop' does not exist",
      method: 'GET',
      path: '/controlPlane/v1/project/shop',
      transient: false,
    });
    expect((error as Error).message).toBe("GET /controlPlane/v1/project/shop answered 404: project 'shop' does not exist");
  });

  it('uses the text of a body that is not Keptn JSON', async () => {
    const { baseUrl } = await serve((_request, response) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('proxy exploded');
    });
    await expect(createApiClient({ baseUrl, retries: 0 }).metadata()).rejects.toMatchObject({
      status: 500,
      code: undefined,
      errorCode: undefined,
      detail: 'proxy exploded',
    });
  });

  it('times out a server that never answers, without retrying', async () => {
    const { baseUrl, seen } = await serve(() => {
      // never answers
    });
    const client = createApiClient({ baseUrl, timeoutMs: 200, retryBaseDelayMs: 5 });
    const started = Date.now();
    const error = await client.metadata().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(seen).toHaveLength(1);
  });

  it("rejects with the caller's abort, not a client error", async () => {
    const { baseUrl, seen } = await serve(() => {
      // never answers
    });
    const client = createApiClient({ baseUrl });
    const controller = new AbortController();
    const polling = client.pollTasks('integration', 'instance', { waitMs: 30_000, signal: controller.signal });
    // Abort once the server holds the request.
    for (let i = 0; i < 500 && seen.length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen.map((request) => request.url)).toEqual([
      '/api/controlPlane/v1/uniform/registration/integration/instance/instance/tasks?waitMs=30000',
    ]);
    controller.abort();
    const error = await polling.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('AbortError');
  });

  it('names a bad option', () => {
    expect(() => createApiClient({ baseUrl: 'localhost:8080' })).toThrow(/must be http: or https:|is not a URL/);
    expect(() => createApiClient({ baseUrl: 'http://x/api', timeoutMs: -1 })).toThrow('timeoutMs must be a number >= 0, got -1');
    expect(() => createApiClient({ baseUrl: 'http://x/api', fetch: globalThis.fetch, exchange: fetchExchange(globalThis.fetch) })).toThrow(
      'pass options.fetch or options.exchange, not both',
    );
  });
});

describe('an exchange of its own', () => {
  it('sends every attempt through the exchange given, with the headers, the body and a signal that ends it', async () => {
    const { baseUrl, seen } = await serve((request, response, count) =>
      count === 1 ? json(response, 503, { message: 'busy' }) : json(response, 200, { keptnContext: 'ctx' }),
    );
    const sent: HttpExchangeRequest[] = [];
    const viaFetch = fetchExchange(globalThis.fetch);
    const client = createApiClient({
      baseUrl,
      token: 'tok',
      retryBaseDelayMs: 1,
      exchange: (request) => {
        sent.push(request);
        return viaFetch(request);
      },
    });
    const answer = await client.raw('PUT', '/v1/event', { json: { type: 'sh.keptn.event.x.triggered' } });
    expect(answer.status).toBe(200);
    expect(JSON.parse(new TextDecoder().decode(answer.body))).toEqual({ keptnContext: 'ctx' });
    expect(seen).toHaveLength(2);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({
      method: 'PUT',
      url: `${baseUrl}/v1/event`,
      headers: { 'x-token': 'tok', 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'sh.keptn.event.x.triggered' }),
    });
    expect(sent[1]?.signal).toBeInstanceOf(AbortSignal);
  });

  it('times out an exchange that never ends, through its signal', async () => {
    let aborted = false;
    const client = createApiClient({
      baseUrl: 'http://127.0.0.1:1/api',
      timeoutMs: 50,
      retries: 0,
      exchange: ({ signal }) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('stopped'));
          }),
        ),
    });
    await expect(client.metadata()).rejects.toBeInstanceOf(ApiTimeoutError);
    expect(aborted).toBe(true);
  });
});
