import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors/error-codes.js';
import { eventFieldPathSegments } from './event-field-path.js';

describe('eventFieldPathSegments', () => {
  it('splits a dotted path into its keys, dashes and digits included', () => {
    expect(eventFieldPathSegments('data.get-sli.indicator')).toEqual(['data', 'get-sli', 'indicator']);
    expect(eventFieldPathSegments('shkeptncontext')).toEqual(['shkeptncontext']);
    expect(eventFieldPathSegments('data.2nd_try')).toEqual(['data', '2nd_try']);
  });

  it.each(["data.result') OR 1=1 --", 'data..result', '.data', 'data.', 'data result', '$.data', ''])(
    'refuses %j, naming the key and the form it must have',
    (path) => {
      expect(() => eventFieldPathSegments(path)).toThrow(
        expect.objectContaining({ code: ErrorCode.invalidField, message: expect.stringContaining(`filter key '${path}'`) }),
      );
    },
  );
});
