/**
 * `shipmate token create|list|revoke` against a real control plane (built by `npm test` first):
 * the created token is printed once and works, the list never shows it, a revoked one gets 401.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeptnApiClient, SHIPMATE_BIN, startServerProcess } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';

const run = promisify(execFile);
let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess();
});
afterAll(async () => {
  await server.stop();
});

async function shipmate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, SHIPMATE_ENDPOINT: server.url, SHIPMATE_API_TOKEN: server.token };
  try {
    const { stdout, stderr } = await run(process.execPath, [SHIPMATE_BIN, 'token', ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('shipmate token', () => {
  it('creates a token printed once, lists it without the token, and revokes it at once', async () => {
    const created = await shipmate('create', 'hardening-plane', '--project', 'shop', '--stage', 'hardening');
    expect(created.code, created.stderr).toBe(0);
    const [, id, token] =
      /id (\S+), role execution-plane, filters projects=shop stages=hardening\)\n(smp_\S+)\n/.exec(created.stdout) ?? [];
    expect(token).toBeDefined();
    const plane = new KeptnApiClient(server.url, token!);
    expect((await plane.request('GET', '/api/v1/metadata')).status).toBe(200);

    const list = await shipmate('list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${id} +hardening-plane +execution-plane +projects=shop stages=hardening +20`, 'm'));
    expect(list.stdout).not.toContain(token);
    const listed = JSON.parse((await shipmate('list', '-o', 'json')).stdout) as Array<{ id: string; name: string; token?: string }>;
    expect(listed.find((entry) => entry.id === id)).toMatchObject({ name: 'hardening-plane' });
    expect(listed.some((entry) => entry.token !== undefined)).toBe(false);

    const revoked = await shipmate('revoke', id!, '--endpoint', server.url, '--api-token', server.token);
    expect(revoked.stderr).toMatch(new RegExp(`revoked token 'hardening-plane' \\(id ${id}\\) at `));
    expect((await plane.request('GET', '/api/v1/metadata')).body).toMatchObject({ code: 401, errorCode: 'ERR_TOKEN_REVOKED' });
    expect((await shipmate('list')).stdout).toMatch(/ projects=shop stages=hardening +\S+ \S+ +\S+ \S+ +20\d\d-/);
  });

  it('says what went wrong with exit 1: a name taken, an unknown id, a plane token used as admin', async () => {
    await shipmate('create', 'twice');
    expect(await shipmate('create', 'twice')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^shipmate token create: a token named 'twice' exists.* \(409\)\n$/),
    });
    expect(await shipmate('revoke', 'nope')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^shipmate token revoke: no token with id 'nope'.*\(404\)\n$/),
    });
    const plane = /\n(smp_\S+)\n/.exec((await shipmate('create', 'plane')).stdout)?.[1] ?? '';
    expect(await shipmate('list', '--api-token', plane)).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^shipmate token list: token 'plane' \(execution-plane\) may not GET \/api\/shipmate\/v1\/token.*\(403\)\n$/,
      ),
    });
  });
});
