/**
 * Remembers, per keep-alive connection, the admin token that connection last presented and that
 * verified, so that the next request on it with the same token skips the SHA-256 and the
 * constant-time compares of the token verifier (a client such as an execution plane sends the
 * same token on every request of its connection; the hash was ~2 % of the intake's CPU).
 *
 * Why a plain `===` is safe here: the remembered string was sent on this same connection and
 * verified; a guesser's connection never has one, so its guesses are always hashed and compared
 * in constant time, and it learns nothing from the time of a comparison with its own input.
 * The admin token cannot change while the server runs (the verifier is built once at start), so
 * a remembered token never outlives its validity. Only the admin token is remembered: created
 * (plane) tokens can be revoked at any time and are looked up on every request.
 */
import type { TokenVerifier } from './token-verifier.js';

/** Verifies the admin token, once per connection and token. */
export interface ConnectionTokenVerifier {
  /** True when `token` is the admin token; `connection` is the request's socket. */
  verify(connection: object, token: string | undefined): boolean;
}

/** Wraps `verifier` with a memory of the token each connection last verified with. */
export function verifyOncePerConnection(verifier: TokenVerifier): ConnectionTokenVerifier {
  // Weak: a closed connection's entry goes with its socket.
  const verified = new WeakMap<object, string>();
  return {
    verify(connection, token) {
      if (token !== undefined && verified.get(connection) === token) return true;
      if (!verifier.verify(token)) return false;
      if (token !== undefined) verified.set(connection, token);
      return true;
    },
  };
}
