import { describe, expect, it } from 'vitest';
import { ErrorCode, UnprocessableError } from '@shipmate/core';
import type { ResolveHost } from '@shipmate/core';
import { checkWebhookUrl, parseWebhookAllowList } from './webhook-address-policy.js';
import type { WebhookAddressPolicy } from './webhook-address-policy.js';

const TABLE: Record<string, readonly string[]> = {
  'hooks.example.com': ['203.0.113.7'],
  'db.internal': ['10.1.2.3'],
  'mixed.example.com': ['203.0.113.8', '192.168.1.5'],
  'rebound.example.com': ['203.0.113.9', '127.0.0.1'],
  'metadata.example.com': ['169.254.169.254'],
  'cgnat.example.com': ['100.64.1.1'],
  'ula.example.com': ['fd00::5'],
  'cp.example.com': ['198.51.100.10'],
  'alias-of-cp.example.com': ['198.51.100.10'],
  localhost: ['127.0.0.1', '::1'],
};
const resolve: ResolveHost = async (host) => {
  const addresses = TABLE[host];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return addresses;
};

function policy(allow: string[] = [], controlPlaneHosts: string[] = ['cp.example.com']): WebhookAddressPolicy {
  return { allow: parseWebhookAllowList(allow), controlPlaneHosts, resolve };
}

async function outcome(url: string, allow: string[] = []): Promise<string> {
  try {
    const target = await checkWebhookUrl(new URL(url), policy(allow));
    return `ok ${target.address}`;
  } catch (error) {
    expect(error).toBeInstanceOf(UnprocessableError);
    expect((error as UnprocessableError).code).toBe(ErrorCode.webhookAddressDenied);
    return (error as Error).message;
  }
}

describe('webhook address policy', () => {
  // [url, allow list, outcome (ok <address> or the start of the refusal)]
  const table: Array<[string, string[], string]> = [
    ['https://hooks.example.com/x', [], 'ok 203.0.113.7'],
    ['https://203.0.113.1/x', [], 'ok 203.0.113.1'],
    [
      'http://127.0.0.1:8080/x',
      [],
      'refused http://127.0.0.1:8080/x: 127.0.0.1 is a loopback address; allow it with SHIPMATE_WEBHOOK_ALLOW=127.0.0.1/32',
    ],
    ['http://127.0.0.1:8080/x', ['127.0.0.1/32'], 'ok 127.0.0.1'],
    ['http://127.0.0.1:8080/x', ['127.0.0.0/8'], 'ok 127.0.0.1'],
    ['http://127.0.0.2/x', ['127.0.0.1/32'], 'refused http://127.0.0.2/x: 127.0.0.2 is a loopback address'],
    ['http://0x7f.1/x', [], 'refused http://127.0.0.1/x: 127.0.0.1 is a loopback address'],
    ['http://[::1]/x', [], 'refused http://[::1]/x: ::1 is a loopback address; allow it with SHIPMATE_WEBHOOK_ALLOW=::1/128'],
    ['http://[::ffff:127.0.0.1]/x', [], 'is a loopback address; allow it with SHIPMATE_WEBHOOK_ALLOW=127.0.0.1/32'],
    ['http://169.254.169.254/latest/meta-data', [], '169.254.169.254 is a link-local address'],
    ['http://[fe80::1]/x', [], 'fe80::1 is a link-local address'],
    ['http://10.0.0.5/x', [], '10.0.0.5 is a private address; allow it with SHIPMATE_WEBHOOK_ALLOW=10.0.0.5/32'],
    ['http://172.20.0.5/x', [], '172.20.0.5 is a private address'],
    ['http://192.168.1.1/x', [], '192.168.1.1 is a private address'],
    ['http://[fd00::1]/x', [], 'fd00::1 is a private address'],
    ['http://100.100.0.1/x', [], '100.100.0.1 is a shared (carrier-grade NAT) address'],
    ['http://0.0.0.0/x', [], '0.0.0.0 is the unspecified address'],
    ['http://[::]/x', [], ':: is the unspecified address'],
    [
      'http://db.internal/x',
      [],
      'refused http://db.internal/x: db.internal resolves to 10.1.2.3, which is a private address; allow it with SHIPMATE_WEBHOOK_ALLOW=db.internal (or 10.1.2.3/32)',
    ],
    ['http://db.internal/x', ['db.internal'], 'ok 10.1.2.3'],
    ['http://db.internal/x', ['*.internal'], 'ok 10.1.2.3'],
    ['http://db.internal/x', ['10.0.0.0/8'], 'ok 10.1.2.3'],
    ['http://db.internal/x', ['other.internal'], 'which is a private address'],
    ['http://mixed.example.com/x', [], 'mixed.example.com resolves to 192.168.1.5, which is a private address'],
    ['http://rebound.example.com/x', [], 'rebound.example.com resolves to 127.0.0.1, which is a loopback address'],
    ['http://metadata.example.com/x', [], 'which is a link-local address'],
    ['http://cgnat.example.com/x', [], 'which is a shared (carrier-grade NAT) address'],
    [
      'http://ula.example.com/x',
      [],
      'ula.example.com resolves to fd00::5, which is a private address; allow it with SHIPMATE_WEBHOOK_ALLOW=ula.example.com (or fd00::5/128)',
    ],
    ['http://localhost:3000/x', [], 'localhost resolves to 127.0.0.1, which is a loopback address'],
    [
      'https://cp.example.com/api/v1/event',
      [],
      "refused https://cp.example.com/api/v1/event: cp.example.com is the control plane's own host; allow it with SHIPMATE_WEBHOOK_ALLOW=cp.example.com (or 198.51.100.10/32)",
    ],
    ['https://alias-of-cp.example.com/', [], 'alias-of-cp.example.com resolves to 198.51.100.10, which is an address of the control plane'],
    [
      'https://198.51.100.10/',
      [],
      '198.51.100.10 is an address of the control plane; allow it with SHIPMATE_WEBHOOK_ALLOW=198.51.100.10/32',
    ],
    ['https://cp.example.com/', ['cp.example.com'], 'ok 198.51.100.10'],
    ['https://nowhere.example.com/', [], "refused https://nowhere.example.com/: host 'nowhere.example.com' does not resolve (ENOTFOUND)"],
    ['ftp://hooks.example.com/x', [], 'refused ftp://hooks.example.com/x: only http:// and https:// URLs can be called'],
    ['file:///etc/passwd', ['0.0.0.0/0'], 'only http:// and https://'],
  ];
  it.each(table)('%s (allow %j) → %s', async (url, allow, expected) => {
    const result = await outcome(url, allow);
    if (expected.startsWith('ok ')) expect(result).toBe(expected);
    else expect(result).toContain(expected);
  });

  it('connects to the address it checked', async () => {
    expect(await checkWebhookUrl(new URL('http://[fd00::5]/'), policy(['fd00::/8']))).toEqual({ address: 'fd00::5', family: 6 });
    expect(await checkWebhookUrl(new URL('http://hooks.example.com/'), policy())).toEqual({ address: '203.0.113.7', family: 4 });
  });

  // [entries, error (undefined: valid)]
  const lists: Array<[string[], string | undefined]> = [
    [['127.0.0.1/32', ' 10.0.0.0/8 ', 'fd00::/8', '::1', 'hooks.internal', '*.svc.cluster.local', ''], undefined],
    [['10.0.0.0/33'], "SHIPMATE_WEBHOOK_ALLOW entry '10.0.0.0/33' is neither a CIDR block"],
    [['10'], "entry '10' is neither"],
    [['http://x'], "entry 'http://x' is neither"],
    [['bad_name'], "entry 'bad_name' is neither"],
  ];
  it.each(lists)('allow list %j', (entries, error) => {
    if (error === undefined) expect(parseWebhookAllowList(entries).cidrs).toHaveLength(4);
    else expect(() => parseWebhookAllowList(entries)).toThrow(error);
  });
});
