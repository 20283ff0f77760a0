import { describe, expect, it } from 'vitest';
import { AlreadyHandledError, ErrorCode, UnavailableError } from '@shipmate/core';
import { ALREADY_HANDLED_CODE, translatePostgresError } from './postgres-errors.js';

const context = { redactedUrl: 'postgres://shipmate:***@db:5432/shipmate', statementTimeoutMs: 250 };

/** An error as `pg` raises it: a message and a SQLSTATE or Node code. */
function pgError(code: string, message = 'boom'): Error {
  return Object.assign(new Error(message), { code });
}

describe('translatePostgresError', () => {
  it.each([
    ['an unreachable server', pgError('ECONNREFUSED'), /cannot be reached \(ECONNREFUSED\).*start it/],
    ['a pool that cannot connect in time', new Error('timeout exceeded when trying to connect'), /cannot be reached/],
    ['a refused password', pgError('28P01', 'password authentication failed for user "shipmate"'), /refused the login \(28P01/],
    ['a missing database', pgError('3D000', 'database "shipmate" does not exist'), /createdb/],
    ['a statement past statement_timeout', pgError('57014'), /after 250 ms \(statement_timeout\)/],
    ['a serialization failure', pgError('40001'), /aborted a transaction \(40001.*retry/],
    ['a deadlock victim', pgError('40P01'), /aborted a transaction \(40P01/],
    ['too many connections', pgError('53300'), /cannot serve the store right now \(53300/],
    ['a server shutting down', pgError('57P01'), /cannot serve the store right now \(57P01/],
  ])('maps %s to ERR_STORE_UNAVAILABLE naming the server', (_case, error, message) => {
    const mapped = translatePostgresError(error, context);
    expect(mapped).toBeInstanceOf(UnavailableError);
    expect(mapped).toMatchObject({ code: ErrorCode.storeUnavailable, message: expect.stringMatching(message) });
    expect((mapped as Error).message).toContain(context.redactedUrl);
  });

  it('returns constraint violations, other errors and non-errors unchanged', () => {
    const unique = pgError('23505', 'duplicate key value violates unique constraint');
    const plain = new Error('bug');
    expect(translatePostgresError(unique, context)).toBe(unique);
    expect(translatePostgresError(plain, context)).toBe(plain);
    expect(translatePostgresError('text', context)).toBe('text');
  });

  it('maps a claim another replica won (SH001 of shipmate_expect_one) to AlreadyHandledError naming what', () => {
    const mapped = translatePostgresError(pgError(ALREADY_HANDLED_CODE, 'event 42'), context);
    expect(mapped).toBeInstanceOf(AlreadyHandledError);
    expect(mapped).toMatchObject({
      code: ErrorCode.alreadyHandled,
      message: expect.stringMatching(/^event 42 was handled by another replica/),
    });
  });
});
