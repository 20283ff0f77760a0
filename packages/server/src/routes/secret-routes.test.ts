import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';

const SECRET = '/api/secrets/v1/secret';
const VALUE = 'sup3r-s3cret-value-4711';

let api: InProcessServer;

beforeEach(async () => {
  api = await startInProcessServer();
});

afterEach(async () => {
  await api.close();
});

/** Every byte SQLite holds for the store: the database file and its write-ahead log. */
function storedBytes(): Buffer {
  const path = api.store.options.path;
  return Buffer.concat([path, `${path}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file)));
}

describe('secrets API (Keptn secret service paths)', () => {
  it('creates a secret, answering name, scope and keys but never the values', async () => {
    const created = await api.call('POST', SECRET, {
      name: 'my-token',
      scope: 'keptn-webhook-service',
      data: { token: VALUE, user: 'bob' },
    });
    expect(created).toMatchObject({ status: 201, body: { name: 'my-token', scope: 'keptn-webhook-service', keys: ['token', 'user'] } });
    expect(JSON.stringify(created.body)).not.toContain(VALUE);
  });

  it('defaults the scope to keptn-default', async () => {
    expect((await api.call('POST', SECRET, { name: 'plain', data: { a: 'b' } })).body).toEqual({
      name: 'plain',
      scope: 'keptn-default',
      keys: ['a'],
    });
  });

  it('lists secrets as {"Secrets": [...]} with keys only, filtered by name and scope', async () => {
    await api.call('POST', SECRET, { name: 'b-secret', scope: 'keptn-webhook-service', data: { token: VALUE } });
    await api.call('POST', SECRET, { name: 'a-secret', data: { x: VALUE, w: VALUE } });
    const all = await api.call('GET', SECRET);
    expect(all).toMatchObject({
      status: 200,
      body: {
        Secrets: [
          { name: 'a-secret', scope: 'keptn-default', keys: ['w', 'x'] },
          { name: 'b-secret', scope: 'keptn-webhook-service', keys: ['token'] },
        ],
      },
    });
    expect(JSON.stringify(all.body)).not.toContain(VALUE);
    expect((await api.call('GET', `${SECRET}?scope=keptn-webhook-service`)).body).toEqual({
      Secrets: [{ name: 'b-secret', scope: 'keptn-webhook-service', keys: ['token'] }],
    });
    expect((await api.call('GET', `${SECRET}?name=a-secret`)).body).toEqual({
      Secrets: [{ name: 'a-secret', scope: 'keptn-default', keys: ['w', 'x'] }],
    });
    expect((await api.call('GET', `${SECRET}?name=none`)).body).toEqual({ Secrets: [] });
  });

  it('refuses a second secret of the same name, in any scope, with 409', async () => {
    await api.call('POST', SECRET, { name: 'dup', data: { a: 'b' } });
    const again = await api.call('POST', SECRET, { name: 'dup', scope: 'dynatrace-service', data: { a: 'b' } });
    expect(again).toMatchObject({ status: 409, body: { code: 409, errorCode: 'ERR_SECRET_EXISTS' } });
    expect(again.body.message).toMatch(/'dup' exists already in scope 'keptn-default'.*PUT/);
  });

  it('replaces the values with PUT (200) and answers 404 for a secret not in that scope', async () => {
    await api.call('POST', SECRET, { name: 'rotating', data: { old: 'x' } });
    const updated = await api.call('PUT', SECRET, { name: 'rotating', data: { new: VALUE } });
    expect(updated).toMatchObject({ status: 200, body: { name: 'rotating', scope: 'keptn-default', keys: ['new'] } });
    expect(JSON.stringify(updated.body)).not.toContain(VALUE);
    expect((await api.call('GET', `${SECRET}?name=rotating`)).body).toEqual({
      Secrets: [{ name: 'rotating', scope: 'keptn-default', keys: ['new'] }],
    });

    const elsewhere = await api.call('PUT', SECRET, { name: 'rotating', scope: 'dynatrace-service', data: { a: 'b' } });
    expect(elsewhere).toMatchObject({ status: 404, body: { code: 404, errorCode: 'ERR_SECRET_NOT_FOUND' } });
    expect(elsewhere.body.message).toMatch(/it is in scope 'keptn-default'/);
    expect((await api.call('PUT', SECRET, { name: 'missing', data: { a: 'b' } })).status).toBe(404);
  });

  it('deletes with ?name=&scope= (200), then answers 404', async () => {
    await api.call('POST', SECRET, { name: 'gone', scope: 'dynatrace-service', data: { a: 'b' } });
    expect((await api.call('DELETE', `${SECRET}?name=gone&scope=keptn-default`)).status).toBe(404);
    expect(await api.call('DELETE', `${SECRET}?name=gone&scope=dynatrace-service`)).toMatchObject({ status: 200, body: {} });
    expect((await api.call('DELETE', `${SECRET}?name=gone&scope=dynatrace-service`)).body).toMatchObject({
      code: 404,
      errorCode: 'ERR_SECRET_NOT_FOUND',
    });
    expect((await api.call('GET', SECRET)).body).toEqual({ Secrets: [] });
  });

  it("lists Keptn's default scopes", async () => {
    expect(await api.call('GET', '/api/secrets/v1/scope')).toMatchObject({
      status: 200,
      body: { scopes: ['keptn-default', 'keptn-webhook-service', 'dynatrace-service', 'keptn-prometheus-service'] },
    });
  });

  it('needs the API token', async () => {
    expect((await api.call('GET', SECRET, undefined, {})).status).toBe(401);
  });

  it('stores the values encrypted: the plain value is nowhere in the SQLite files', async () => {
    await api.call('POST', SECRET, { name: 'at-rest-check', data: { token: VALUE } });
    await api.call('PUT', SECRET, { name: 'at-rest-check', data: { token: VALUE, other: VALUE } });
    const bytes = storedBytes();
    // The name is stored in plain, so the files read are the right ones.
    expect(bytes.includes(Buffer.from('at-rest-check'))).toBe(true);
    expect(bytes.includes(Buffer.from(VALUE))).toBe(false);
  });
});

describe('configured scopes', () => {
  it('serves the configured scopes and refuses the others', async () => {
    const custom = await startInProcessServer({ secretScopes: ['keptn-default', 'team-a'] });
    try {
      expect((await custom.call('GET', '/api/secrets/v1/scope')).body).toEqual({ scopes: ['keptn-default', 'team-a'] });
      expect((await custom.call('POST', SECRET, { name: 'x', scope: 'team-a', data: {} })).status).toBe(201);
      const refused = await custom.call('POST', SECRET, { name: 'y', scope: 'dynatrace-service', data: {} });
      expect(refused).toMatchObject({ status: 400, body: { errorCode: 'ERR_UNKNOWN_SCOPE' } });
      expect(refused.body.message).toMatch(/use one of keptn-default, team-a/);
    } finally {
      await custom.close();
    }
  });
});
