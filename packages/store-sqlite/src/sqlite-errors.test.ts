import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isTransient, UnavailableError } from '@shipmate/core';
import { translateSqliteError } from './sqlite-errors.js';

const context = { path: '/data/shipmate.db', busyTimeoutMs: 5000 };

describe('translateSqliteError', () => {
  it.each([
    { code: 'SQLITE_BUSY', transient: true, message: /stayed locked .* for 5000 ms \(SQLITE_BUSY\)/ },
    { code: 'SQLITE_BUSY_SNAPSHOT', transient: true, message: /locked/ },
    { code: 'SQLITE_LOCKED', transient: true, message: /locked/ },
    { code: 'SQLITE_PROTOCOL', transient: true, message: /locked/ },
    { code: 'SQLITE_FULL', transient: true, message: /cannot be written \(SQLITE_FULL: .*\); check free disk space/ },
    { code: 'SQLITE_IOERR', transient: true, message: /SQLITE_IOERR/ },
    { code: 'SQLITE_IOERR_WRITE', transient: true, message: /SQLITE_IOERR_WRITE/ },
    { code: 'SQLITE_IOERR_FSYNC', transient: true, message: /SQLITE_IOERR_FSYNC/ },
    { code: 'SQLITE_READONLY', transient: true, message: /writable/ },
    { code: 'SQLITE_CANTOPEN', transient: true, message: /writable/ },
    { code: 'SQLITE_NOMEM', transient: true, message: /SQLITE_NOMEM/ },
    { code: 'SQLITE_CONSTRAINT_UNIQUE', transient: false, message: /UNIQUE/ },
    { code: 'SQLITE_CORRUPT', transient: false, message: /malformed/ },
    { code: 'SQLITE_FULLX', transient: false, message: /x/ },
  ])('$code is transient: $transient', ({ code, transient, message }) => {
    const original = new Database.SqliteError(code === 'SQLITE_CORRUPT' ? 'database disk image is malformed' : `${code} x`, code);
    const translated = translateSqliteError(original, context);
    expect(isTransient(translated)).toBe(transient);
    if (transient) expect(translated).toBeInstanceOf(UnavailableError);
    else expect(translated).toBe(original);
    expect((translated as Error).message).toMatch(message);
  });

  it('returns errors that are not from SQLite unchanged', () => {
    const error = new RangeError('Maximum call stack size exceeded');
    expect(translateSqliteError(error, context)).toBe(error);
  });
});
