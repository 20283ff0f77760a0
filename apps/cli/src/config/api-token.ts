/**
 * The API token: from SHIPMATE_API_TOKEN, or generated on first start and kept hashed
 * (SHA-256, file mode 0600) in the data dir. A generated token is printed once.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashToken } from '@shipmate/server';

/** Where the token hash lives in the data dir. */
export const TOKEN_FILE = 'api-token.sha256';

/** The token hash to use and, when one was just generated, the token itself (to print once). */
export function resolveApiToken(dataDir: string, fromEnv: string | undefined): { sha256: string; generated?: string } {
  if (fromEnv) return { sha256: hashToken(fromEnv) };
  const file = join(dataDir, TOKEN_FILE);
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(stored)) return { sha256: stored };
    throw new Error(`${file} does not hold a SHA-256 token hash; delete it to generate a new token, or set SHIPMATE_API_TOKEN`);
  }
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${hashToken(token)}\n`, { mode: 0o600 });
  return { sha256: hashToken(token), generated: token };
}
