import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors/error-codes.js';
import { UnprocessableError } from '../errors/errors.js';
import { STRICT_UPSTREAM_HOSTS, enforceUpstreamCredentialsPolicy, enforceUpstreamHostPolicy } from './upstream-host-policy.js';
import type { ResolveHost } from './upstream-host-policy.js';
import { upstreamTarget } from './upstream-target.js';

/** A resolver over a fixed table; unknown names do not resolve. */
const resolver =
  (table: Record<string, readonly string[]>): ResolveHost =>
  async (host) => {
    const addresses = table[host];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses;
  };

const dns = resolver({
  'git.example.com': ['203.0.113.7'],
  'internal.example.com': ['10.1.2.3', '192.168.4.5', '172.20.0.1'],
  'rebound.example.com': ['203.0.113.8', '127.0.0.1'],
  'metadata.example.com': ['169.254.169.254'],
  'v6-loop.example.com': ['::1'],
  'mapped.example.com': ['::ffff:127.0.0.1'],
});

async function refusal(url: string, policy = STRICT_UPSTREAM_HOSTS): Promise<string | undefined> {
  try {
    await enforceUpstreamHostPolicy(url, 'gitCredentials.remoteURL', policy, dns);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(UnprocessableError);
    expect((error as UnprocessableError).code).toBe(ErrorCode.upstreamHostDenied);
    return (error as Error).message;
  }
}

describe('upstream host policy (default: no local repositories, not the own host)', () => {
  // [url, what the refusal names (undefined: allowed)]
  const table: Array<[string, string | undefined]> = [
    ['https://git.example.com/org/repo.git', undefined],
    ['http://internal.example.com/repo.git', undefined],
    ['https://10.0.0.5/repo.git', undefined],
    ['https://172.16.0.1/repo.git', undefined],
    ['https://192.168.1.10:8443/repo.git', undefined],
    ['ssh://git@git.example.com/org/repo.git', undefined],
    ['git@git.example.com:org/repo.git', undefined],
    ['https://unresolvable.example.com/repo.git', undefined],
    ['https://[2001:db8::1]/repo.git', undefined],
    ['file:///var/lib/shipmate/repositories/other.git', 'file:// or a local path'],
    ['FILE:///srv/x.git', 'file:// or a local path'],
    ['/var/lib/shipmate/repositories/other.git', 'file:// or a local path'],
    ['./other.git', 'file:// or a local path'],
    ['ext::sh -c touch% /tmp/pwned', 'file:// or a local path'],
    ['http://127.0.0.1:9000/x.git', 'a loopback address (127.0.0.1)'],
    ['https://127.1.2.3/x.git', 'a loopback address (127.1.2.3)'],
    ['http://[::1]:8080/x.git', 'a loopback address (::1)'],
    ['http://[0:0:0:0:0:0:0:1]/x.git', 'a loopback address'],
    ['http://[::ffff:127.0.0.1]/x.git', 'a loopback address (::ffff:127.0.0.1 (127.0.0.1))'],
    ['http://[::ffff:7f00:1]/x.git', 'a loopback address'],
    ['http://[64:ff9b::7f00:1]/x.git', 'a loopback address'],
    ['http://2130706433/x.git', 'a loopback address (127.0.0.1)'],
    ['http://0x7f.1/x.git', 'a loopback address (127.0.0.1)'],
    ['http://0x7f000001/x.git', 'a loopback address (127.0.0.1)'],
    ['http://0177.0.0.1/x.git', 'a loopback address (127.0.0.1)'],
    ['http://127.1/x.git', 'a loopback address (127.0.0.1)'],
    ['http://%31%32%37.0.0.1/x.git', 'a loopback address (127.0.0.1)'],
    ['http://user:pw@127.0.0.1/x.git', 'a loopback address (127.0.0.1)'],
    ['http://localhost:3000/x.git', 'a loopback address (localhost)'],
    ['http://LOCALHOST./x.git', 'a loopback address (localhost)'],
    ['http://api.localhost/x.git', 'a loopback address (api.localhost)'],
    ['http://0.0.0.0:8080/x.git', 'the unspecified address (0.0.0.0)'],
    ['http://0/x.git', 'the unspecified address (0.0.0.0)'],
    ['http://[::]/x.git', 'the unspecified address (::)'],
    ['http://169.254.169.254/latest/meta-data', 'a link-local address (169.254.169.254)'],
    ['http://[fe80::1%25eth0]/x.git', 'a link-local address'],
    ['http://[febf::1]/x.git', 'a link-local address'],
    ['ssh://git@127.0.0.1:2222/x.git', 'a loopback address (127.0.0.1)'],
    ['ssh://git@[::1]:2222/x.git', 'a loopback address (::1)'],
    ['ssh://2130706433/x.git', 'a loopback address (127.0.0.1)'],
    ['git@127.0.0.1:x.git', 'a loopback address (127.0.0.1)'],
    ['localhost:x.git', 'a loopback address (localhost)'],
    ['git@[::1]:x.git', 'a loopback address (::1)'],
    ['[git@127.0.0.1:2222]:x.git', 'a loopback address (127.0.0.1)'],
    ['git://0x7f.0.0.1/x.git', 'a loopback address (127.0.0.1)'],
    ['https://rebound.example.com/x.git', "host 'rebound.example.com', which resolves to a loopback address (127.0.0.1)"],
    ['https://metadata.example.com/x.git', "host 'metadata.example.com', which resolves to a link-local address (169.254.169.254)"],
    ['https://v6-loop.example.com/x.git', "host 'v6-loop.example.com', which resolves to a loopback address (::1)"],
    ['https://mapped.example.com/x.git', "host 'mapped.example.com', which resolves to a loopback address"],
    ['git@rebound.example.com:x.git', "host 'rebound.example.com', which resolves to a loopback address"],
  ];
  it.each(table)('%s → %s', async (url, named) => {
    const message = await refusal(url);
    if (named === undefined) expect(message).toBeUndefined();
    else expect(message).toContain(named);
  });

  it('names the setting, the value, the rule and the opt-in', async () => {
    expect(await refusal('http://127.0.0.1:9000/x.git')).toBe(
      "gitCredentials.remoteURL 'http://127.0.0.1:9000/x.git' points at a loopback address (127.0.0.1); upstreams may not reach the control plane's own host. Set SHIPMATE_UPSTREAM_ALLOW_LOOPBACK=true to allow it (single-host setups)",
    );
    expect(await refusal('file:///srv/x.git')).toContain('SHIPMATE_UPSTREAM_ALLOW_FILE=true');
    expect(await refusal('http://169.254.169.254/')).toContain('cloud metadata');
  });

  it('allows local repositories with allowFile, and the own host with allowLoopback, each alone', async () => {
    const files = { allowFile: true, allowLoopback: false };
    const loopback = { allowFile: false, allowLoopback: true };
    expect(await refusal('file:///srv/x.git', files)).toBeUndefined();
    expect(await refusal('http://127.0.0.1:9000/x.git', files)).toContain('loopback');
    expect(await refusal('http://127.0.0.1:9000/x.git', loopback)).toBeUndefined();
    expect(await refusal('https://rebound.example.com/x.git', loopback)).toBeUndefined();
    expect(await refusal('file:///srv/x.git', loopback)).toContain('file://');
  });

  it('applies the host rule to the https proxy, also without a scheme', async () => {
    const check = (url: string) =>
      enforceUpstreamCredentialsPolicy(
        { remoteURL: 'https://git.example.com/x.git', https: { proxy: { url } } },
        STRICT_UPSTREAM_HOSTS,
        dns,
      );
    await expect(check('127.0.0.1:3128')).rejects.toThrow(
      "gitCredentials.https.proxy.url 'http://127.0.0.1:3128' points at a loopback address",
    );
    await expect(check('http://metadata.example.com:80')).rejects.toThrow('link-local');
    await expect(check('proxy.internal.example.com:3128')).resolves.toBeUndefined();
  });

  it('reads hosts as git does', () => {
    expect(upstreamTarget('https://user:p%40ss@Git.Example.com:8443/a/b.git')).toEqual({ kind: 'network', host: 'git.example.com' });
    expect(upstreamTarget('ssh://git@host.example.com:22/a.git')).toEqual({ kind: 'network', host: 'host.example.com' });
    expect(upstreamTarget('deploy@host.example.com:a/b.git')).toEqual({ kind: 'network', host: 'host.example.com' });
    expect(upstreamTarget('relative/dir:with-colon')).toEqual({ kind: 'local' });
  });
});
