/**
 * Which PostgreSQL failures are transient. A server that cannot be reached, refuses the login,
 * runs out of connections or memory, is shutting down, cancels a statement that ran past
 * `statement_timeout`, or picks this transaction as a deadlock or serialization victim can all
 * go away without anything changing in the data, so they become `UnavailableError`
 * (`ERR_STORE_UNAVAILABLE`): the orchestrator keeps the event it was handling and retries, and
 * HTTP callers get 503 (as sqlite-errors.ts does for SQLite). A step's claim that another replica
 * won (SQLSTATE SH001) becomes `AlreadyHandledError`. Everything else (constraints, bugs) is
 * returned unchanged.
 */
import { AlreadyHandledError, ErrorCode, UnavailableError } from '@shipmate/core';

/** What the messages name: the server (password redacted) and the statement timeout. */
export interface PostgresErrorContext {
  readonly redactedUrl: string;
  readonly statementTimeoutMs: number;
}

/** Node's codes of a server that cannot be reached. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** SQLSTATE codes of a refused login. */
const LOGIN_CODES = new Set(['28000', '28P01']);

/** SQLSTATE classes (first two characters) of a connection failure, too few resources, or an operator intervention. */
const UNAVAILABLE_CLASSES = new Set(['08', '53', '57']);

/**
 * The SQLSTATE of `shipmate_expect_one` (migration 0007): a step's claim of a pending event or a due
 * timer changed no row, as another replica handled it meanwhile; the message names what.
 */
export const ALREADY_HANDLED_CODE = 'SH001';

/** SQLSTATE codes of a transaction another one made fail: retrying it can succeed. */
const RETRY_CODES = new Set(['40001', '40P01', '55P03']);

/** `pg`'s own messages (no code) for a connection the pool could not get or lost. */
const POOL_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /connection terminated/i,
  /Connection ended/i,
  /Client has encountered a connection error/i,
];

function codeOf(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Maps unreachable servers, refused logins, timeouts and the other transient failures to `UnavailableError`; returns anything else unchanged. */
export function translatePostgresError(error: unknown, context: PostgresErrorContext): unknown {
  if (!(error instanceof Error) || error instanceof UnavailableError) return error;
  const code = codeOf(error);
  const at = `PostgreSQL at ${context.redactedUrl}`;
  if ((code !== undefined && NETWORK_CODES.has(code)) || POOL_MESSAGES.some((pattern) => pattern.test(error.message))) {
    return new UnavailableError(
      ErrorCode.storeUnavailable,
      `${at} cannot be reached (${code ?? error.message}); start it (e.g. pg_ctlcluster <version> main start) or correct the host and port in the URL`,
    );
  }
  if (code === undefined) return error;
  if (code === ALREADY_HANDLED_CODE) return new AlreadyHandledError(error.message);
  if (LOGIN_CODES.has(code)) {
    return new UnavailableError(
      ErrorCode.storeUnavailable,
      `${at} refused the login (${code}: ${error.message}); check the user and password in the URL and the server's pg_hba.conf`,
    );
  }
  if (code === '3D000') {
    return new UnavailableError(
      ErrorCode.storeUnavailable,
      `${at}: ${error.message}; create the database first (createdb <name>) or name an existing one in the URL`,
    );
  }
  if (code === '57014') {
    return new UnavailableError(
      ErrorCode.storeUnavailable,
      `${at} cancelled a statement after ${context.statementTimeoutMs} ms (statement_timeout); the database is overloaded or locked, or raise statementTimeoutMs`,
    );
  }
  if (RETRY_CODES.has(code)) {
    return new UnavailableError(ErrorCode.storeUnavailable, `${at} aborted a transaction (${code}: ${error.message}); retry it`);
  }
  if (UNAVAILABLE_CLASSES.has(code.slice(0, 2))) {
    return new UnavailableError(
      ErrorCode.storeUnavailable,
      `${at} cannot serve the store right now (${code}: ${error.message}); check the server's state, connections and disk`,
    );
  }
  return error;
}
