import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GitHttpServer } from '@shipmate/testing';
import { withUpstream } from './mirrored-resource-store.js';
import {
  createSelfSignedCertificate,
  opensslUnavailable,
  personGit,
  personGitAsync,
  shipyardYaml,
  startGitHttpServer,
  waitFor,
} from '@shipmate/testing';
import { UpstreamFixture } from './upstream-test-kit.js';

const SHIPYARD = shipyardYaml({ dev: ['deployment'] });
const TOKEN = 'glpat-0123456789abcdef';

let fixture: UpstreamFixture | undefined;
let server: GitHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  await fixture?.close();
  server = undefined;
  fixture = undefined;
});

describe('upstream over HTTP (git http-backend) with token auth', () => {
  it('fails with the authentication error for a wrong token, then pushes once the right token is configured', async () => {
    fixture = new UpstreamFixture();
    server = await startGitHttpServer({ root: fixture.root, user: 'shipmate-bot', token: TOKEN });
    const url = `${server.baseUrl}/upstream.git`;
    const { store, mirror } = fixture.open();
    const resources = withUpstream(store, mirror);
    await resources.createProject('shop', SHIPYARD);
    await resources.createStage('shop', 'dev');

    await mirror.configure('shop', { remoteURL: url, user: 'shipmate-bot', https: { token: 'wrong-token' } });
    const failing = await waitFor('auth failure shown', async () =>
      mirror.status('shop')?.state === 'failing' ? mirror.status('shop') : undefined,
    );
    expect(failing?.lastError?.message).toMatch(/Authentication failed|401/);
    expect(failing?.lastError?.message).not.toContain('wrong-token');
    expect(server.refused).toBeGreaterThan(0);

    await mirror.configure('shop', { remoteURL: url, user: 'shipmate-bot', https: { token: TOKEN } });
    const f = fixture;
    await waitFor('pushed over http', async () => (f.upstreamTip('dev') === (await store.latestCommit('shop', 'dev')) ? true : undefined));
    const synced = await waitFor('status synced', async () =>
      mirror.status('shop')?.state === 'synced' ? mirror.status('shop') : undefined,
    );
    expect(synced).toMatchObject({ lastError: null, unpushedCommits: 0, failedAttempts: 0 });

    // A commit made in the upstream over HTTP shows up before the next read.
    const clone = join(fixture.root, 'person');
    const authUrl = url.replace('http://', `http://shipmate-bot:${TOKEN}@`);
    await personGitAsync(['clone', '--quiet', '--branch', 'dev', authUrl, clone]);
    await personGitAsync(['commit', '--quiet', '--allow-empty', '-m', 'a person was here'], clone);
    await personGitAsync(['push', '--quiet', 'origin', 'dev'], clone);
    const listing = await resources.listResources({ project: 'shop', stage: 'dev' });
    expect(listing.commit).toBe(await personGitAsync(['rev-parse', 'HEAD'], clone));
    await mirror.close();
  });
});

const skipTls = opensslUnavailable();
describe.skipIf(skipTls !== undefined)(
  `upstream over HTTPS with a self-signed certificate${skipTls ? ` (skipped: ${skipTls})` : ''}`,
  () => {
    it('fails verification without the certificate, then syncs with gitCredentials.https.certificate, and with insecureSkipTLS', async () => {
      fixture = new UpstreamFixture();
      const certificate = createSelfSignedCertificate(fixture.root, 'localhost', 'DNS:localhost');
      server = await startGitHttpServer({ root: fixture.root, user: 'bot', token: TOKEN, tls: certificate });
      const url = `${server.baseUrl}/upstream.git`;
      const { store, mirror } = fixture.open();
      await store.createProject('shop', SHIPYARD);
      const status = () => mirror.status('shop');
      const f = fixture;

      await mirror.configure('shop', { remoteURL: url, user: 'bot', https: { token: TOKEN } });
      const failing = await waitFor('TLS failure shown', async () => (status()?.state === 'failing' ? status() : undefined));
      expect(failing?.lastError?.message).toMatch(/SSL certificate problem|self.signed|certificate/i);

      await mirror.configure('shop', {
        remoteURL: url,
        user: 'bot',
        https: { token: TOKEN, certificate: certificate.cert.toString('utf8') },
      });
      await waitFor('synced with the CA certificate', async () =>
        status()?.state === 'synced' && f.upstreamTip('master') ? true : undefined,
      );

      personGit(['--git-dir', fixture.upstreamDir, 'update-ref', '-d', 'refs/heads/master']);
      await mirror.configure('shop', { remoteURL: url, user: 'bot', https: { token: TOKEN, insecureSkipTLS: true } });
      await waitFor('synced without verification', async () =>
        status()?.state === 'synced' && f.upstreamTip('master') ? true : undefined,
      );
      await mirror.close();
    });
  },
);

/** A forward HTTP proxy with Basic proxy authentication that counts what it forwarded. */
async function startProxy(user: string, password: string) {
  let forwarded = 0;
  const proxy = createServer((request, response) => {
    const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    if (request.headers['proxy-authorization'] !== expected) {
      request.resume();
      response.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="proxy"' }).end();
      return;
    }
    forwarded += 1;
    const target = new URL(request.url ?? '/');
    const headers = { ...request.headers };
    delete headers['proxy-authorization'];
    const upstreamRequest = httpRequest(target, { method: request.method, headers }, (upstreamResponse) => {
      response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
      upstreamResponse.pipe(response);
    });
    upstreamRequest.on('error', () => response.writeHead(502).end());
    request.pipe(upstreamRequest);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    forwarded: () => forwarded,
    close: () => new Promise<void>((resolve) => proxy.close(() => resolve())),
  };
}

describe('upstream through an HTTP proxy', () => {
  it('reaches the upstream through gitCredentials.https.proxy with its user and password', async () => {
    fixture = new UpstreamFixture();
    server = await startGitHttpServer({ root: fixture.root, user: 'bot', token: TOKEN });
    const proxy = await startProxy('proxy-user', 'proxy-pass');
    try {
      const { store, mirror } = fixture.open();
      await store.createProject('shop', SHIPYARD);
      const https = { token: TOKEN, proxy: { url: proxy.address, scheme: 'http', user: 'proxy-user', password: 'proxy-pass' } };
      await mirror.configure('shop', { remoteURL: `${server.baseUrl}/upstream.git`, user: 'bot', https });
      const f = fixture;
      await waitFor('synced through the proxy', async () =>
        mirror.status('shop')?.state === 'synced' && f.upstreamTip('master') ? true : undefined,
      );
      expect(proxy.forwarded()).toBeGreaterThan(0);
      await mirror.close();
    } finally {
      await proxy.close();
    }
  });
});
