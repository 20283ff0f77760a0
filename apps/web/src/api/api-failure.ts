/**
 * What the UI tells about a failed call: the errors of `@shipmate/api-client` (an error answer, no
 * connection, a timeout) sorted into the four cases a view handles differently.
 */
import { ApiError, ApiTimeoutError, ApiUnreachableError } from '@shipmate/api-client';

/** What went wrong with a call. */
export type ApiFailureKind =
  /** 401: the token is wrong or was revoked. */
  | 'unauthorized'
  /** No answer at all (network, server down, timeout). Worth retrying. */
  | 'unreachable'
  /** 5xx or 429: the server answered but cannot serve now. Worth retrying. */
  | 'unavailable'
  /** Any other 4xx: the request itself was refused (the message says why). */
  | 'refused';

/** A failed call as the views show it. */
export interface ApiFailure {
  readonly kind: ApiFailureKind;
  /** HTTP status; 0 when there was no answer. */
  readonly status: number;
  /** The server's message (Keptn's error body), or what kept the call from an answer. */
  readonly message: string;
  /** Shipmate's stable error code (`ERR_…`), when the answer had one. */
  readonly errorCode?: string | undefined;
  /** True when trying again later may work. */
  readonly retryable: boolean;
}

/** The failure of anything a call threw. */
export function apiFailureOf(error: unknown): ApiFailure {
  if (error instanceof ApiError) {
    const kind: ApiFailureKind =
      error.status === 401 ? 'unauthorized' : error.status === 429 || error.status >= 500 ? 'unavailable' : 'refused';
    return { kind, status: error.status, message: error.detail, errorCode: error.errorCode, retryable: error.transient };
  }
  if (error instanceof ApiUnreachableError) {
    const cause = error.cause instanceof Error ? error.cause.message : String(error.cause);
    return {
      kind: 'unreachable',
      status: 0,
      message: `cannot reach the Shipmate API at ${globalThis.location?.origin ?? error.url} (${cause})`,
      retryable: true,
    };
  }
  if (error instanceof ApiTimeoutError) {
    return {
      kind: 'unreachable',
      status: 0,
      message: `the Shipmate API gave no answer within ${error.timeoutMs / 1000} s`,
      retryable: true,
    };
  }
  return { kind: 'unavailable', status: 0, message: error instanceof Error ? error.message : String(error), retryable: true };
}
