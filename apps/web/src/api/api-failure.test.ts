import { describe, expect, it } from 'vitest';
import { ApiError, ApiTimeoutError, ApiUnreachableError } from '@shipmate/api-client';
import { apiFailureOf } from './api-failure';

const answer = (status: number, message = 'why') => new ApiError('GET', '/x', { status, code: status, errorCode: 'ERR_X', message });

describe('apiFailureOf', () => {
  it.each([
    [answer(401), 'unauthorized', false],
    [answer(403), 'refused', false],
    [answer(404), 'refused', false],
    [answer(429), 'unavailable', true],
    [answer(503), 'unavailable', true],
    [new ApiUnreachableError('GET', '/x', 'http://127.0.0.1:1/api/x', new Error('ECONNREFUSED')), 'unreachable', true],
    [new ApiTimeoutError('GET', '/x', 'http://127.0.0.1:1/api/x', 2000), 'unreachable', true],
    [new Error('odd'), 'unavailable', true],
  ])('%s is %s', (error, kind, retryable) => {
    expect(apiFailureOf(error)).toMatchObject({ kind, retryable });
  });

  it("keeps the server's message and error code of an answer", () => {
    expect(apiFailureOf(answer(400, "stage 'x' is not in the shipyard"))).toEqual({
      kind: 'refused',
      status: 400,
      message: "stage 'x' is not in the shipyard",
      errorCode: 'ERR_X',
      retryable: false,
    });
  });
});
