/**
 * The one call the transport makes per attempt: send a request, read its whole answer. On `fetch`
 * by default (browsers, the CLI); a Node.js client can pass one on undici's `request`, which
 * costs far less CPU per request than fetch's Request, Response and web-stream objects
 * (@shipmate/agent-sdk does: its agents send three requests per task).
 */

/** One request as the transport hands it over. */
export interface HttpExchangeRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array<ArrayBuffer>;
  /** Ends the request: its timeout or the caller's signal. */
  readonly signal: AbortSignal;
}

/** An answer as it came: any status, the whole body. */
export interface ApiResponse {
  status: number;
  statusText: string;
  headers: Headers;
  body: Uint8Array;
}

/** Sends one request and reads its whole answer; rejects when no whole answer came (no connection, aborted). */
export type HttpExchange = (request: HttpExchangeRequest) => Promise<ApiResponse>;

/** The exchange on a `fetch` function. */
export function fetchExchange(fetchFn: typeof fetch): HttpExchange {
  return async ({ method, url, headers, body, signal }) => {
    const response = await fetchFn(url, { method, headers, signal, ...(body === undefined ? {} : { body }) });
    const bytes = new Uint8Array(await response.arrayBuffer());
    return { status: response.status, statusText: response.statusText, headers: response.headers, body: bytes };
  };
}
