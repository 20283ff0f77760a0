import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { isLocalEndpoint, normalizeEndpoint, resolveConnection } from './connection.js';
import type { ConnectionInputs } from './connection.js';

const FILE = '/home/u/.config/shipmate/config.yaml';

function inputs(over: Partial<ConnectionInputs> = {}): ConnectionInputs {
  return { flags: {}, env: {}, file: { path: FILE }, local: { dataDir: '/srv/app/.shipmate', token: undefined }, ...over };
}

describe('resolveConnection', () => {
  const everything = inputs({
    flags: { endpoint: 'http://flag:1', apiToken: 'flag-token' },
    env: {
      SHIPMATE_ENDPOINT: 'http://shipmate-env:2',
      SHIPMATE_API_TOKEN: 'shipmate-env-token',
      KEPTN_ENDPOINT: 'http://keptn-env:3/api',
      KEPTN_API_TOKEN: 'keptn-env-token',
    },
    file: { path: FILE, endpoint: 'http://file:4', apiToken: 'file-token' },
    local: { dataDir: '/srv/app/.shipmate', token: 'local-token' },
  });

  const rows: Array<[string, ConnectionInputs, string, string, string, string]> = [
    ['flags win over everything', everything, 'http://flag:1', 'flag-token', '--endpoint', '--api-token'],
    [
      'SHIPMATE_* come next',
      { ...everything, flags: {} },
      'http://shipmate-env:2',
      'shipmate-env-token',
      'SHIPMATE_ENDPOINT',
      'SHIPMATE_API_TOKEN',
    ],
    [
      "then Keptn's KEPTN_* (its /api dropped)",
      { ...everything, flags: {}, env: { KEPTN_ENDPOINT: everything.env.KEPTN_ENDPOINT, KEPTN_API_TOKEN: 'keptn-env-token' } },
      'http://keptn-env:3',
      'keptn-env-token',
      'KEPTN_ENDPOINT',
      'KEPTN_API_TOKEN',
    ],
    [
      'then the config file',
      { ...everything, flags: {}, env: {} },
      'http://file:4',
      'file-token',
      `the config file ${FILE}`,
      `the config file ${FILE}`,
    ],
    [
      "last the local control plane with `shipmate up`'s token",
      inputs({ local: { dataDir: '/srv/app/.shipmate', token: 'local-token' } }),
      'http://127.0.0.1:8080',
      'local-token',
      'the default (http://127.0.0.1:8080, what `shipmate up` serves)',
      'the token `shipmate up` keeps in /srv/app/.shipmate',
    ],
    [
      'with the address `shipmate up` noted (another port), that address and its token',
      inputs({ local: { dataDir: '/srv/app/.shipmate', token: 'local-token', endpoint: 'http://127.0.0.1:18080' } }),
      'http://127.0.0.1:18080',
      'local-token',
      'the address `shipmate up` noted in /srv/app/.shipmate/local-endpoint',
      'the token `shipmate up` keeps in /srv/app/.shipmate',
    ],
    [
      '`shipmate up` on an address of this host that is not loopback still gets its own token',
      inputs({ local: { dataDir: '/srv/app/.shipmate', token: 'local-token', endpoint: 'https://10.0.0.5:8443' } }),
      'https://10.0.0.5:8443',
      'local-token',
      'the address `shipmate up` noted in /srv/app/.shipmate/local-endpoint',
      'the token `shipmate up` keeps in /srv/app/.shipmate',
    ],
    [
      'the config file comes before the address `shipmate up` noted',
      inputs({
        file: { path: FILE, endpoint: 'http://file:4', apiToken: 'file-token' },
        local: { dataDir: '/srv/app/.shipmate', token: 'local-token', endpoint: 'http://127.0.0.1:18080' },
      }),
      'http://file:4',
      'file-token',
      `the config file ${FILE}`,
      `the config file ${FILE}`,
    ],
    [
      'an empty variable counts as unset',
      inputs({
        env: { SHIPMATE_ENDPOINT: ' ', SHIPMATE_API_TOKEN: '' },
        file: { path: FILE, endpoint: 'http://file:4', apiToken: 'file-token' },
      }),
      'http://file:4',
      'file-token',
      `the config file ${FILE}`,
      `the config file ${FILE}`,
    ],
    [
      "the file's token goes with the file's endpoint only: another endpoint takes the env token",
      inputs({
        flags: { endpoint: 'http://elsewhere:9' },
        env: { KEPTN_API_TOKEN: 'keptn-env-token' },
        file: { path: FILE, endpoint: 'http://file:4', apiToken: 'file-token' },
      }),
      'http://elsewhere:9',
      'keptn-env-token',
      '--endpoint',
      'KEPTN_API_TOKEN',
    ],
    [
      "a flag naming the file's endpoint in another spelling still takes its token",
      inputs({ flags: { endpoint: 'http://file:4/api/' }, file: { path: FILE, endpoint: 'http://file:4', apiToken: 'file-token' } }),
      'http://file:4',
      'file-token',
      '--endpoint',
      `the config file ${FILE}`,
    ],
  ];
  for (const [name, given, endpoint, token, endpointFrom, tokenFrom] of rows) {
    it(name, () => {
      expect(resolveConnection(given)).toEqual({ endpoint, token, endpointFrom, tokenFrom });
    });
  }

  it("never sends the file's token to another endpoint", () => {
    const given = inputs({
      flags: { endpoint: 'https://other.example.com' },
      file: { path: FILE, endpoint: 'http://file:4', apiToken: 'file-token' },
    });
    expect(() => resolveConnection(given)).toThrow(ConfigError);
    expect(() => resolveConnection(given)).toThrow(
      'no API token for https://other.example.com: run `shipmate auth --endpoint https://other.example.com --api-token TOKEN` once, or give --api-token or SHIPMATE_API_TOKEN',
    );
  });

  it("never sends `shipmate up`'s token off this machine", () => {
    expect(() =>
      resolveConnection(
        inputs({ env: { SHIPMATE_ENDPOINT: 'https://shipmate.example.com' }, local: { dataDir: '/d', token: 'local-token' } }),
      ),
    ).toThrow(/^no API token for https:\/\/shipmate\.example\.com/);
    expect(
      resolveConnection(inputs({ env: { SHIPMATE_ENDPOINT: 'http://localhost:9000' }, local: { dataDir: '/d', token: 'local-token' } }))
        .token,
    ).toBe('local-token');
  });

  it('names the file of a noted address that is not a URL', () => {
    expect(() => resolveConnection(inputs({ local: { dataDir: '/d', token: 'local-token', endpoint: 'garbage' } }))).toThrow(
      "the address `shipmate up` noted in /d/local-endpoint 'garbage' is not an http(s) URL; give e.g. http://127.0.0.1:8080",
    );
  });

  it('ignores a broken note when another source names the endpoint', () => {
    const given = inputs({
      env: { SHIPMATE_ENDPOINT: 'http://127.0.0.1:9000' },
      local: { dataDir: '/d', token: 'local-token', endpoint: 'garbage' },
    });
    expect(resolveConnection(given).endpoint).toBe('http://127.0.0.1:9000');
  });

  it('names the source of an endpoint that is not a URL', () => {
    expect(() => resolveConnection(inputs({ env: { KEPTN_ENDPOINT: 'api.keptn.example' } }))).toThrow(
      "KEPTN_ENDPOINT 'api.keptn.example' is not an http(s) URL; give e.g. http://127.0.0.1:8080",
    );
  });
});

describe('normalizeEndpoint and isLocalEndpoint', () => {
  it.each([
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080'],
    ['https://keptn.example.com/api', 'https://keptn.example.com'],
    ['https://example.com/shipmate/api/', 'https://example.com/shipmate'],
  ])('%s is %s', (raw, endpoint) => {
    expect(normalizeEndpoint(raw, '--endpoint')).toBe(endpoint);
  });

  it('refuses other schemes', () => {
    expect(() => normalizeEndpoint('ftp://x', '--endpoint')).toThrow("--endpoint 'ftp://x' is not an http(s) URL");
  });

  it.each([
    ['http://127.0.0.1:8080', true],
    ['http://localhost', true],
    ['http://[::1]:8080', true],
    ['http://10.0.0.1', false],
    ['https://shipmate.example.com', false],
  ])('%s is local: %s', (endpoint, local) => {
    expect(isLocalEndpoint(endpoint)).toBe(local);
  });
});
