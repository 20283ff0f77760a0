/**
 * Limits failed authentication per client address, so that tokens cannot be guessed at network
 * speed. Each address has a bucket of `maxFailures` that refills evenly over `windowMs`; a wrong
 * token takes one. An address whose bucket is empty is refused (429) without its token being
 * checked at all, until one failure has refilled: checking would let a guesser go on learning,
 * only slower. Requests that present no token and requests with the right token take nothing, so
 * valid clients are never slowed unless they share an address with a guesser.
 *
 * IPv6 addresses are grouped by their /64 (one host usually owns a whole /64). The table is bounded
 * (`maxAddresses`): when full, the entry seen longest ago is forgotten first.
 */
import { isIPv6 } from 'node:net';
import type { Clock } from '@shipmate/core';

/** Settings of {@link createAuthFailureLimiter}. */
export interface AuthFailureLimiterOptions {
  /** Wrong tokens an address may send per window before it is refused. @default 20 */
  readonly maxFailures?: number;
  /** The window over which `maxFailures` refill. @default 60000 */
  readonly windowMs?: number;
  /** Addresses tracked at once. @default 100000 */
  readonly maxAddresses?: number;
  readonly clock: Clock;
}

/** Per-address accounting of failed authentication. */
export interface AuthFailureLimiter {
  /** Milliseconds until `address` may try a token again, or 0 when it may now. */
  retryAfterMs(address: string): number;
  /** Counts one wrong token from `address`. */
  failed(address: string): void;
  /** Addresses currently tracked (for tests). */
  readonly size: number;
}

interface Bucket {
  /** Failures still allowed, fractional while refilling. */
  tokens: number;
  atMs: number;
}

/** The key an address is counted under: the address itself, or the /64 of an IPv6 address. */
export function addressKey(address: string): string {
  const bare = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  if (!isIPv6(bare)) return bare;
  const [head = '', tail = ''] = bare.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const groups = bare.includes('::')
    ? [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups]
    : headGroups;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, '').toLowerCase())
    .join(':')}::/64`;
}

/** Creates a limiter. */
export function createAuthFailureLimiter(options: AuthFailureLimiterOptions): AuthFailureLimiter {
  const maxFailures = options.maxFailures ?? 20;
  const windowMs = options.windowMs ?? 60_000;
  const maxAddresses = options.maxAddresses ?? 100_000;
  const refillPerMs = maxFailures / windowMs;
  // A Map iterates in insertion order: re-inserting on use keeps the least recently seen first.
  const buckets = new Map<string, Bucket>();

  function current(key: string, nowMs: number): Bucket | undefined {
    const bucket = buckets.get(key);
    if (!bucket) return undefined;
    bucket.tokens = Math.min(maxFailures, bucket.tokens + (nowMs - bucket.atMs) * refillPerMs);
    bucket.atMs = nowMs;
    if (bucket.tokens >= maxFailures) {
      buckets.delete(key);
      return undefined;
    }
    return bucket;
  }

  return {
    retryAfterMs(address) {
      // Every authenticated request asks; without any failure on record there is nothing to find,
      // and the address need not be parsed (Node's IPv6 check is a large regular expression).
      if (buckets.size === 0) return 0;
      const bucket = current(addressKey(address), options.clock.nowMs());
      if (!bucket || bucket.tokens >= 1) return 0;
      return Math.ceil((1 - bucket.tokens) / refillPerMs);
    },
    failed(address) {
      const key = addressKey(address);
      const nowMs = options.clock.nowMs();
      const bucket = current(key, nowMs) ?? { tokens: maxFailures, atMs: nowMs };
      bucket.tokens = Math.max(0, bucket.tokens - 1);
      buckets.delete(key);
      buckets.set(key, bucket);
      while (buckets.size > maxAddresses) {
        const oldest = buckets.keys().next().value;
        if (oldest === undefined) break;
        buckets.delete(oldest);
      }
    },
    get size() {
      return buckets.size;
    },
  };
}
