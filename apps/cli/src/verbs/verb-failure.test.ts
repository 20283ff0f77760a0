import { describe, expect, it } from 'vitest';
import { ApiError, ApiTimeoutError, ApiUnreachableError } from '@shipmate/api-client';
import { ConfigError } from '../config/config-error.js';
import type { Connection } from './connection.js';
import { VerbFailure, describeFailure } from './verb-failure.js';

const connection: Connection = {
  endpoint: 'https://shipmate.example.com',
  token: 't',
  endpointFrom: 'SHIPMATE_ENDPOINT',
  tokenFrom: 'the config file /h/.config/shipmate/config.yaml',
};

const apiError = (status: number, message: string, errorCode?: string) =>
  new ApiError('GET', '/controlPlane/v1/project/nope', { status, code: status, errorCode, message });

describe('describeFailure', () => {
  const rows: Array<[string, unknown, number, string]> = [
    [
      'a usage error exits 2',
      new ConfigError('--labels x is not key=value: give e.g. --labels a=b'),
      2,
      '--labels x is not key=value: give e.g. --labels a=b',
    ],
    [
      'a refused token names where it came from and how to give the right one',
      apiError(401, 'unauthenticated or invalid credentials', 'ERR_UNAUTHORIZED'),
      1,
      'the control plane at https://shipmate.example.com refused the API token from the config file /h/.config/shipmate/config.yaml (401): give the right one with `shipmate auth --endpoint https://shipmate.example.com --api-token TOKEN`, --api-token or SHIPMATE_API_TOKEN',
    ],
    [
      'a revoked token says so',
      apiError(401, "token 'plane' was revoked at 2024-05-01T12:00:00Z; create a new one with shipmate token create", 'ERR_TOKEN_REVOKED'),
      1,
      "the control plane at https://shipmate.example.com refused the API token from the config file /h/.config/shipmate/config.yaml (401): token 'plane' was revoked at 2024-05-01T12:00:00Z; create a new one with shipmate token create; give the right one with `shipmate auth --endpoint https://shipmate.example.com --api-token TOKEN`, --api-token or SHIPMATE_API_TOKEN",
    ],
    [
      'a missing project points at the list',
      apiError(404, 'Project not found: nope', 'ERR_PROJECT_NOT_FOUND'),
      1,
      'Project not found: nope; see the projects with `shipmate get projects` (404)',
    ],
    [
      'a message with its own fix is left as it is',
      apiError(409, 'secret exists; update it with `shipmate update secret`', 'ERR_SECRET_EXISTS'),
      1,
      'secret exists; update it with `shipmate update secret` (409)',
    ],
    [
      'a server failure says to try again',
      apiError(503, 'the store is unavailable', 'ERR_STORE_UNAVAILABLE'),
      1,
      'the control plane at https://shipmate.example.com failed on GET /controlPlane/v1/project/nope (503: the store is unavailable): try again; if it persists, its log has the cause',
    ],
    [
      'no connection names the cause, where the endpoint came from and the fix',
      new ApiUnreachableError(
        'GET',
        '/x',
        'https://shipmate.example.com/api/x',
        Object.assign(new Error('getaddrinfo ENOTFOUND shipmate.example.com'), { code: 'ENOTFOUND' }),
      ),
      1,
      'cannot reach the control plane at https://shipmate.example.com (getaddrinfo ENOTFOUND shipmate.example.com; endpoint from SHIPMATE_ENDPOINT): start it (`shipmate up`), or give the right one with --endpoint, SHIPMATE_ENDPOINT or `shipmate auth`',
    ],
    [
      'a timeout says what did not answer',
      new ApiTimeoutError('GET', '/v1/metadata', 'https://shipmate.example.com/api/v1/metadata', 30_000),
      1,
      'the control plane at https://shipmate.example.com did not answer GET /v1/metadata within 30 s: check that it is up and not overloaded (`shipmate status`), then try again',
    ],
    ['a verb failure is its message', new VerbFailure("service 'x' is not in stage 'dev'"), 1, "service 'x' is not in stage 'dev'"],
    ['anything else is its first line, never a stack', new Error('first\n    at somewhere (file.js:1:1)'), 1, 'first'],
  ];
  for (const [name, error, exitCode, message] of rows) {
    it(name, () => {
      expect(describeFailure(error, connection)).toEqual({ message, exitCode });
    });
  }
});
