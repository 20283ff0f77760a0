/**
 * One HTTP request to the API (on fetch, or on the exchange the client was given), with the token,
 * a timeout per attempt, the caller's AbortSignal, and retries with backoff. Only idempotent
 * requests are retried (GET, HEAD, PUT, DELETE, OPTIONS, or any request marked `idempotent`), and
 * only when the attempt certainly had no answer that matters: no connection, 502, 503 and 504, and
 * 429 after its Retry-After. A timeout is not retried: the request may still be running on the
 * server.
 */
import { ApiError, ApiTimeoutError, ApiUnreachableError, errorAnswerOf } from './api-error.js';
import type { ResolvedApiClientOptions } from './api-client-options.js';
import type { ApiResponse, HttpExchangeRequest } from './http-exchange.js';
import { abortReason, abortableDelay, backoffDelayMs, retryAfterMs } from './retry-delay.js';

/** A query: undefined values are left out. */
export type QueryValues = Readonly<Record<string, string | number | boolean | undefined>>;

/** Per-request settings. */
export interface RequestOptions {
  /** Query parameters. */
  query?: QueryValues;
  /** A JSON body (serialized here), or a string or bytes sent as they are. */
  json?: unknown;
  /** A body sent as it is (with `headers['content-type']` as given). */
  body?: string | Uint8Array<ArrayBuffer>;
  /** Extra headers of this request. */
  headers?: Record<string, string>;
  /** Timeout of each attempt. @default the client's `timeoutMs` */
  timeoutMs?: number;
  /** Ends the request (and any wait before a retry); it rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Whether a retry is safe for this request. @default true for GET, HEAD, PUT, DELETE and OPTIONS */
  idempotent?: boolean;
  /** Further attempts after a retryable failure. @default the client's `retries` */
  retries?: number;
}

export type { ApiResponse } from './http-exchange.js';

/** Sends requests below the client's base URL. */
export interface HttpTransport {
  /** Any answer (no error for a status); throws for no connection, a timeout, or an abort. */
  send(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  /** A 2xx answer's JSON (undefined for an empty body); throws {@link ApiError} for any other status. */
  json<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const RETRY_STATUSES = new Set([429, 502, 503, 504]);
const decoder = new TextDecoder();

/** `path?query` with undefined values left out. */
function withQuery(path: string, query: QueryValues | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text === '' ? path : `${path}${path.includes('?') ? '&' : '?'}${text}`;
}

/** Creates the transport of one client. */
export function createHttpTransport(options: ResolvedApiClientOptions): HttpTransport {
  /** One attempt: the answer with its whole body, read within the timeout. */
  async function attempt(
    path: string,
    request: Omit<HttpExchangeRequest, 'signal'>,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<ApiResponse> {
    const { method, url } = request;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await options.exchange({ ...request, signal: controller.signal });
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      if (timedOut) throw new ApiTimeoutError(method, path, url, timeoutMs);
      throw new ApiUnreachableError(method, path, url, error);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async function send(method: string, path: string, request: RequestOptions = {}): Promise<ApiResponse> {
    const upper = method.toUpperCase();
    const target = withQuery(path, request.query);
    const url = `${options.baseUrl}${target}`;
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers, ...request.headers };
    if (options.token !== '') headers['x-token'] = options.token;
    let body: string | Uint8Array<ArrayBuffer> | undefined = request.body;
    if (request.json !== undefined) {
      body = JSON.stringify(request.json);
      headers['content-type'] = 'application/json';
    }
    const exchange = { method: upper, url, headers, ...(body === undefined ? {} : { body }) };
    const timeoutMs = request.timeoutMs ?? options.timeoutMs;
    const retries = (request.idempotent ?? IDEMPOTENT_METHODS.has(upper)) ? (request.retries ?? options.retries) : 0;
    for (let retry = 0; ; retry += 1) {
      const last = retry >= retries;
      let answer: ApiResponse;
      try {
        answer = await attempt(target, exchange, timeoutMs, request.signal);
      } catch (error) {
        if (last || !(error instanceof ApiUnreachableError)) throw error;
        await abortableDelay(backoffDelayMs(retry + 1, options.retryBaseDelayMs, options.retryMaxDelayMs), request.signal);
        continue;
      }
      if (last || !RETRY_STATUSES.has(answer.status)) return answer;
      const asked = answer.status === 429 ? retryAfterMs(answer.headers.get('retry-after'), Date.now()) : undefined;
      const delay = asked ?? backoffDelayMs(retry + 1, options.retryBaseDelayMs, options.retryMaxDelayMs);
      await abortableDelay(Math.min(delay, options.retryMaxDelayMs), request.signal);
    }
  }

  return {
    send,
    async json<T>(method: string, path: string, request: RequestOptions = {}): Promise<T> {
      const answer = await send(method, path, request);
      const text = decoder.decode(answer.body);
      const target = withQuery(path, request.query);
      if (answer.status < 200 || answer.status > 299) {
        throw new ApiError(method.toUpperCase(), target, errorAnswerOf(answer.status, answer.statusText, text));
      }
      if (text.trim() === '') return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new ApiError(method.toUpperCase(), target, {
          status: answer.status,
          code: undefined,
          errorCode: undefined,
          message: `the answer is not JSON: ${text.slice(0, 200)}`,
        });
      }
    },
  };
}
