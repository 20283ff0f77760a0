import { describe, expect, it } from 'vitest';
import type { AddressRange } from './ip-address.js';
import { cidrContains, classifyIpAddress, ipBytes, parseCidr } from './ip-address.js';

describe('classifyIpAddress', () => {
  // [address, range (undefined: public or not an address), shown]
  const table: Array<[string, AddressRange | undefined, string?]> = [
    ['127.0.0.1', 'loopback', '127.0.0.1'],
    ['127.255.1.2', 'loopback'],
    ['2130706433', 'loopback', '127.0.0.1'],
    ['0x7f.1', 'loopback', '127.0.0.1'],
    ['::1', 'loopback', '::1'],
    ['::ffff:127.0.0.1', 'loopback', '::ffff:127.0.0.1 (127.0.0.1)'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', undefined],
    ['172.15.0.1', undefined],
    ['192.168.0.1', 'private'],
    ['192.169.0.1', undefined],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fe00::1', undefined],
    ['::ffff:10.0.0.1', 'private', '::ffff:10.0.0.1 (10.0.0.1)'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.255', 'shared'],
    ['100.128.0.1', undefined],
    ['100.63.0.1', undefined],
    ['203.0.113.7', undefined],
    ['2001:db8::1', undefined],
    ['example.com', undefined],
    ['1.2.3.4.5', undefined],
  ];
  it.each(table)('%s → %s', (address, kind, shown) => {
    const found = classifyIpAddress(address);
    expect(found?.kind).toBe(kind);
    if (shown !== undefined) expect(found?.address).toBe(shown);
  });
});

describe('ipBytes', () => {
  it('reads IPv4 spellings and IPv4-embedding IPv6 as 4 bytes, other IPv6 as 16', () => {
    expect(ipBytes('0177.0.0.1')).toEqual([127, 0, 0, 1]);
    expect(ipBytes('::ffff:7f00:1')).toEqual([127, 0, 0, 1]);
    expect(ipBytes('::1')).toHaveLength(16);
    expect(ipBytes('2001:db8::1')?.slice(0, 4)).toEqual([0x20, 0x01, 0x0d, 0xb8]);
    expect(ipBytes('not-an-address')).toBeUndefined();
  });
});

describe('parseCidr and cidrContains', () => {
  // [block, canonical (undefined: not a block), inside, outside]
  const table: Array<[string, string | undefined, string[], string[]]> = [
    ['127.0.0.1/32', '127.0.0.1/32', ['127.0.0.1', '::ffff:127.0.0.1'], ['127.0.0.2']],
    ['127.0.0.1', '127.0.0.1/32', ['127.0.0.1'], ['127.0.0.2']],
    ['10.1.2.3/8', '10.0.0.0/8', ['10.255.0.1'], ['11.0.0.1', '::1']],
    ['172.16.0.0/12', '172.16.0.0/12', ['172.31.1.1'], ['172.32.0.1']],
    ['0.0.0.0/0', '0.0.0.0/0', ['8.8.8.8', '127.0.0.1'], ['::1']],
    ['::1', '::1/128', ['::1', '0:0:0:0:0:0:0:1'], ['::2', '127.0.0.1']],
    ['fd00::/8', 'fd00::/8', ['fd12::1'], ['fc00::1']],
    ['::ffff:10.0.0.0/104', '10.0.0.0/8', ['10.9.9.9'], ['11.0.0.0']],
    ['10.0.0.0/33', undefined, [], []],
    ['10.0.0.0/x', undefined, [], []],
    ['10', undefined, [], []],
    ['example.com', undefined, [], []],
    ['2130706433/32', undefined, [], []],
  ];
  it.each(table)('%s → %s', (text, canonical, inside, outside) => {
    const cidr = parseCidr(text);
    expect(cidr?.text).toBe(canonical);
    if (!cidr) return;
    for (const address of inside) expect(cidrContains(cidr, address), address).toBe(true);
    for (const address of outside) expect(cidrContains(cidr, address), address).toBe(false);
  });
});
