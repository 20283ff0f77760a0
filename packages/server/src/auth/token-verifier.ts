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

/** A verifier for token hashes (hex SHA-256): the API token's, and any further ones (e.g. the built-in integrations'). */
export function createTokenVerifier(tokenSha256Hex: string, ...moreSha256Hex: string[]): TokenVerifier {
  const expected = [tokenSha256Hex, ...moreSha256Hex].map((hex) => Buffer.from(hex, 'hex'));
  return {
    verify(token) {
      if (!token) return false;
      const actual = createHash('sha256').update(token, 'utf8').digest();
      // Every hash is compared, whichever matches, so the time says nothing about which.
      let matched = false;
      for (const hash of expected) if (actual.length === hash.length && timingSafeEqual(actual, hash)) matched = true;
      return matched;
    },
  };
}
