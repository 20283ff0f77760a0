// Token (check 5) and API compatibility (check 6) against a small Keptn-like API on loopback.
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkApiCompatibility } from './api-compat-check.js';
import { checkToken } from './token-check.js';
import { closeServer, listenHttp } from '../test-support/loopback-http.js';

describe('token and API compatibility checks', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const listening = await listenHttp((request, response) => {
      const authorized = request.headers['x-token'] === 'right';
      if (request.url?.startsWith('/html/'))
        return response.writeHead(200, { 'content-type': 'text/html' }).end('<html>ingress default backend</html>');
      if (request.url?.startsWith('/json/')) return response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      if (request.url?.startsWith('/limited/')) return response.writeHead(429).end();
      if (!request.url?.startsWith('/api/')) return response.writeHead(404).end('404 page not found');
      if (request.headers['x-token'] === 'revoked') {
        const revoked = { code: 401, message: "token 'hardening' was revoked at 2026-12-05T10:00:00.000Z", errorCode: 'ERR_TOKEN_REVOKED' };
        return response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify(revoked));
      }
      if (!authorized) return response.writeHead(401, { 'content-type': 'application/json' }).end('{"code":401,"message":"invalid token"}');
      if (request.method === 'POST' && request.url === '/api/v1/auth') return response.writeHead(200).end();
      if (request.url === '/api/v1/metadata') {
        return response.writeHead(200, { 'content-type': 'application/json' }).end('{"keptnversion":"1.4.5","shipyardversion":"0.2.0"}');
      }
      return response.writeHead(404).end();
    });
    server = listening.server;
    base = `http://127.0.0.1:${listening.port}`;
  });

  afterAll(async () => {
    await closeServer(server);
  });

  const connection = (path: string, apiToken = 'right') => ({ apiEndpoint: `${base}${path}`, apiToken, sslVerify: true, caPem: undefined });

  it('accepts the right token', async () => {
    expect(await checkToken(connection('/api'), 'KEPTN_API_TOKEN', 2000)).toMatchObject({
      ok: true,
      summary: `token: accepted (POST ${base}/api/v1/auth answered 200)`,
    });
  });

  it.each([
    ['/api', 'wrong', /^KEPTN_API_TOKEN is wrong: copy the token of the control plane/],
    ['/api', '', /^set KEPTN_API_TOKEN to the control plane's API token/],
    ['/other', 'right', /^this is not a Keptn-compatible API: check the hostname and that \/api is served by the control plane/],
    ['/limited', 'right', /wait a few seconds/],
  ])('fails the token check at %s with token %o', async (path, token, fix) => {
    const result = await checkToken(connection(path, token), 'KEPTN_API_TOKEN', 2000);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.fix).toMatch(fix);
  });

  it('names a revoked token, with what the control plane said and how to get a new one', async () => {
    const result = await checkToken(connection('/api', 'revoked'), 'KEPTN_API_TOKEN', 2000);
    expect(result).toMatchObject({
      ok: false,
      summary: `token: revoked (POST ${base}/api/v1/auth answered 401)`,
      cause: "the control plane says: token 'hardening' was revoked at 2026-12-05T10:00:00.000Z",
      fix: expect.stringMatching(
        /^create a new execution-plane token \(shipmate token create <name> --stage …\) and put it in KEPTN_API_TOKEN/,
      ),
    });
  });

  it('reports the versions of a Keptn-compatible API', async () => {
    const result = await checkApiCompatibility(connection('/api'), 2000);
    expect(result).toMatchObject({
      ok: true,
      summary: 'API: Keptn-compatible (shipyardversion 0.2.0, keptnversion 1.4.5)',
      value: { shipyardversion: '0.2.0' },
    });
  });

  it.each([
    ['/other', /answered 404 instead of 200/],
    ['/html', /a non-JSON answer \(text\/html\)/],
    ['/json', /JSON without a shipyardversion/],
  ])('says %s is not a Keptn-compatible API', async (path, cause) => {
    const result = await checkApiCompatibility(connection(path), 2000);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.cause).toMatch(cause);
    expect(result.fix).toMatch(/^this is not a Keptn-compatible API: check the hostname and that \/api is served by the control plane/);
  });

  it('fails when the control plane does not answer in time', async () => {
    const result = await checkToken({ ...connection('/api'), apiEndpoint: 'http://127.0.0.1:1/api' }, 'KEPTN_API_TOKEN', 500);
    expect(result).toMatchObject({ ok: false, cause: expect.stringMatching(/the request failed/) });
  });
});
