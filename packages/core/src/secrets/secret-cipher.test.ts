import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretCipher, secretKeyId } from './secret-cipher.js';

const KEY = Buffer.alloc(32, 1);
const OTHER = Buffer.alloc(32, 2);
const PLAIN = Buffer.from('the value');

describe('createSecretCipher', () => {
  it('round-trips with a fresh IV each time and records the key id', () => {
    const cipher = createSecretCipher(KEY);
    const a = cipher.seal(PLAIN, 'secret:x');
    const b = cipher.seal(PLAIN, 'secret:x');
    expect(a.keyId).toBe(secretKeyId(KEY));
    expect(a.keyId).toMatch(/^[0-9a-f]{8}$/);
    expect(a.iv).toHaveLength(12);
    expect(a.tag).toHaveLength(16);
    expect(Buffer.from(a.iv).equals(Buffer.from(b.iv))).toBe(false);
    expect(Buffer.from(a.ciphertext).includes(PLAIN)).toBe(false);
    expect(cipher.open(a, 'secret:x').equals(PLAIN)).toBe(true);
    expect(cipher.openJson(cipher.sealJson({ k: 'v' }, 'c'), 'c')).toEqual({ k: 'v' });
  });

  it('does not open a blob under another context (copied to another record)', () => {
    const cipher = createSecretCipher(KEY);
    expect(() => cipher.open(cipher.seal(PLAIN, 'secret:x'), 'secret:y')).toThrow(/does not decrypt.*altered or belongs to another record/);
  });

  it('detects an altered ciphertext', () => {
    const cipher = createSecretCipher(KEY);
    const blob = cipher.seal(PLAIN, 'c');
    const altered = Buffer.from(blob.ciphertext);
    altered[0] = (altered[0] ?? 0) ^ 1;
    expect(() => cipher.open({ ...blob, ciphertext: altered }, 'c')).toThrow(expect.objectContaining({ code: 'ERR_SECRET_KEY' }));
  });

  it('names the key ids and the fix for a blob of an unknown key', () => {
    const blob = createSecretCipher(OTHER).seal(PLAIN, 'c');
    expect(() => createSecretCipher(KEY).open(blob, 'c')).toThrow(
      new RegExp(`key of id ${secretKeyId(OTHER)}, but the configured key has id ${secretKeyId(KEY)}.*SHIPMATE_SECRET_KEY_PREVIOUS`),
    );
  });

  it('opens blobs of the previous key and seals with the current one', () => {
    const old = createSecretCipher(OTHER).seal(PLAIN, 'c');
    const rotating = createSecretCipher(KEY, OTHER);
    expect(rotating.knows(secretKeyId(OTHER))).toBe(true);
    expect(rotating.open(old, 'c').equals(PLAIN)).toBe(true);
    expect(rotating.seal(PLAIN, 'c').keyId).toBe(secretKeyId(KEY));
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => createSecretCipher(randomBytes(16))).toThrow(/16 bytes; an AES-256 key has exactly 32/);
    expect(() => createSecretCipher(KEY, randomBytes(31))).toThrow(/previous secret key has 31 bytes/);
  });
});
