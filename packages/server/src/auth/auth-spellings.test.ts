/**
 * Authentication cannot be skipped by spelling a path differently: a real socket (no URL
 * normalisation by a test client) sends each spelling of protected paths without a token, and
 * every answer is 401 or 404, never data. The only public answers a spelling may reach are the web
 * UI's: the redirect to /bridge/ and the UI's own index.html. With the token, the plain spelling works.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer, TEST_TOKEN } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';

/** What came back for one raw request. */
interface RawAnswer {
  status: number;
  text: string;
}

/** Sends `GET <target>` exactly as written (no client-side normalisation) and reads the answer. */
function rawGet(port: number, target: string, method = 'GET', headers = ''): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text });
    });
    socket.write(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Connection: close\r\n\r\n`, 'latin1');
  });
}

/** Spellings of `path` (which starts with `/api/`) that a server must not read as an unauthenticated path. */
function spellingsOf(path: string): string[] {
  const rest = path.slice('/api'.length); // '/secrets/v1/secret'
  const last = path.at(-1) ?? '';
  return [
    path,
    `/%61pi${rest}`,
    `/ap%69${rest}`,
    `/%41%50%49${rest}`,
    `/api${rest.slice(0, -1)}%${last.charCodeAt(0).toString(16)}`,
    `/api%2F${rest.slice(1)}`,
    `/api%2f${rest.slice(1)}`,
    `/%2Fapi${rest}`,
    `//api${rest}`,
    `/api/${rest}`,
    `/./api${rest}`,
    `/api/.${rest}`,
    `/%2e/api${rest}`,
    `/api/../api${rest}`,
    `/api/%2e%2e/api${rest}`,
    `/x/../api${rest}`,
    `/health/../api${rest}`,
    `/health/%2e%2e/api${rest}`,
    `/health%2f..%2fapi${rest}`,
    `/API${rest}`,
    `/Api${rest.toUpperCase()}`,
    `${path}/`,
    `${path}//`,
    `${path};x=1`,
    `/api;${rest}`,
    `${path}%3Bx`,
    `${path}?token=${TEST_TOKEN}`,
    `${path}#x`,
    `/%C1%A1pi${rest}`,
    `/%E0%81%A1pi${rest}`,
    `/%F0%80%81%A1pi${rest}`,
    `/%ff${rest}`,
    `${path}%00`,
    `/api\\${rest.slice(1)}`,
    `http://127.0.0.1${path}`,
    `HTTP://127.0.0.1${path}`,
    `//127.0.0.1${path}`,
    `*`,
  ];
}

const PROTECTED = ['/api/secrets/v1/secret', '/api/v1/metadata', '/api/controlPlane/v1/project', '/api/openapi.json'];
const SECRET_VALUE = 'value-that-must-not-leak';
/** The web UI's page of this server: public, and holding no data. */
const UI_INDEX = '<!doctype html><title>ui</title>';

/** True for the public answers of the web UI: the redirect to /bridge/, or its index.html. */
function isWebUiAnswer(answer: RawAnswer, method: string): boolean {
  if (answer.status === 302) return /\r\nlocation: \/bridge\/\r\n/i.test(answer.text);
  return (
    answer.status === 200 && /\r\ncontent-type: text\/html/i.test(answer.text) && (method === 'HEAD' || answer.text.endsWith(UI_INDEX))
  );
}

describe('authentication is decided on the route that runs', () => {
  let api: InProcessServer;
  let port: number;
  let webRoot: string;

  beforeAll(async () => {
    webRoot = mkdtempSync(join(tmpdir(), 'shipmate-spellings-ui-'));
    writeFileSync(join(webRoot, 'index.html'), UI_INDEX);
    api = await startInProcessServer({ webRoot });
    await api.server.app.listen({ host: '127.0.0.1', port: 0 });
    port = (api.server.app.server.address() as { port: number }).port;
    expect((await api.call('POST', '/api/secrets/v1/secret', { name: 'db', data: { password: SECRET_VALUE } })).status).toBe(201);
  });
  afterAll(async () => {
    await api.close();
    rmSync(webRoot, { recursive: true, force: true });
  });

  for (const path of PROTECTED) {
    it(`answers 401 or 404 and never data for every spelling of ${path} without a token`, async () => {
      const answers: string[] = [];
      for (const spelling of spellingsOf(path)) {
        for (const method of ['GET', 'HEAD']) {
          const answer = await rawGet(port, spelling, method);
          answers.push(`${method} ${spelling} -> ${answer.status}`);
          expect(answer.text).not.toContain(SECRET_VALUE);
          expect(answer.text).not.toMatch(/"(Secrets|projects|openapi|keptnversion|bridgeversion)"/);
          if (!isWebUiAnswer(answer, method)) expect([401, 404], `${method} ${spelling}`).toContain(answer.status);
        }
      }
      expect(answers.length).toBeGreaterThan(60);
    });
  }

  it('lets the plain spelling through with the token, and a wrong or empty token is 401', async () => {
    expect((await rawGet(port, '/api/secrets/v1/secret', 'GET', `x-token: ${TEST_TOKEN}\r\n`)).status).toBe(200);
    expect((await rawGet(port, '/api/v1/metadata', 'GET', `authorization: Bearer ${TEST_TOKEN}\r\n`)).status).toBe(200);
    expect((await rawGet(port, '/api/v1/metadata', 'GET', `x-token: wrong\r\n`)).status).toBe(401);
    expect((await rawGet(port, '/api/v1/metadata', 'GET', `authorization: Bearer \r\n`)).status).toBe(401);
  });

  it('answers /health and the web UI without a token, and nothing else: unknown paths outside /api need the token too', async () => {
    expect((await rawGet(port, '/health')).status).toBe(200);
    expect(isWebUiAnswer(await rawGet(port, '/'), 'GET')).toBe(true);
    expect(isWebUiAnswer(await rawGet(port, '/bridge'), 'GET')).toBe(true);
    expect(isWebUiAnswer(await rawGet(port, '/bridge/project/shop'), 'GET')).toBe(true);
    expect((await rawGet(port, '/no/such/path')).status).toBe(401);
    expect((await rawGet(port, '/no/such/path', 'GET', `x-token: ${TEST_TOKEN}\r\n`)).status).toBe(404);
  });
});
