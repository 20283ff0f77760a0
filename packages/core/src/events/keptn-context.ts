import { createHash } from 'node:crypto';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `value` has the textual form of a UUID. */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/**
 * Keptn's rule for a client-supplied `shkeptncontext` that is not a UUID: right-pad to 16 bytes,
 * take the first 16 bytes as the random part of a v4 UUID, set version and variant bits. The same
 * string always maps to the same context.
 */
export function contextFromString(text: string): string {
  const bytes = Buffer.alloc(16, 0x20);
  Buffer.from(text, 'utf8').copy(bytes, 0, 0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Content hash used as the configuration version of an embedded shipyard. */
export function contentVersion(content: string): string {
  return createHash('sha1').update(content).digest('hex');
}
