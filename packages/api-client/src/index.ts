// Public entry point of @shipmate/api-client: the typed HTTP client of Shipmate's REST API, on
// fetch (browser-safe; Node.js 20 has fetch). Explicit exports only.
export { createApiClient, LONG_POLL_GRACE_MS } from './api-client.js';
export type { ApiClient, CallOptions, LongPollOptions, ResourceLevel } from './api-client.js';
export { resolveApiClientOptions } from './api-client-options.js';
export type { ApiClientOptions, ResolvedApiClientOptions } from './api-client-options.js';
export { ApiError, ApiTimeoutError, ApiUnreachableError, errorAnswerOf } from './api-error.js';
export type { ErrorAnswer } from './api-error.js';
export type { QueryValues, RequestOptions } from './http-transport.js';
export { fetchExchange } from './http-exchange.js';
export type { ApiResponse, HttpExchange, HttpExchangeRequest } from './http-exchange.js';
export { backoffDelayMs, retryAfterMs } from './retry-delay.js';
