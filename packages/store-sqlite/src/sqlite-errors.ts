/**
 * Which SQLite failures are transient. A lock held too long, a full disk, failing I/O, a file
 * that cannot be opened or written, or memory running out can all go away without anything
 * changing in the data, so they become `UnavailableError` (`ERR_STORE_UNAVAILABLE`): the
 * orchestrator keeps the event it was handling and retries (see the core's event-processor.ts),
 * and HTTP callers get 503. Everything else (constraints, corruption, bugs) is returned unchanged.
 */
import Database from 'better-sqlite3';
import { ErrorCode, UnavailableError } from '@shipmate/core';

/** What the messages name: the database file and how long a write waits for a lock. */
export interface SqliteErrorContext {
  readonly path: string;
  readonly busyTimeoutMs: number;
}

/** Primary result codes (extended codes such as `SQLITE_IOERR_FSYNC` start with them) of a lock held by another connection. */
const LOCK_CODES = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_PROTOCOL'] as const;

/** Primary result codes of a database that cannot be written or read right now. */
const UNAVAILABLE_CODES = ['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_NOMEM'] as const;

function hasCode(code: string, codes: readonly string[]): boolean {
  return codes.some((primary) => code === primary || code.startsWith(`${primary}_`));
}

/** Maps SQLite's lock, space, memory and I/O failures to `UnavailableError`; returns anything else unchanged. */
export function translateSqliteError(error: unknown, context: SqliteErrorContext): unknown {
  if (!(error instanceof Database.SqliteError)) return error;
  const code = error.code;
  if (hasCode(code, LOCK_CODES)) {
    return new UnavailableError(
      ErrorCode.storeUnavailable,
      `SQLite database '${context.path}' stayed locked by another connection for ${context.busyTimeoutMs} ms (${code}); make sure only one Shipmate server uses this file, or raise busyTimeoutMs`,
    );
  }
  if (hasCode(code, UNAVAILABLE_CODES)) {
    return new UnavailableError(
      ErrorCode.storeUnavailable,
      `SQLite database '${context.path}' cannot be written (${code}: ${error.message}); check free disk space and that the file and its directory are writable`,
    );
  }
  return error;
}
