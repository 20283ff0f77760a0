import { describe, expect, it } from 'vitest';
import { createTokenVerifier, hashToken } from './token-verifier.js';
import type { TokenVerifier } from './token-verifier.js';
import { verifyOncePerConnection } from './verified-connections.js';

/** The real verifier, counting how often it hashes a token. */
function countingVerifier(token: string): { verifier: TokenVerifier; hashed: () => number } {
  const real = createTokenVerifier(hashToken(token));
  let calls = 0;
  return {
    verifier: {
      verify: (candidate) => {
        calls++;
        return real.verify(candidate);
      },
    },
    hashed: () => calls,
  };
}

describe('verifyOncePerConnection', () => {
  it('hashes the admin token once per connection', () => {
    const { verifier, hashed } = countingVerifier('admin-token');
    const tokens = verifyOncePerConnection(verifier);
    const connection = {};
    expect(tokens.verify(connection, 'admin-token')).toBe(true);
    expect(tokens.verify(connection, 'admin-token')).toBe(true);
    expect(tokens.verify(connection, 'admin-token')).toBe(true);
    expect(hashed()).toBe(1);
    expect(tokens.verify({}, 'admin-token')).toBe(true);
    expect(hashed()).toBe(2);
  });

  it('refuses a wrong token, also on a connection that verified before, and always hashes it', () => {
    const { verifier, hashed } = countingVerifier('admin-token');
    const tokens = verifyOncePerConnection(verifier);
    const connection = {};
    expect(tokens.verify(connection, 'admin-token')).toBe(true);
    expect(tokens.verify(connection, 'guess')).toBe(false);
    expect(tokens.verify(connection, 'guess')).toBe(false);
    expect(tokens.verify(connection, undefined)).toBe(false);
    expect(hashed()).toBe(4);
    const guesser = {};
    expect(tokens.verify(guesser, 'guess')).toBe(false);
    expect(tokens.verify(guesser, 'guess')).toBe(false);
    expect(hashed()).toBe(6);
  });
});
