/**
 * `/api/swagger-ui`: the page and its assets load without a token, the document it shows
 * resolves and is the served OpenAPI with the `x-token` apiKey scheme, and the API itself still
 * needs the token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer, TEST_TOKEN } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';

let api: InProcessServer;

beforeAll(async () => {
  api = await startInProcessServer({ resources: undefined });
});

afterAll(async () => {
  await api?.close();
});

const get = (url: string, headers: Record<string, string> = {}) => api.server.app.inject({ method: 'GET', url, headers });

describe('Swagger UI', () => {
  it('answers the page as HTML without a token, with and without the trailing slash', async () => {
    for (const url of ['/api/swagger-ui', '/api/swagger-ui/']) {
      const page = await get(url);
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('<div id="swagger-ui"></div>');
      expect(page.body).toMatch(/src="[^"]*static\/swagger-ui-bundle\.js"/);
    }
  });

  it("lets the page's inline styles through its content security policy, not inline scripts", async () => {
    const policy = String((await get('/api/swagger-ui/')).headers['content-security-policy']);
    expect(policy).toMatch(/style-src [^;]*'unsafe-inline'/);
    expect(policy).not.toMatch(/script-src [^;]*'unsafe-inline'/);
  });

  it('sends /api to the page without a token, as Keptn did', async () => {
    const redirect = await get('/api');
    expect(redirect.statusCode).toBe(302);
    expect(redirect.headers.location).toBe('/api/swagger-ui/');
  });

  it('serves its assets from the package without a token', async () => {
    const bundle = await get('/api/swagger-ui/static/swagger-ui-bundle.js');
    expect(bundle.statusCode).toBe(200);
    expect(bundle.body.length).toBeGreaterThan(100_000);
    const initializer = await get('/api/swagger-ui/static/swagger-initializer.js');
    expect(initializer.statusCode).toBe(200);
    expect(initializer.body).toContain("resolveUrl('./json')");
    expect(initializer.body).not.toContain('validator.swagger.io');
  });

  it('resolves its JSON spec URL to the served OpenAPI, with the x-token apiKey scheme', async () => {
    const spec = await get('/api/swagger-ui/json');
    expect(spec.statusCode).toBe(200);
    const document = spec.json<{ openapi: string; components: unknown; security: unknown; paths: Record<string, unknown> }>();
    expect(document.openapi).toMatch(/^3\./);
    expect(document.components).toMatchObject({ securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'x-token' } } });
    expect(document.security).toEqual([{ key: [] }]);
    const served = await get('/api/openapi.json', { 'x-token': TEST_TOKEN });
    expect(served.statusCode).toBe(200);
    expect(document).toEqual(served.json());
    expect(Object.keys(document.paths).some((path) => path.startsWith('/api/swagger-ui'))).toBe(false);
  });

  it('leaves the API and the other documents behind the token', async () => {
    expect((await get('/api/openapi.json')).statusCode).toBe(401);
    expect((await get('/api/controlPlane/v1/project')).statusCode).toBe(401);
    expect((await get('/api/swagger-uix')).statusCode).toBe(401);
    // The page's Content-Security-Policy stays on the page's own answers.
    const metadata = await get('/api/v1/metadata', { 'x-token': TEST_TOKEN });
    expect(metadata.statusCode).toBe(200);
    expect(metadata.headers['content-security-policy']).toBeUndefined();
    expect((await get('/api/swagger-ui')).headers['content-security-policy']).toMatch(/default-src 'self'/);
  });
});
