import { randomFillSync } from 'node:crypto';

/** Source of unique ids for the core; tests pass a deterministic one. */
export interface IdGenerator {
  /** A new unique id (a UUID in production). */
  newId(): string;
}

const POOL_SIZE = 16 * 512;
const pool = Buffer.alloc(POOL_SIZE);
let poolOffset = POOL_SIZE;

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids made later
 * sort later, so store indexes on ids grow at one edge instead of touching a random page for
 * every insert; they are still valid UUIDs for Keptn clients.
 */
export function uuidV7(nowMs: number = Date.now()): string {
  if (poolOffset + 10 > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(nowMs, 0, 6);
  pool.copy(bytes, 6, poolOffset, poolOffset + 10);
  poolOffset += 10;
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Time-ordered random UUIDs (version 7). */
export const uuidGenerator: IdGenerator = { newId: () => uuidV7() };
