/** Options of {@link createApiClient}, resolved once. */
import { fetchExchange } from './http-exchange.js';
import type { HttpExchange } from './http-exchange.js';

/** How a client reaches the API. */
export interface ApiClientOptions {
  /** The API endpoint ending in `/api`, e.g. `https://shipmate.example.com/api`. */
  baseUrl: string;
  /** The API token, sent as `x-token`. @default '' (no header) */
  token?: string;
  /** Timeout of one attempt of a request (the long polls add their wait to it). @default 30000 */
  timeoutMs?: number;
  /** Further attempts of an idempotent request after a connection error, 429, 502, 503 or 504. @default 2 */
  retries?: number;
  /** Delay before the first retry; doubles with each further one (with jitter). @default 200 */
  retryBaseDelayMs?: number;
  /** Longest delay between attempts, also for a 429's Retry-After. @default 10000 */
  retryMaxDelayMs?: number;
  /** Headers sent with every request. @default {} */
  headers?: Record<string, string>;
  /**
   * The fetch to use, e.g. one with a TLS-configured dispatcher in Node.js.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch;
  /**
   * Sends each request instead of `fetch` (not together with it): e.g. one on undici's `request`
   * in Node.js, which takes a fraction of fetch's CPU per request (http-exchange.ts).
   */
  exchange?: HttpExchange;
}

/** {@link ApiClientOptions} with every default applied. */
export interface ResolvedApiClientOptions {
  readonly baseUrl: string;
  readonly token: string;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly headers: Readonly<Record<string, string>>;
  /** `exchange`, or one on `fetch`. */
  readonly exchange: HttpExchange;
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a number >= 0, got ${value}`);
  return value;
}

/** Applies the defaults and checks the numbers; throws a RangeError naming a bad option. */
export function resolveApiClientOptions(options: ApiClientOptions): ResolvedApiClientOptions {
  let parsed: URL;
  try {
    parsed = new URL(options.baseUrl);
  } catch {
    throw new RangeError(`baseUrl '${options.baseUrl}' is not a URL; give the API endpoint, e.g. http://localhost:8080/api`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new RangeError(`baseUrl '${options.baseUrl}' must be http: or https:`);
  }
  if (options.fetch !== undefined && options.exchange !== undefined)
    throw new RangeError('pass options.fetch or options.exchange, not both: the exchange sends the requests itself');
  if (options.fetch === undefined && options.exchange === undefined && typeof globalThis.fetch !== 'function')
    throw new RangeError('no global fetch here: pass options.fetch or options.exchange');
  return Object.freeze({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    token: options.token ?? '',
    timeoutMs: nonNegative(options.timeoutMs ?? 30_000, 'timeoutMs'),
    retries: Math.floor(nonNegative(options.retries ?? 2, 'retries')),
    retryBaseDelayMs: nonNegative(options.retryBaseDelayMs ?? 200, 'retryBaseDelayMs'),
    retryMaxDelayMs: nonNegative(options.retryMaxDelayMs ?? 10_000, 'retryMaxDelayMs'),
    headers: Object.freeze({ ...options.headers }),
    exchange:
      options.exchange ??
      // A bare reference to globalThis.fetch called as a method of another object throws "Illegal invocation" in browsers.
      fetchExchange(options.fetch ?? ((input: Parameters<typeof fetch>[0], init?: RequestInit) => globalThis.fetch(input, init))),
  });
}
