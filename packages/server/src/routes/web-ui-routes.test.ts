/**
 * The web UI's files at /bridge: public, redirects from / and /bridge, long-cached hashed assets,
 * the single-page fallback, no way out of the build directory, and clear answers without a build.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { webFileOf } from './web-ui-routes.js';

const INDEX = '<!doctype html><title>Shipmate</title><script type="module" src="/bridge/assets/index-abc123.js"></script>';

let root: string;
let api: InProcessServer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'shipmate-web-root-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), INDEX);
  writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log("ui")');
  writeFileSync(join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(tmpdir(), 'shipmate-web-secret.txt'), 'outside');
  api = await startInProcessServer({ webRoot: root, resources: undefined });
});

afterAll(async () => {
  await api.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(join(tmpdir(), 'shipmate-web-secret.txt'), { force: true });
});

/** A request without the token. */
function get(url: string) {
  return api.server.app.inject({ method: 'GET', url });
}

describe('web UI routes', () => {
  it.each(['/', '/bridge'])('%s redirects (302) to /bridge/ without a token', async (url) => {
    const response = await get(url);
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/bridge/');
  });

  it('serves index.html at /bridge/ without a token, revalidated, with a content security policy', async () => {
    const response = await get('/bridge/');
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(INDEX);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('serves hashed assets with a year of cache, other files revalidated', async () => {
    const asset = await get('/bridge/assets/index-abc123.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe('console.log("ui")');
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await get('/bridge/favicon.svg');
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('answers routes of the app with index.html (single-page fallback)', async () => {
    for (const url of ['/bridge/project/shop', '/bridge/project/shop/sequence/0b7f?stage=dev', '/bridge/no/such/page']) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).toBe(INDEX);
    }
  });

  it('answers 404 for a missing asset instead of HTML', async () => {
    const response = await get('/bridge/assets/index-old.js');
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.body).toContain("no file 'assets/index-old.js'");
  });

  it('never serves a file outside the build directory', async () => {
    for (const url of [
      '/bridge/../shipmate-web-secret.txt',
      '/bridge/%2e%2e/shipmate-web-secret.txt',
      '/bridge/assets/%2e%2e/%2e%2e/shipmate-web-secret.txt',
    ]) {
      const response = await get(url);
      expect(response.body, url).not.toContain('outside');
    }
    expect(webFileOf(root, '../shipmate-web-secret.txt')).toBe(join(root, 'shipmate-web-secret.txt'));
    expect(webFileOf(root, 'a\\..\\..\\x')).toBeUndefined();
    expect(webFileOf(root, 'a\0b')).toBeUndefined();
  });

  it('still requires the token on the API', async () => {
    expect((await get('/api/v1/metadata')).statusCode).toBe(401);
  });
});

describe('web UI routes without a build', () => {
  it('says how to build the UI when the directory has no index.html (503)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'shipmate-web-empty-'));
    const server = await startInProcessServer({ webRoot: empty, resources: undefined });
    try {
      const response = await server.server.app.inject({ method: 'GET', url: '/bridge/' });
      expect(response.statusCode).toBe(503);
      expect(response.body).toContain('npm run build');
    } finally {
      await server.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('says the server has no UI when it was started without one (404)', async () => {
    const server = await startInProcessServer({ resources: undefined });
    try {
      const response = await server.server.app.inject({ method: 'GET', url: '/bridge/project/shop' });
      expect(response.statusCode).toBe(404);
      expect(response.body).toContain('has no web UI');
    } finally {
      await server.close();
    }
  });
});
