/**
 * Keeps the served OpenAPI document honest: every /api route is in it, and every Keptn path we
 * implement has Keptn's method, path, success status and response property names. Keptn's
 * swagger files are read from the shared folder next to the repository (never copied in).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '@shipmate/store-sqlite';
import { createTestResourceStore, TEST_TOKEN } from '../test-support/in-process-server.js';
import type { ControlPlaneStore } from '@shipmate/core';
import { createControlPlaneServer } from '../create-server.js';
import type { ControlPlaneServer } from '../create-server.js';
import { hashToken } from '../auth/token-verifier.js';

type Json = Record<string, unknown>;

const HTTP_METHODS = ['get', 'post', 'put', 'delete', 'patch'] as const;

/** A Keptn swagger file and where its paths live on our server. */
interface KeptnApi {
  file: string;
  prefix: string;
  /** Keptn paths (as in the file) we implement, with the methods. */
  implemented: Record<string, string[]>;
}

const KEPTN_APIS: KeptnApi[] = [
  {
    file: 'shipyard-controller.yaml',
    prefix: '/api/controlPlane/v1',
    implemented: {
      '/project': ['get', 'post', 'put'],
      '/project/{project}': ['get', 'delete'],
      '/project/{project}/service': ['post'],
      '/project/{project}/service/{service}': ['delete'],
      '/project/{project}/stage': ['get'],
      '/project/{project}/stage/{stage}': ['get'],
      '/project/{project}/stage/{stage}/service': ['get'],
      '/project/{project}/stage/{stage}/service/{service}': ['get'],
      '/project/{project}/stage/{stage}/service/{service}/evaluation': ['post'],
      '/sequence/{project}': ['get'],
      '/sequence/{project}/{keptnContext}/control': ['post'],
      '/event/triggered/{eventType}': ['get'],
      '/uniform/registration': ['get', 'post'],
      '/uniform/registration/{integrationID}': ['delete'],
      '/uniform/registration/{integrationID}/ping': ['put'],
      '/uniform/registration/{integrationID}/subscription': ['get', 'post'],
      '/uniform/registration/{integrationID}/subscription/{subscriptionID}': ['get', 'put', 'delete'],
      '/log': ['get', 'post', 'delete'],
    },
  },
  {
    file: 'mongodb-datastore.yaml',
    prefix: '/api/mongodb-datastore',
    implemented: { '/event': ['get'], '/event/type/{eventType}': ['get'] },
  },
  {
    file: 'api-service.yaml',
    prefix: '/api/v1',
    implemented: { '/event': ['post'], '/auth': ['post'], '/metadata': ['get'] },
  },
  {
    file: 'secret-service.yaml',
    prefix: '/api/secrets/v1',
    implemented: { '/secret': ['get', 'post', 'put', 'delete'], '/scope': ['get'] },
  },
];

/**
 * Our paths that Keptn's swagger files do not describe but Keptn serves: `/sequence-execution`
 * (control-plane.md §3.10) and the resource service (§7.2; the shared folder has no swagger file
 * of it, so its shapes are checked in resource-routes.test.ts).
 */
const RESOURCE_LEVELS = ['/project/{project}', '/project/{project}/stage/{stage}', '/project/{project}/stage/{stage}/service/{service}'];
const IMPLEMENTED_OUTSIDE_SWAGGER = [
  { method: 'get', path: '/api/controlPlane/v1/sequence-execution' },
  ...RESOURCE_LEVELS.flatMap((level) => [
    ...['get', 'post', 'put'].map((method) => ({ method, path: `/api/resource-service/v1${level}/resource` })),
    ...['get', 'put', 'delete'].map((method) => ({ method, path: `/api/resource-service/v1${level}/resource/{resourceURI}` })),
  ]),
];

/**
 * Known errors in Keptn's swagger: the handler of `GET /v1/event/triggered/{eventType}` returns
 * go-utils `models.Events` (`{events, nextPageKey, totalCount}`), while the swagger documents one
 * `KeptnContextExtendedCE`. Keptn's properties are then compared with the items of `events`.
 */
/**
 * Keptn fields we do not serve, with the reason: `subscription` of `models.Integration` is
 * deprecated in go-utils ("new code shall use Subscriptions") and only `subscriptions` is kept.
 * `data` of the secret answers: values are never returned (docs/keptn-compatibility.md, "Secrets").
 */
const KNOWN_LACKING: Record<string, string[]> = {
  // Keptn echoes the secret with its values; Shipmate never returns values and answers the keys instead.
  'post /api/secrets/v1/secret': ['data'],
  'put /api/secrets/v1/secret': ['data'],
  'get /api/controlPlane/v1/uniform/registration': ['subscription'],
  'put /api/controlPlane/v1/uniform/registration/{integrationID}/ping': ['subscription'],
};

const SWAGGER_ERRATA: Record<string, { compareWithItemsOf: string }> = {
  'get /api/controlPlane/v1/event/triggered/{eventType}': { compareWithItemsOf: 'events' },
};

function keptnDocument(file: string): Json {
  return parse(readFileSync(new URL(`../../../../fixtures/keptn-compat/openapi/${file}`, import.meta.url), 'utf8')) as Json;
}

/** Follows local `$ref`s (`#/definitions/x`, `#/components/schemas/x`) until a schema is reached. */
function resolve(document: Json, schema: unknown): Json | undefined {
  let current = schema as Json | undefined;
  for (let hops = 0; current && typeof current.$ref === 'string' && hops < 20; hops += 1) {
    const pointer = current.$ref;
    if (!pointer.startsWith('#/')) throw new Error(`cannot follow non-local $ref ${pointer}`);
    current = pointer
      .slice(2)
      .split('/')
      .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], document) as Json | undefined;
  }
  return current;
}

function propertiesOf(document: Json, schema: unknown): Json {
  return (resolve(document, schema)?.properties as Json | undefined) ?? {};
}

/** Property names of `schema` and, for array properties, of their items (`name[].item`). */
function propertyNames(document: Json, schema: unknown): string[] {
  const names: string[] = [];
  for (const [name, property] of Object.entries(propertiesOf(document, schema))) {
    names.push(name);
    const resolved = resolve(document, property);
    if (resolved?.type === 'array' || (Array.isArray(resolved?.type) && resolved.type.includes('array'))) {
      for (const item of Object.keys(propertiesOf(document, resolved?.items))) names.push(`${name}[].${item}`);
    }
  }
  return names;
}

interface SharedOperation {
  /** `get /api/...` in OpenAPI path form. */
  key: string;
  method: string;
  ourPath: string;
  keptnPath: string;
  keptnFile: string;
  keptnDocument: Json;
  keptnOperation: Json;
}

function sharedOperations(): SharedOperation[] {
  const operations: SharedOperation[] = [];
  for (const api of KEPTN_APIS) {
    const document = keptnDocument(api.file);
    const paths = document.paths as Record<string, Json>;
    for (const [keptnPath, methods] of Object.entries(api.implemented)) {
      for (const method of methods) {
        const keptnOperation = paths[keptnPath]?.[method] as Json | undefined;
        if (!keptnOperation) throw new Error(`${api.file} has no ${method.toUpperCase()} ${keptnPath}; fix KEPTN_APIS in this test`);
        const ourPath = `${api.prefix}${keptnPath}`;
        operations.push({
          key: `${method} ${ourPath}`,
          method,
          ourPath,
          keptnPath,
          keptnFile: api.file,
          keptnDocument: document,
          keptnOperation,
        });
      }
    }
  }
  return operations;
}

/** Routes of the Fastify instance, from `printRoutes({ commonPrefix: false })`. */
function registeredRoutes(tree: string): Array<{ method: string; path: string }> {
  const routes: Array<{ method: string; path: string }> = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const branch = line.search(/[├└]── /);
    if (branch < 0) continue;
    const depth = branch / 4;
    const match = /^(\S+)(?: \(([^)]*)\))?/.exec(line.slice(branch + 4));
    if (!match?.[1]) continue;
    stack.length = depth;
    stack.push(match[1]);
    for (const method of match[2]?.split(',').map((m) => m.trim().toLowerCase()) ?? []) {
      routes.push({ method, path: stack.join('') });
    }
  }
  return routes;
}

const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

let store: ControlPlaneStore;
let server: ControlPlaneServer;
let document: Json;
let gitDir: string;

beforeAll(async () => {
  store = createSqliteStore({ path: ':memory:' });
  gitDir = mkdtempSync(join(tmpdir(), 'shipmate-openapi-'));
  server = await createControlPlaneServer({ store, apiTokenSha256: hashToken(TEST_TOKEN), resources: createTestResourceStore(gitDir) });
  await server.app.ready();
  const response = await server.app.inject({ method: 'GET', url: '/api/openapi.json', headers: { 'x-token': TEST_TOKEN } });
  expect(response.statusCode).toBe(200);
  document = response.json<Json>();
});

afterAll(async () => {
  await server?.close();
  await store?.close();
  rmSync(gitDir, { recursive: true, force: true });
});

function ourOperation(method: string, path: string): Json | undefined {
  return (document.paths as Record<string, Json | undefined>)[path]?.[method] as Json | undefined;
}

function ourResponseSchema(operation: Json, status: string): unknown {
  const response = (operation.responses as Record<string, Json | undefined>)[status];
  return (response?.content as Record<string, Json> | undefined)?.['application/json']?.schema;
}

describe('OpenAPI document', () => {
  it('is OpenAPI 3 and documents every /api route the server registered', () => {
    expect(document.openapi).toMatch(/^3\./);
    const routes = registeredRoutes(server.app.printRoutes({ commonPrefix: false }))
      // The OpenAPI document and the Swagger UI page (with its assets and its copy of the document) are not API operations.
      .filter((route) => route.path.startsWith('/api/') && route.path !== '/api/openapi.json' && !route.path.startsWith('/api/swagger-ui'))
      .filter((route) => (HTTP_METHODS as readonly string[]).includes(route.method));
    // The tree parser must have found the routes; otherwise this test would pass vacuously.
    expect(routes).toContainEqual({ method: 'get', path: '/api/controlPlane/v1/project/:project/stage/:stage' });
    expect(routes).toContainEqual({ method: 'post', path: '/api/v1/event' });
    const missing = routes.filter((route) => !ourOperation(route.method, toOpenApiPath(route.path)));
    expect(missing.map((route) => `${route.method.toUpperCase()} ${route.path}`)).toEqual([]);
  });

  it('tags every operation', () => {
    const untagged: string[] = [];
    for (const [path, item] of Object.entries(document.paths as Record<string, Json>)) {
      for (const method of HTTP_METHODS) {
        const operation = item[method] as Json | undefined;
        if (operation && !(Array.isArray(operation.tags) && operation.tags.length > 0)) untagged.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(untagged).toEqual([]);
  });

  it.each(IMPLEMENTED_OUTSIDE_SWAGGER)('documents $method $path', ({ method, path }) => {
    expect(ourOperation(method, path)).toBeDefined();
  });
});

describe("Keptn's swagger paths", () => {
  const operations = sharedOperations();

  it('covers the Keptn paths this test is meant to check', () => {
    expect(operations.length).toBe(37);
  });

  it.each(operations.map((operation) => [operation.key, operation] as const))('%s matches Keptn', (_key, shared) => {
    const ours = ourOperation(shared.method, shared.ourPath);
    expect(ours, `${shared.key} (Keptn ${shared.keptnFile} ${shared.keptnPath}) is not in our document`).toBeDefined();
    if (!ours) return;

    const keptnResponses = shared.keptnOperation.responses as Record<string, Json>;
    const successStatus = Object.keys(keptnResponses).find((status) => status.startsWith('2'));
    expect(successStatus, `Keptn's ${shared.keptnPath} has no 2xx response`).toBeDefined();
    if (!successStatus) return;
    expect(Object.keys(ours.responses as Json), `${shared.key} lacks Keptn's success status`).toContain(successStatus);

    const keptnSchema = keptnResponses[successStatus]?.schema;
    const keptnNames = propertyNames(shared.keptnDocument, keptnSchema);
    let ourSchema = ourResponseSchema(ours, successStatus);
    const erratum = SWAGGER_ERRATA[shared.key];
    if (erratum) {
      const holder = propertiesOf(document, ourSchema)[erratum.compareWithItemsOf];
      ourSchema = resolve(document, holder)?.items;
    }
    const ourNames = new Set(propertyNames(document, ourSchema));
    const known = KNOWN_LACKING[shared.key] ?? [];
    const lacking = keptnNames.filter((name) => !ourNames.has(name) && !known.includes(name));
    expect(lacking, `${shared.key} (${successStatus}) lacks properties of Keptn's ${shared.keptnFile} ${shared.keptnPath}`).toEqual([]);
  });
});
