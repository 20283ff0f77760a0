import { describe, expect, it } from 'vitest';
import { parseApiEndpoint } from './api-endpoint.js';

describe('parseApiEndpoint', () => {
  it.each([
    ['https://cp.example.com/api', { base: 'https://cp.example.com/api', secure: true, host: 'cp.example.com', port: 443 }],
    ['http://cp.example.com/api/', { base: 'http://cp.example.com/api', secure: false, host: 'cp.example.com', port: 80 }],
    ['  http://127.0.0.1:8080/api ', { base: 'http://127.0.0.1:8080/api', secure: false, host: '127.0.0.1', port: 8080 }],
    ['https://[::1]:8443/api', { base: 'https://[::1]:8443/api', secure: true, host: '::1', port: 8443 }],
    ['https://cp.example.com/keptn/api', { base: 'https://cp.example.com/keptn/api', secure: true, host: 'cp.example.com', port: 443 }],
  ])('accepts %o', (raw, endpoint) => {
    expect(parseApiEndpoint(raw)).toEqual({ ok: true, endpoint });
  });

  it.each([
    ['', /KEPTN_API_ENDPOINT is not set/, /e\.g\. https:\/\/cp\.example\.com\/api/],
    ['cp.example.com/api', /has no scheme/, /https:\/\/cp\.example\.com\/api$/],
    ['cp.example.com', /has no scheme/, /https:\/\/cp\.example\.com\/api$/],
    ['ftp://cp.example.com/api', /scheme 'ftp'/, /use https:\/\//],
    [
      'https://cp.example.com',
      /does not end with \/api/,
      /^KEPTN_API_ENDPOINT must end with \/api, e\.g\. KEPTN_API_ENDPOINT=https:\/\/cp\.example\.com\/api$/,
    ],
    ['https://cp.example.com/keptn', /does not end with \/api/, /KEPTN_API_ENDPOINT=https:\/\/cp\.example\.com\/keptn\/api$/],
    ['https://cp.example.com/api/api', /has \/api twice/, /without \/api.*KEPTN_API_ENDPOINT=https:\/\/cp\.example\.com\/api$/],
    ['https://cp.example.com/api/v1', /continues after \/api \('\/v1'\)/, /KEPTN_API_ENDPOINT=https:\/\/cp\.example\.com\/api$/],
    ['https://cp.example.com/api?x=1', /query or fragment/, /KEPTN_API_ENDPOINT=https:\/\/cp\.example\.com\/api$/],
    ['https://exa mple.com/api', /is not a URL/, /e\.g\./],
  ])('rejects %o with cause and fix', (raw, cause, fix) => {
    const parsed = parseApiEndpoint(raw);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.cause).toMatch(cause);
    expect(parsed.fix).toMatch(fix);
  });

  it('names the flag when the endpoint came from --endpoint', () => {
    const parsed = parseApiEndpoint('http://x', '--endpoint');
    expect(parsed).toMatchObject({ ok: false, fix: '--endpoint must end with /api, e.g. --endpoint=http://x/api' });
  });
});
