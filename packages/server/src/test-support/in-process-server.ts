/**
 * In-process server for route tests: a real SQLite file in a temp dir, `app.inject` instead of a
 * socket. Test-only (excluded from nothing at runtime; never imported by production code).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '@shipmate/store-sqlite';
import { createGitResourceStore } from '@shipmate/config-git';
import type { SqliteControlPlaneStore } from '@shipmate/store-sqlite';
import type { ResourceStore } from '@shipmate/core';
import { createControlPlaneServer } from '../create-server.js';
import type { ControlPlaneServer } from '../create-server.js';
import type { ServerOptions } from '../server-options.js';
import { hashToken } from '../auth/token-verifier.js';

/** The token every in-process server accepts. */
export const TEST_TOKEN = 'test-token';

/** Keptn's sockshop example shipyard (from the shared folder beside the repository). */
export const SOCKSHOP_SHIPYARD = readFileSync(
  new URL('../../../../fixtures/keptn-compat/examples/shipyard-sockshop.yaml', import.meta.url),
  'utf8',
);

/** Base64 of a text, as the project API wants the shipyard. */
export function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** A JSON reply. */
export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Record<string, unknown>;
}

/** A started in-process server with request helpers. */
export interface InProcessServer {
  readonly server: ControlPlaneServer;
  /** The SQLite store (its `maxPageCount` hook fills the database for the store-full tests). */
  readonly store: SqliteControlPlaneStore;
  /** The git repositories (in the temp dir), unless `resources` was passed. */
  readonly resources: ResourceStore | undefined;
  /** The temp dir (SQLite file, `git/` repositories). */
  readonly dir: string;
  /** JSON request with the token (or `headers` to override). */
  call<T = Record<string, unknown>>(method: string, url: string, payload?: unknown, headers?: Record<string, string>): Promise<Reply<T>>;
  /** A raw-body request (for malformed JSON and oversized bodies). */
  raw(method: string, url: string, body: string, headers?: Record<string, string>): Promise<Reply>;
  close(): Promise<void>;
}

/** A git resource store in `<dir>/git` (what `shipmate server` uses). */
export function createTestResourceStore(dir: string): ResourceStore {
  return createGitResourceStore({ rootDir: join(dir, 'git') });
}

/**
 * Starts a server on a fresh SQLite file with git repositories in the same temp dir. Pass
 * `resources: undefined` for a server without git (shipyard versions in the store, no resource API).
 */
export async function startInProcessServer(options: Partial<ServerOptions> = {}): Promise<InProcessServer> {
  const dir = mkdtempSync(join(tmpdir(), 'shipmate-server-test-'));
  const store = createSqliteStore({ path: join(dir, 'store.db') });
  const resources = 'resources' in options ? options.resources : createTestResourceStore(dir);
  const server = await createControlPlaneServer({ store, apiTokenSha256: hashToken(TEST_TOKEN), ...options, resources });
  await server.app.ready();
  await server.processor.start();
  const toReply = <T>(response: { statusCode: number; body: string; headers: Record<string, unknown> }): Reply<T> => ({
    status: response.statusCode,
    body: (response.body === '' ? undefined : JSON.parse(response.body)) as T,
    headers: response.headers,
  });
  return {
    server,
    store,
    resources,
    dir,
    async call<T>(method: string, url: string, payload?: unknown, headers: Record<string, string> = { 'x-token': TEST_TOKEN }) {
      const response = await server.app.inject({
        method: method as 'GET',
        url,
        headers,
        ...(payload === undefined ? {} : { payload: JSON.stringify(payload), headers: { ...headers, 'content-type': 'application/json' } }),
      });
      return toReply<T>(response);
    },
    async raw(method, url, body, headers = { 'x-token': TEST_TOKEN, 'content-type': 'application/json' }) {
      const response = await server.app.inject({ method: method as 'POST', url, headers, payload: body });
      return toReply(response);
    },
    async close() {
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
