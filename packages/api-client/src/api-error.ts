/**
 * What a call to the API can fail with. {@link ApiError}: the API answered with an error status;
 * {@link ApiUnreachableError}: no connection (refused, reset, DNS); {@link ApiTimeoutError}: no
 * complete answer within the timeout. A call the caller aborted rejects with the signal's reason.
 */

/** Keptn's error body with Shipmate's stable code, as far as the answer had one. */
export interface ErrorAnswer {
  /** HTTP status of the answer. */
  status: number;
  /** Keptn's `code` (the status again on Keptn's paths), when the body had one. */
  code: number | undefined;
  /** Shipmate's stable `errorCode` (docs/errors.md), when the body had one. */
  errorCode: string | undefined;
  /** Keptn's `message`, else the start of the body, else the status text. */
  message: string;
}

/** The API answered with a status outside 2xx. */
export class ApiError extends Error {
  /** HTTP status of the answer. */
  readonly status: number;
  /** Keptn's `code` of the error body (usually equal to `status`). */
  readonly code: number | undefined;
  /** Shipmate's stable error code, e.g. `ERR_PROJECT_NOT_FOUND` (docs/errors.md). */
  readonly errorCode: string | undefined;
  /** The message of the error body alone (the error's own `message` names method and path too). */
  readonly detail: string;

  constructor(
    readonly method: string,
    readonly path: string,
    answer: ErrorAnswer,
  ) {
    super(`${method} ${path} answered ${answer.status}: ${answer.message}`);
    this.name = 'ApiError';
    this.status = answer.status;
    this.code = answer.code;
    this.errorCode = answer.errorCode;
    this.detail = answer.message;
  }

  /** Worth trying again later: the control plane was overloaded or failing. */
  get transient(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/** No connection to the API: refused, reset, or the name did not resolve. */
export class ApiUnreachableError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly url: string,
    cause: unknown,
  ) {
    super(`${method} ${url}: the control plane is unreachable (${describeCause(cause)})`, { cause });
    this.name = 'ApiUnreachableError';
  }

  /** Always worth trying again later. */
  get transient(): boolean {
    return true;
  }
}

/** The API gave no complete answer within the request's timeout. */
export class ApiTimeoutError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly url: string,
    readonly timeoutMs: number,
  ) {
    super(`${method} ${url}: no answer within ${timeoutMs} ms`);
    this.name = 'ApiTimeoutError';
  }

  /** Always worth trying again later (the request may have had its effect, though). */
  get transient(): boolean {
    return true;
  }
}

/** The error code and message of a failed fetch (undici puts the socket error in `cause`). */
function describeCause(cause: unknown): string {
  const inner = cause instanceof Error && cause.cause instanceof Error ? cause.cause : cause;
  if (inner instanceof Error) {
    const code = (inner as { code?: unknown }).code;
    return typeof code === 'string' && !inner.message.includes(code) ? `${code}: ${inner.message}` : inner.message;
  }
  return String(inner);
}

/** Reads Keptn's `{code, message, errorCode}` from an error answer's body, tolerating any other body. */
export function errorAnswerOf(status: number, statusText: string, body: string): ErrorAnswer {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null) {
      const { code, message, errorCode } = parsed as Record<string, unknown>;
      if (typeof message === 'string') {
        return {
          status,
          code: typeof code === 'number' ? code : undefined,
          errorCode: typeof errorCode === 'string' ? errorCode : undefined,
          message,
        };
      }
    }
  } catch {
    // not JSON: the text is the message
  }
  const text = body.trim().slice(0, 200);
  return { status, code: undefined, errorCode: undefined, message: text === '' ? statusText || 'no body' : text };
}
