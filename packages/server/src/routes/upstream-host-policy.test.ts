/**
 * The default upstream host policy at the API: local repositories and the control plane's own host
 * are refused with 422 when a project is created or updated, and a name that re-resolves to
 * loopback later (DNS rebinding) is refused again before the push, shown in the upstream status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolveHost, UpstreamStatus } from '@shipmate/core';
import { shipyardYaml, waitFor } from '@shipmate/testing';
import type { GitUpstream } from '@shipmate/testing';
import { base64 } from '../test-support/in-process-server.js';
import { startMirroredServer } from '../test-support/mirrored-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';

const CP = '/api/controlPlane/v1';
const SHIPYARD = base64(shipyardYaml({ dev: ['deployment'] }, { name: 'guarded' }));

/** A resolver the test controls: `rebind.example.com` answers a public address until `rebound` is set. */
let rebound = false;
const resolveHost: ResolveHost = async (host) => {
  switch (host) {
    case 'public.example.com':
      return ['203.0.113.10'];
    case 'loop.example.com':
      return ['203.0.113.11', '127.0.0.1'];
    case 'metadata.example.com':
      return ['169.254.169.254'];
    case 'rebind.example.com':
      return rebound ? ['127.0.0.1'] : ['203.0.113.12'];
    default:
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  }
};

let api: InProcessServer;
let local: GitUpstream;

beforeAll(async () => {
  // No `hosts`: the defaults under test.
  ({ api, upstream: local } = await startMirroredServer({ resolveHost }));
});

afterAll(async () => {
  await api.close();
  local.cleanup();
});

describe('upstream host policy by default', () => {
  const refused: Array<[string, Record<string, unknown>, string]> = [
    ['a file:// URL of another repository on this host', { remoteURL: '' }, "is a repository on the control plane's own disk"],
    ['a loopback address', { remoteURL: 'http://127.0.0.1:9000/x.git' }, 'points at a loopback address (127.0.0.1)'],
    ['a decimal spelling of loopback', { remoteURL: 'http://2130706433/x.git' }, 'points at a loopback address (127.0.0.1)'],
    ['a hex spelling of loopback', { remoteURL: 'http://0x7f.1/x.git' }, 'points at a loopback address (127.0.0.1)'],
    ['IPv6 loopback', { remoteURL: 'https://[::1]:8443/x.git' }, 'points at a loopback address (::1)'],
    ['IPv4-mapped loopback', { remoteURL: 'https://[::ffff:127.0.0.1]/x.git' }, 'points at a loopback address'],
    ['localhost', { remoteURL: 'http://localhost:8080/x.git' }, 'points at a loopback address (localhost)'],
    ['the unspecified address', { remoteURL: 'http://0.0.0.0:8080/x.git' }, 'points at the unspecified address (0.0.0.0)'],
    ['the cloud metadata address', { remoteURL: 'http://169.254.169.254/x.git' }, 'points at a link-local address (169.254.169.254)'],
    ['IPv6 link-local', { remoteURL: 'http://[fe80::1]/x.git' }, 'points at a link-local address (fe80::1)'],
    [
      'a name resolving to loopback',
      { remoteURL: 'https://loop.example.com/x.git' },
      "host 'loop.example.com', which resolves to a loopback address (127.0.0.1)",
    ],
    [
      'a name resolving to the metadata address',
      { remoteURL: 'https://metadata.example.com/x.git' },
      'resolves to a link-local address (169.254.169.254)',
    ],
    ['ssh to loopback', { remoteURL: 'ssh://git@127.0.0.1:2222/x.git' }, 'points at a loopback address (127.0.0.1)'],
    [
      'an https proxy on loopback',
      { remoteURL: 'https://public.example.com/x.git', https: { proxy: { url: '127.0.0.1:3128', scheme: 'http' } } },
      "gitCredentials.https.proxy.url 'http://127.0.0.1:3128' points at a loopback address",
    ],
  ];

  it.each(refused)('refuses %s with 422 naming the rule and the setting, and creates nothing', async (_what, credentials, named) => {
    const gitCredentials = credentials.remoteURL === '' ? { remoteURL: local.url } : credentials;
    const reply = await api.call('POST', `${CP}/project`, { name: 'guarded', shipyard: SHIPYARD, gitCredentials });
    expect(reply.status, JSON.stringify(reply.body)).toBe(422);
    expect(reply.body.errorCode).toBe('ERR_UPSTREAM_HOST_DENIED');
    expect(reply.body.message).toContain(named);
    expect(reply.body.message).toMatch(/[Ss]et SHIPMATE_UPSTREAM_ALLOW_(FILE|LOOPBACK)=true/);
    expect((await api.call('GET', `${CP}/project/guarded`)).status).toBe(404);
  });

  it('refuses the same on PUT /project and keeps the project as it was', async () => {
    expect((await api.call('POST', `${CP}/project`, { name: 'kept', shipyard: SHIPYARD })).status).toBe(201);
    const reply = await api.call('PUT', `${CP}/project`, { name: 'kept', gitCredentials: { remoteURL: 'http://127.0.0.1:1/x.git' } });
    expect(reply.status).toBe(422);
    expect(reply.body.message).toContain("gitCredentials.remoteURL 'http://127.0.0.1:1/x.git' points at a loopback address (127.0.0.1)");
    expect((await api.call('GET', `${CP}/project/kept/upstream`)).status).toBe(404);
  });

  it('refuses a name that re-resolved to loopback before the push, and shows it in the upstream status', async () => {
    rebound = false;
    const created = await api.call('POST', `${CP}/project`, {
      name: 'rebinding',
      shipyard: SHIPYARD,
      gitCredentials: { remoteURL: 'https://rebind.example.com/x.git' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    rebound = true;
    const status = await waitFor('the refusal in the upstream status', async () => {
      const reply = await api.call<UpstreamStatus>('GET', `${CP}/project/rebinding/upstream`);
      return reply.body.lastError?.message.includes('loopback') ? reply.body : undefined;
    });
    expect(status.state).toBe('failing');
    expect(status.lastError?.message).toBe(
      "gitCredentials.remoteURL 'https://rebind.example.com/x.git' points at host 'rebind.example.com', which resolves to a loopback address (127.0.0.1); upstreams may not reach the control plane's own host. Set SHIPMATE_UPSTREAM_ALLOW_LOOPBACK=true to allow it (single-host setups)",
    );
  });
});
