import { describe, expect, it } from 'vitest';
import { checkDns } from './dns-check.js';

describe('checkDns', () => {
  it('skips the lookup for IP addresses', async () => {
    expect(await checkDns('127.0.0.1')).toMatchObject({ ok: true, value: ['127.0.0.1'] });
    expect(await checkDns('::1')).toMatchObject({ ok: true, value: ['::1'] });
  });

  it('resolves localhost through the system resolver', async () => {
    const result = await checkDns('localhost');
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.length).toBeGreaterThan(0);
  });

  it('fails an unknown host with the hostname fix', async () => {
    // .invalid never resolves (RFC 2606); without a DNS server the code is EAI_AGAIN instead.
    const result = await checkDns('no-such-host.invalid');
    expect(result).toMatchObject({ ok: false, summary: 'DNS: no-such-host.invalid does not resolve' });
    if (!result.ok) expect(result.cause).toMatch(/no-such-host\.invalid.*\((ENOTFOUND|EAI_AGAIN)\)/);
  });
});
