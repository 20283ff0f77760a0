import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '@shipmate/testing';
import { addressKey, createAuthFailureLimiter } from './auth-failure-limiter.js';
import { startInProcessServer, TEST_TOKEN } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';

describe('addressKey', () => {
  it.each([
    ['192.0.2.7', '192.0.2.7'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('counts %s under %s', (address, key) => {
    expect(addressKey(address)).toBe(key);
  });
});

describe('createAuthFailureLimiter', () => {
  it('refuses an address after maxFailures and lets it try again as failures refill', () => {
    const clock = manualClock();
    const limiter = createAuthFailureLimiter({ clock, maxFailures: 3, windowMs: 3000 });
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterMs('192.0.2.1')).toBe(0);
      limiter.failed('192.0.2.1');
    }
    expect(limiter.retryAfterMs('192.0.2.1')).toBe(1000);
    expect(limiter.retryAfterMs('192.0.2.2')).toBe(0);
    clock.advance(400);
    expect(limiter.retryAfterMs('192.0.2.1')).toBe(600);
    clock.advance(600);
    expect(limiter.retryAfterMs('192.0.2.1')).toBe(0);
  });

  it('forgets addresses whose failures have refilled, and keeps at most maxAddresses', () => {
    const clock = manualClock();
    const limiter = createAuthFailureLimiter({ clock, maxFailures: 2, windowMs: 1000, maxAddresses: 3 });
    for (const address of ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']) limiter.failed(address);
    expect(limiter.size).toBe(3);
    clock.advance(1000);
    expect(limiter.retryAfterMs('10.0.0.4')).toBe(0);
    expect(limiter.size).toBe(2);
  });
});

describe('failed authentication over HTTP', () => {
  let api: InProcessServer | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  const call = (server: InProcessServer, token: string | undefined, remoteAddress: string) =>
    server.server.app.inject({
      method: 'POST',
      url: '/api/v1/auth',
      remoteAddress,
      headers: token === undefined ? {} : { 'x-token': token },
    });

  it('answers 429 with Retry-After once an address has sent too many wrong tokens, and only to that address', async () => {
    const clock = manualClock();
    api = await startInProcessServer({ clock, authFailureLimit: 5, authFailureWindowMs: 60_000 });
    for (let i = 0; i < 5; i++) expect((await call(api, `guess-${i}`, '198.51.100.9')).statusCode).toBe(401);
    const refused = await call(api, 'guess-5', '198.51.100.9');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('12');
    expect(JSON.parse(refused.body)).toMatchObject({ code: 429, errorCode: 'ERR_TOO_MANY_AUTH_FAILURES' });
    expect(JSON.parse(refused.body).message).toContain('SHIPMATE_AUTH_FAILURE_LIMIT');
    // While refused, even the right token is not checked from that address: a guesser learns nothing.
    expect((await call(api, TEST_TOKEN, '198.51.100.9')).statusCode).toBe(429);
    // Other addresses, and requests without a token, are not affected.
    expect((await call(api, TEST_TOKEN, '198.51.100.10')).statusCode).toBe(200);
    expect((await call(api, undefined, '198.51.100.9')).statusCode).toBe(401);
    clock.advance(12_000);
    expect((await call(api, TEST_TOKEN, '198.51.100.9')).statusCode).toBe(200);
  });

  it('never counts the right token: a valid client is not slowed by its own traffic', async () => {
    api = await startInProcessServer({ authFailureLimit: 2 });
    for (let i = 0; i < 50; i++) expect((await call(api, TEST_TOKEN, '198.51.100.20')).statusCode).toBe(200);
  });
});
