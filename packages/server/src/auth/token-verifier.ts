import { createHash, timingSafeEqual } from 'node:crypto';

/** Checks API tokens against a stored SHA-256 hash in constant time. */
export interface TokenVerifier {
  /** True when `token` is the API token. */
  verify(token: string | undefined): boolean;
}

/** SHA-256 hex of a token, the form tokens are kept in. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A verifier for one token hash (hex SHA-256). */
export function createTokenVerifier(tokenSha256Hex: string): TokenVerifier {
  const expected = Buffer.from(tokenSha256Hex, 'hex');
  return {
    verify(token) {
      if (!token) return false;
      const actual = createHash('sha256').update(token, 'utf8').digest();
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
  };
}
