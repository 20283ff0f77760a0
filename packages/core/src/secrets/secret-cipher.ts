/**
 * Encryption of secret blobs at rest (ARCHITECTURE.md §5): AES-256-GCM with a random 12-byte IV
 * per blob and the 16-byte authentication tag stored beside the ciphertext. Every blob records the
 * id of the key that sealed it, so a key rotation knows what to re-encrypt and a wrong key is
 * reported as such instead of as corrupt data. A `context` string (for example `secret:<name>`) is
 * bound to the blob as additional authenticated data: a blob copied to another record does not
 * open. Reusable for any secret Shipmate keeps (secrets API, project git credentials).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ErrorCode } from '../errors/error-codes.js';
import { UnavailableError } from '../errors/errors.js';

/** Length of an AES-256 key in bytes. */
export const SECRET_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** An encrypted blob as stored. */
export interface SealedBlob {
  /** {@link secretKeyId} of the key that sealed it. */
  keyId: string;
  iv: Uint8Array;
  tag: Uint8Array;
  ciphertext: Uint8Array;
}

/** Seals and opens blobs with the current key; opens blobs of the previous key during a rotation. */
export interface SecretCipher {
  /** Id of the current key: new blobs carry it. */
  readonly keyId: string;
  /** Whether blobs of that key id can be opened (current or previous key). */
  knows(keyId: string): boolean;
  /** Encrypts `plaintext` with the current key, bound to `context`. */
  seal(plaintext: Uint8Array, context: string): SealedBlob;
  /** Decrypts a blob sealed with the same `context`; throws `ERR_SECRET_KEY` for an unknown key or a failed check. */
  open(blob: SealedBlob, context: string): Buffer;
  /** Convenience: seals a JSON value. */
  sealJson(value: unknown, context: string): SealedBlob;
  /** Convenience: opens a blob made by {@link SecretCipher.sealJson}. */
  openJson(blob: SealedBlob, context: string): unknown;
}

/** The key's id: the first 8 hex digits of its SHA-256 (names the key without revealing it). */
export function secretKeyId(key: Uint8Array): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

function checkKey(key: Uint8Array, what: string): void {
  if (key.length !== SECRET_KEY_BYTES) {
    throw new UnavailableError(ErrorCode.secretKey, `the ${what} secret key has ${key.length} bytes; an AES-256 key has exactly 32`);
  }
}

/** A cipher with the `current` key and, while rotating, the `previous` one (open only). */
export function createSecretCipher(current: Uint8Array, previous?: Uint8Array): SecretCipher {
  checkKey(current, 'current');
  if (previous) checkKey(previous, 'previous');
  const keys = new Map<string, Uint8Array>([[secretKeyId(current), current]]);
  if (previous && !keys.has(secretKeyId(previous))) keys.set(secretKeyId(previous), previous);
  const keyId = secretKeyId(current);

  function seal(plaintext: Uint8Array, context: string): SealedBlob {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', current, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { keyId, iv, tag: cipher.getAuthTag(), ciphertext };
  }

  function open(blob: SealedBlob, context: string): Buffer {
    const key = keys.get(blob.keyId);
    if (!key) {
      throw new UnavailableError(
        ErrorCode.secretKey,
        `'${context}' was encrypted with the key of id ${blob.keyId}, but the configured key has id ${keyId}${keys.size > 1 ? ` and the previous one ${[...keys.keys()][1]}` : ''}; set SHIPMATE_SECRET_KEY to the key it was encrypted with (or put that key in SHIPMATE_SECRET_KEY_PREVIOUS to rotate to the new one)`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, blob.iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(blob.tag);
      return Buffer.concat([decipher.update(blob.ciphertext), decipher.final()]);
    } catch {
      throw new UnavailableError(
        ErrorCode.secretKey,
        `'${context}' does not decrypt with the key of id ${blob.keyId}: the stored data was altered or belongs to another record; restore it from a backup or write the secret again`,
      );
    }
  }

  return {
    keyId,
    knows: (id) => keys.has(id),
    seal,
    open,
    sealJson: (value, context) => seal(Buffer.from(JSON.stringify(value), 'utf8'), context),
    openJson: (blob, context) => JSON.parse(open(blob, context).toString('utf8')) as unknown,
  };
}
