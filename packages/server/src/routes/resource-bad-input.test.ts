import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64, SOCKSHOP_SHIPYARD, startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { sendBadInput } from '../test-support/bad-input-case.js';
import type { BadInputCase } from '../test-support/bad-input-case.js';

const CP = '/api/controlPlane/v1';
const RS = '/api/resource-service/v1';
const SVC = `${RS}/project/shop/stage/dev/service/carts/resource`;
const MAX_BODY = 4096;
const MAX_RESOURCE = 8192;

let api: InProcessServer;

beforeAll(async () => {
  api = await startInProcessServer({ maxBodyBytes: MAX_BODY, maxResourceBytes: MAX_RESOURCE });
  expect((await api.call('POST', `${CP}/project`, { name: 'shop', shipyard: base64(SOCKSHOP_SHIPYARD) })).status).toBe(201);
  expect((await api.call('POST', `${CP}/project/shop/service`, { serviceName: 'carts' })).status).toBe(200);
});

afterAll(async () => {
  await api.close();
});

type Case = BadInputCase & { errorCode: string };

const one = (resourceURI: string, resourceContent = base64('x')) => ({ resources: [{ resourceURI, resourceContent }] });

const cases: Case[] = [
  // URIs that try to leave the level
  {
    name: 'dot-dot in the path (encoded slashes)',
    method: 'GET',
    url: `${SVC}/..%2F..%2Fshipyard.yaml`,
    status: 400,
    errorCode: 'ERR_INVALID_RESOURCE_URI',
    message: /'\.\.' segment/,
  },
  {
    name: 'encoded dot-dot segment in the path',
    method: 'PUT',
    url: `${SVC}/a%2F%2E%2E%2Fb`,
    body: { resourceContent: base64('x') },
    status: 400,
    errorCode: 'ERR_INVALID_RESOURCE_URI',
  },
  {
    name: 'absolute path in the path',
    method: 'GET',
    url: `${SVC}/%2Fetc%2Fpasswd`,
    status: 400,
    errorCode: 'ERR_INVALID_RESOURCE_URI',
    message: /absolute/,
  },
  {
    name: 'encoded traversal %2e%2e%2f',
    method: 'GET',
    url: `${SVC}/%2e%2e%2f%2e%2e%2fshipyard.yaml`,
    status: 400,
    errorCode: 'ERR_INVALID_RESOURCE_URI',
  },
  {
    name: 'double-encoded traversal %252e%252e%252f',
    method: 'DELETE',
    url: `${SVC}/%252e%252e%252fmetadata.yaml`,
    status: 400,
    errorCode: 'ERR_INVALID_RESOURCE_URI',
  },
  {
    name: 'triple-encoded traversal',
    method: 'GET',
    url: `${SVC}/%25252e%25252e%25252fx`,
    status: 400,
    errorCode: 'ERR_INVALID_RESOURCE_URI',
    message: /still URL-encoded/,
  },
  { name: 'tilde in the path', method: 'GET', url: `${SVC}/~%2F.ssh`, status: 400, errorCode: 'ERR_INVALID_RESOURCE_URI' },
  {
    name: 'dot-dot in a body URI',
    method: 'POST',
    url: SVC,
    body: one('../../shipyard.yaml'),
    status: 400,
    errorCode: 'ERR_INVALID_RESOURCE_URI',
  },
  { name: 'absolute body URI', method: 'PUT', url: SVC, body: one('/etc/passwd'), status: 400, errorCode: 'ERR_INVALID_RESOURCE_URI' },
  {
    name: 'encoded traversal in a body URI',
    method: 'POST',
    url: SVC,
    body: one('%2e%2e%2fx'),
    status: 400,
    errorCode: 'ERR_INVALID_RESOURCE_URI',
  },
  { name: 'backslash body URI', method: 'POST', url: SVC, body: one('..\\x'), status: 400, errorCode: 'ERR_INVALID_RESOURCE_URI' },
  { name: 'empty segment body URI', method: 'POST', url: SVC, body: one('helm//x'), status: 400, errorCode: 'ERR_INVALID_RESOURCE_URI' },
  { name: 'control character body URI', method: 'POST', url: SVC, body: one('a\nb'), status: 400, errorCode: 'ERR_INVALID_RESOURCE_URI' },
  { name: 'empty body URI', method: 'POST', url: SVC, body: one(''), status: 400, errorCode: 'ERR_INVALID_RESOURCE_URI' },
  // content
  {
    name: 'content not base64 (POST)',
    method: 'POST',
    url: SVC,
    body: one('slo.yaml', 'not base64!'),
    status: 400,
    errorCode: 'ERR_INVALID_CONTENT',
  },
  {
    name: 'content not base64 (PUT one)',
    method: 'PUT',
    url: `${SVC}/slo.yaml`,
    body: { resourceContent: 'abc' },
    status: 400,
    errorCode: 'ERR_INVALID_CONTENT',
  },
  { name: 'content missing', method: 'PUT', url: `${SVC}/slo.yaml`, body: {}, status: 400, errorCode: 'ERR_INVALID_CONTENT' },
  { name: 'no resources', method: 'POST', url: SVC, body: { resources: [] }, status: 400, errorCode: 'ERR_MISSING_FIELD' },
  {
    name: 'file over SHIPMATE_MAX_RESOURCE_BYTES',
    method: 'PUT',
    url: `${SVC}/big.bin`,
    body: { resourceContent: Buffer.alloc(MAX_RESOURCE + 1).toString('base64') },
    status: 413,
    errorCode: 'ERR_RESOURCE_TOO_LARGE',
    message: /8193 bytes.*8192.*SHIPMATE_MAX_RESOURCE_BYTES/,
  },
  {
    name: 'body over the resource body limit',
    method: 'POST',
    url: SVC,
    raw: JSON.stringify(one('big.bin', 'A'.repeat(200_000))),
    status: 413,
    errorCode: 'ERR_RESOURCE_TOO_LARGE',
    message: /the base64 of a file of at most 8192 bytes, and the JSON around it\); send a smaller body or raise SHIPMATE_MAX_RESOURCE_BYTES/,
  },
  // unknown levels, files, commits
  { name: 'unknown project', method: 'GET', url: `${RS}/project/nope/resource`, status: 404, errorCode: 'ERR_PROJECT_NOT_FOUND' },
  {
    name: 'unknown project on write',
    method: 'POST',
    url: `${RS}/project/nope/resource`,
    body: one('x.yaml'),
    status: 404,
    errorCode: 'ERR_PROJECT_NOT_FOUND',
  },
  {
    name: 'unknown stage',
    method: 'GET',
    url: `${RS}/project/shop/stage/qa/resource/x.yaml`,
    status: 404,
    errorCode: 'ERR_STAGE_NOT_FOUND',
  },
  {
    name: 'unknown service',
    method: 'PUT',
    url: `${RS}/project/shop/stage/dev/service/orders/resource/x.yaml`,
    body: { resourceContent: base64('x') },
    status: 404,
    errorCode: 'ERR_SERVICE_NOT_FOUND',
  },
  {
    name: 'service name that escapes',
    method: 'GET',
    url: `${RS}/project/shop/stage/dev/service/..%2F..%2Fmaster/resource`,
    status: 404,
    errorCode: 'ERR_SERVICE_NOT_FOUND',
  },
  {
    name: 'project name that escapes',
    method: 'GET',
    url: `${RS}/project/..%2Fshop/resource`,
    status: 404,
    errorCode: 'ERR_PROJECT_NOT_FOUND',
  },
  { name: 'unknown resource', method: 'GET', url: `${SVC}/nothing.yaml`, status: 404, errorCode: 'ERR_RESOURCE_NOT_FOUND' },
  { name: 'delete unknown resource', method: 'DELETE', url: `${SVC}/nothing.yaml`, status: 404, errorCode: 'ERR_RESOURCE_NOT_FOUND' },
  {
    name: 'unknown gitCommitID',
    method: 'GET',
    url: `${SVC}/metadata.yaml?gitCommitID=0123456789abcdef`,
    status: 404,
    errorCode: 'ERR_COMMIT_NOT_FOUND',
  },
  { name: 'option-like gitCommitID', method: 'GET', url: `${SVC}?gitCommitID=--all`, status: 404, errorCode: 'ERR_COMMIT_NOT_FOUND' },
  { name: 'bad pageSize', method: 'GET', url: `${SVC}?pageSize=x`, status: 400, errorCode: 'ERR_INVALID_PAGINATION' },
];

describe('resource API bad input', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const reply = await sendBadInput(api, c);
    expect(reply.status, JSON.stringify(reply.body)).toBe(c.status);
    expect(reply.body.code).toBe(c.status);
    expect(reply.body.errorCode).toBe(c.errorCode);
    if (c.message) expect(String(reply.body.message)).toMatch(c.message);
  });

  it('wrote nothing: the dev branch has only the files of the project and the service', async () => {
    const listing = await api.call<{ resources: Array<{ resourceURI: string }> }>('GET', `${RS}/project/shop/stage/dev/resource`);
    expect(listing.body.resources.map((r) => r.resourceURI)).toEqual(['carts/metadata.yaml', 'metadata.yaml', 'shipyard.yaml']);
  });

  it('accepts a file whose body is over SHIPMATE_MAX_BODY_BYTES but within SHIPMATE_MAX_RESOURCE_BYTES', async () => {
    const content = Buffer.alloc(MAX_RESOURCE, 7);
    const put = await api.call('PUT', `${SVC}/exact.bin`, { resourceContent: content.toString('base64') });
    expect(put.status).toBe(200);
    const read = await api.call('GET', `${SVC}/exact.bin`);
    expect(Buffer.from(String(read.body.resourceContent), 'base64').equals(content)).toBe(true);
    expect((await api.call('DELETE', `${SVC}/exact.bin`)).status).toBe(200);
  });
});
