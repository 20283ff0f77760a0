import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { SECRET_KEY_FILE, parseSecretKey, resolveSecretKey } from './secret-key.js';

const KEY = Buffer.alloc(32, 0xab);

describe('parseSecretKey', () => {
  it('reads 64 hex digits and base64 (standard and URL-safe) of 32 bytes', () => {
    expect(parseSecretKey(KEY.toString('hex'), 'X').equals(KEY)).toBe(true);
    expect(parseSecretKey(KEY.toString('base64'), 'X').equals(KEY)).toBe(true);
    expect(parseSecretKey(`${KEY.toString('base64url')}\n`, 'X').equals(KEY)).toBe(true);
  });

  it.each([['too-short'], [Buffer.alloc(16).toString('base64')], [Buffer.alloc(33).toString('hex')], ['g'.repeat(64)]])(
    'refuses %s naming the source and the fix',
    (value) => {
      expect(() => parseSecretKey(value, 'SHIPMATE_SECRET_KEY')).toThrow(ConfigError);
      expect(() => parseSecretKey(value, 'SHIPMATE_SECRET_KEY')).toThrow(
        /SHIPMATE_SECRET_KEY is not a 32-byte key.*openssl rand -base64 32/,
      );
    },
  );
});

describe('resolveSecretKey', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shipmate-secret-key-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('prefers the key from the environment and writes no file', () => {
    expect(resolveSecretKey(dir, KEY)).toEqual({ key: KEY });
    expect(() => statSync(join(dir, SECRET_KEY_FILE))).toThrow();
  });

  it('generates a key file with mode 0600 on first start and reads it later', () => {
    const first = resolveSecretKey(dir, undefined);
    const file = join(dir, SECRET_KEY_FILE);
    expect(first.generatedFile).toBe(file);
    expect(first.key).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(parseSecretKey(readFileSync(file, 'utf8'), file).equals(first.key)).toBe(true);
    const again = resolveSecretKey(dir, undefined);
    expect(again.generatedFile).toBeUndefined();
    expect(again.key.equals(first.key)).toBe(true);
  });

  it('refuses a key file readable by others, naming the chmod', () => {
    resolveSecretKey(dir, undefined);
    const file = join(dir, SECRET_KEY_FILE);
    chmodSync(file, 0o644);
    expect(() => resolveSecretKey(dir, undefined)).toThrow(ConfigError);
    expect(() => resolveSecretKey(dir, undefined)).toThrow(`has mode 0644, readable by others than its owner: run 'chmod 600 ${file}'`);
  });

  it('refuses a key file of the wrong length', () => {
    const file = join(dir, SECRET_KEY_FILE);
    writeFileSync(file, `${Buffer.alloc(16).toString('base64')}\n`, { mode: 0o600 });
    expect(() => resolveSecretKey(dir, undefined)).toThrow(new RegExp(`${file} is not a 32-byte key`));
  });
});
