import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors/error-codes.js';
import { documentPathSegments } from './document-path.js';

describe('documentPathSegments', () => {
  it('splits a dotted path into its keys, dashes and digits included', () => {
    expect(documentPathSegments('data.get-sli.indicator')).toEqual(['data', 'get-sli', 'indicator']);
    expect(documentPathSegments('shkeptncontext')).toEqual(['shkeptncontext']);
    expect(documentPathSegments('data.2nd_try')).toEqual(['data', '2nd_try']);
  });

  it.each(["data.result') OR 1=1 --", 'data..result', '.data', 'data.', 'data result', '$.data', ''])(
    'refuses %j, naming the key and the form it must have',
    (path) => {
      expect(() => documentPathSegments(path)).toThrow(
        expect.objectContaining({ code: ErrorCode.invalidField, message: expect.stringContaining(`filter key '${path}'`) }),
      );
    },
  );
});
