import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { sendBadInput } from '../test-support/bad-input-case.js';
import type { BadInputCase } from '../test-support/bad-input-case.js';

const SECRET = '/api/secrets/v1/secret';
const LONG = 'a'.repeat(254);

let api: InProcessServer;

beforeAll(async () => {
  api = await startInProcessServer();
  expect((await api.call('POST', SECRET, { name: 'existing', data: { a: 'b' } })).status).toBe(201);
});

afterAll(async () => {
  await api.close();
});

type Case = BadInputCase & { errorCode: string; message: RegExp };

const post = (name: string, body: unknown, status: number, errorCode: string, message: RegExp): Case => ({
  name: `POST: ${name}`,
  method: 'POST',
  url: SECRET,
  body,
  status,
  errorCode,
  message,
});

const cases: Case[] = [
  {
    name: 'POST: malformed JSON',
    method: 'POST',
    url: SECRET,
    raw: '{"name": ',
    status: 400,
    errorCode: 'ERR_INVALID_JSON',
    message: /not valid JSON/,
  },
  post('body is an array', [], 400, 'ERR_INVALID_FIELD', /body.*object/),
  post('missing name', { data: { a: 'b' } }, 400, 'ERR_INVALID_FIELD', /missing required field 'name'/),
  post('empty name', { name: '', data: { a: 'b' } }, 400, 'ERR_MISSING_FIELD', /field 'name' is missing; send a secret name/),
  post('name is a number', { name: 5, data: { a: 'b' } }, 400, 'ERR_INVALID_FIELD', /field 'name' must be a string, got number/),
  post(
    'upper-case name',
    { name: 'My_Secret', data: { a: 'b' } },
    400,
    'ERR_INVALID_NAME',
    /'My_Secret' is invalid: it must be a Kubernetes secret name/,
  ),
  post('name ending in a dash', { name: 'secret-', data: { a: 'b' } }, 400, 'ERR_INVALID_NAME', /Kubernetes secret name/),
  post('name of 254 characters', { name: LONG, data: { a: 'b' } }, 400, 'ERR_INVALID_NAME', /254 characters long, the maximum is 253/),
  post(
    'unknown scope',
    { name: 'x', scope: 'nope', data: { a: 'b' } },
    400,
    'ERR_UNKNOWN_SCOPE',
    /unknown scope 'nope'.*use one of keptn-default/,
  ),
  post('scope is a number', { name: 'x', scope: 3, data: { a: 'b' } }, 400, 'ERR_INVALID_FIELD', /field 'scope' must be a string/),
  post('missing data', { name: 'x' }, 400, 'ERR_MISSING_FIELD', /field 'data' is missing/),
  post(
    'data is a string',
    { name: 'x', data: 'token=1' },
    400,
    'ERR_INVALID_FIELD',
    /field 'data' must be an object of string values, got string/,
  ),
  post('data is an array', { name: 'x', data: ['a'] }, 400, 'ERR_INVALID_FIELD', /got an array/),
  post('number value', { name: 'x', data: { port: 8080 } }, 400, 'ERR_INVALID_FIELD', /field 'data.port' must be a string, got number/),
  post(
    'object value',
    { name: 'x', data: { nested: { a: 'b' } } },
    400,
    'ERR_INVALID_FIELD',
    /field 'data.nested' must be a string, got object/,
  ),
  post('null value', { name: 'x', data: { a: null } }, 400, 'ERR_INVALID_FIELD', /got null/),
  post('key with a slash', { name: 'x', data: { 'a/b': 'v' } }, 400, 'ERR_INVALID_NAME', /key 'a\/b' in field 'data' is invalid/),
  post('key with a space', { name: 'x', data: { 'a b': 'v' } }, 400, 'ERR_INVALID_NAME', /letters, digits, '-', '_' and '.'/),
  post('key of 254 characters', { name: 'x', data: { [LONG]: 'v' } }, 400, 'ERR_INVALID_NAME', /254 characters long, the maximum is 253/),
  post('name exists', { name: 'existing', data: { a: 'b' } }, 409, 'ERR_SECRET_EXISTS', /exists already/),
  {
    name: 'PUT: bad value',
    method: 'PUT',
    url: SECRET,
    body: { name: 'existing', data: { a: 1 } },
    status: 400,
    errorCode: 'ERR_INVALID_FIELD',
    message: /data.a/,
  },
  {
    name: 'PUT: unknown scope',
    method: 'PUT',
    url: SECRET,
    body: { name: 'existing', scope: 'x', data: {} },
    status: 400,
    errorCode: 'ERR_UNKNOWN_SCOPE',
    message: /unknown scope 'x'/,
  },
  {
    name: 'PUT: not found',
    method: 'PUT',
    url: SECRET,
    body: { name: 'other', data: {} },
    status: 404,
    errorCode: 'ERR_SECRET_NOT_FOUND',
    message: /'other' not found in scope 'keptn-default'.*POST/,
  },
  {
    name: 'DELETE: no name',
    method: 'DELETE',
    url: `${SECRET}?scope=keptn-default`,
    status: 400,
    errorCode: 'ERR_MISSING_FIELD',
    message: /query parameter 'name' is missing/,
  },
  {
    name: 'DELETE: no scope',
    method: 'DELETE',
    url: `${SECRET}?name=existing`,
    status: 400,
    errorCode: 'ERR_MISSING_FIELD',
    message: /query parameter 'scope' is missing.*\?name=existing&scope=/,
  },
  {
    name: 'DELETE: unknown scope',
    method: 'DELETE',
    url: `${SECRET}?name=existing&scope=x`,
    status: 400,
    errorCode: 'ERR_UNKNOWN_SCOPE',
    message: /query parameter 'scope'/,
  },
  {
    name: 'DELETE: bad name',
    method: 'DELETE',
    url: `${SECRET}?name=A!&scope=keptn-default`,
    status: 400,
    errorCode: 'ERR_INVALID_NAME',
    message: /query parameter 'name' 'A!' is invalid/,
  },
  {
    name: 'DELETE: not found',
    method: 'DELETE',
    url: `${SECRET}?name=other&scope=keptn-default`,
    status: 404,
    errorCode: 'ERR_SECRET_NOT_FOUND',
    message: /not found/,
  },
];

describe('secret routes: bad input gets a clear 4xx', () => {
  it.each(cases)('$name → $status', async (c) => {
    const reply = await sendBadInput(api, c);
    expect(reply.status, JSON.stringify(reply.body)).toBe(c.status);
    expect(reply.body).toMatchObject({ code: c.status, errorCode: c.errorCode });
    expect(String(reply.body.message)).toMatch(c.message);
  });

  it('stored nothing from bad input and kept the existing secret', async () => {
    expect((await api.call('GET', SECRET)).body).toEqual({ Secrets: [{ name: 'existing', scope: 'keptn-default', keys: ['a'] }] });
  });
});
