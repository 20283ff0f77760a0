/**
 * The key that encrypts secrets at rest (docs/secrets.md): from SHIPMATE_SECRET_KEY, or generated
 * on first start into `<data dir>/secret.key` (mode 0600, base64 of 32 random bytes). A key file
 * readable by others, or one that does not hold 32 bytes, stops the start with the fix.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SECRET_KEY_BYTES } from '@shipmate/core';
import { ConfigError } from './config-error.js';

/** Where the generated key lives in the data dir. */
export const SECRET_KEY_FILE = 'secret.key';

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;

/** A 32-byte key given as 64 hex digits or as base64 (standard or URL-safe); `what` names the source. */
export function parseSecretKey(text: string, what: string): Buffer {
  const value = text.trim();
  let key: Buffer | undefined;
  if (HEX_KEY.test(value)) key = Buffer.from(value, 'hex');
  else if (BASE64_KEY.test(value)) key = Buffer.from(value.replaceAll('-', '+').replaceAll('_', '/'), 'base64');
  if (key?.length !== SECRET_KEY_BYTES) {
    throw new ConfigError(
      `${what} is not a 32-byte key (${value.length} characters): give 64 hex digits or the base64 of 32 bytes, e.g. the output of 'openssl rand -base64 32'`,
    );
  }
  return key;
}

/** The key to use and, when the key file was just created, its path (to tell the operator once). */
export function resolveSecretKey(dataDir: string, fromEnv: Buffer | undefined): { key: Buffer; generatedFile?: string } {
  if (fromEnv) return { key: fromEnv };
  const file = join(dataDir, SECRET_KEY_FILE);
  if (existsSync(file)) {
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new ConfigError(
        `${file} has mode 0${mode.toString(8)}, readable by others than its owner: run 'chmod 600 ${file}' (and check who read it; rotate the key if in doubt, docs/secrets.md)`,
      );
    }
    return { key: parseSecretKey(readFileSync(file, 'utf8'), file) };
  }
  const key = randomBytes(SECRET_KEY_BYTES);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return { key, generatedFile: file };
}
