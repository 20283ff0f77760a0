/**
 * The token of the built-in integrations `shipmate server` runs itself. Kept apart from the
 * built-in registry (built-in-integrations.ts) because it hashes with the server's hashToken: the
 * execution plane (`shipmate agent --integration`) loads the registry and must not load the server.
 */
import { randomBytes } from 'node:crypto';
import { hashToken } from '@shipmate/server';

/** A token for the built-ins of this process: give `sha256` to the server, `token` to the integrations. */
export function builtInToken(): { token: string; sha256: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, sha256: hashToken(token) };
}
