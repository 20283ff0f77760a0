import { describe, expect, it } from 'vitest';
import { ErrorCode, InputError } from '@shipmate/core';
import {
  datastorePageFields,
  dbPageFields,
  nextOffset,
  paginateInMemory,
  parseDatastorePageRequest,
  TOTAL_COUNT_LOOKAHEAD,
  countLimitOf,
  parseDbPageRequest,
  parseInMemoryPageRequest,
  parseNextPageKey,
  parsePageSize,
} from './pagination.js';

function inputError(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

describe('parseNextPageKey', () => {
  it.each([
    [undefined, 0],
    ['', 0],
    ['0', 0],
    ['20', 20],
    [' 7 ', 7],
    [5, 5],
  ])('reads %j as offset %d', (value, offset) => {
    expect(parseNextPageKey(value)).toBe(offset);
  });

  it.each(['abc', '-1', '1.5', '1e3', 'MjA='])('rejects %j naming the value and the fix', (value) => {
    const error = inputError(() => parseNextPageKey(value));
    expect(error.code).toBe(ErrorCode.invalidPagination);
    expect(error.message).toBe(`nextPageKey '${value}' is not a number; pass the nextPageKey of the previous page`);
  });

  it('rejects a repeated parameter', () => {
    expect(inputError(() => parseNextPageKey(['1', '2'])).message).toContain("nextPageKey '1,2' is not a number");
  });
});

describe('parsePageSize', () => {
  const rule = { defaultSize: 20, min: 1, max: 100 };

  it.each([
    [undefined, 20],
    ['', 20],
    ['1', 1],
    ['100', 100],
  ])('reads %j as %d', (value, size) => {
    expect(parsePageSize(value, rule)).toBe(size);
  });

  it.each([
    ['0', 'pageSize 0 is out of range; pass a whole number from 1 to 100'],
    ['101', 'pageSize 101 is out of range; pass a whole number from 1 to 100'],
    ['ten', "pageSize 'ten' is not a number; pass a whole number from 1 to 100, e.g. pageSize=20"],
  ])('rejects %j', (value, message) => {
    const error = inputError(() => parsePageSize(value, rule));
    expect(error.code).toBe(ErrorCode.invalidPagination);
    expect(error.message).toBe(message);
  });

  it('uses the parameter name of the rule', () => {
    expect(inputError(() => parsePageSize('500', { ...rule, name: 'limit' })).message).toBe(
      'limit 500 is out of range; pass a whole number from 1 to 100',
    );
  });

  it('maps the "default" value to the default', () => {
    expect(parsePageSize('0', { defaultSize: 20, min: 1, defaultWhen: 0 })).toBe(20);
  });
});

describe('nextOffset', () => {
  it.each([
    [0, 2, 3, 2],
    [2, 1, 3, undefined],
    [0, 3, 3, undefined],
    [5, 0, 3, undefined],
    // A page that came back empty although items remain must not hand out the same key again.
    [1, 0, 3, undefined],
  ])('offset %d, returned %d of %d -> %j', (offset, returned, total, next) => {
    expect(nextOffset(offset, returned, total)).toBe(next);
  });
});

describe('in-memory shape', () => {
  const names = ['a', 'b', 'c', 'd', 'e'];

  it('defaults pageSize to 20, also for 0, and starts at 0', () => {
    expect(parseInMemoryPageRequest({})).toEqual({ offset: 0, pageSize: 20 });
    expect(parseInMemoryPageRequest({ pageSize: '0', nextPageKey: '' })).toEqual({ offset: 0, pageSize: 20 });
  });

  it('walks every item exactly once with string keys and "0" at the end', () => {
    const seen: string[] = [];
    const keys: string[] = [];
    let key: string | undefined;
    for (let guard = 0; guard < 10; guard += 1) {
      const page = paginateInMemory(names, parseInMemoryPageRequest({ pageSize: '2', nextPageKey: key }));
      expect(page.totalCount).toBe(5);
      seen.push(...page.items);
      keys.push(page.nextPageKey);
      if (page.nextPageKey === '0') break;
      key = page.nextPageKey;
    }
    expect(seen).toEqual(names);
    expect(keys).toEqual(['2', '4', '0']);
  });

  it('gives an empty last page past the end', () => {
    expect(paginateInMemory(names, { offset: 9, pageSize: 2 })).toEqual({ items: [], nextPageKey: '0', totalCount: 5 });
  });

  it('returns "0" when the page holds the rest exactly', () => {
    expect(paginateInMemory(names, { offset: 3, pageSize: 2 })).toEqual({ items: ['d', 'e'], nextPageKey: '0', totalCount: 5 });
  });
});

describe('DB shape', () => {
  it('gives a missing or 0 pageSize the default page of 20 (Keptn returned everything)', () => {
    expect(parseDbPageRequest({})).toEqual({ offset: 0, pageSize: 20 });
    expect(parseDbPageRequest({ pageSize: '0', nextPageKey: '4' })).toEqual({ offset: 4, pageSize: 20 });
    expect(parseDbPageRequest({ pageSize: '500' })).toEqual({ offset: 0, pageSize: 500 });
  });

  it('takes the default a route gives, e.g. the number of contexts asked for', () => {
    expect(parseDbPageRequest({}, 75)).toEqual({ offset: 0, pageSize: 75 });
    expect(parseDbPageRequest({ pageSize: '5' }, 75)).toEqual({ offset: 0, pageSize: 5 });
  });

  it('rejects a bad key with the pagination message', () => {
    expect(inputError(() => parseDbPageRequest({ nextPageKey: 'abc' })).message).toBe(
      "nextPageKey 'abc' is not a number; pass the nextPageKey of the previous page",
    );
  });

  it('gives a numeric key while more remain and leaves it out at the end', () => {
    expect(dbPageFields({ offset: 0, pageSize: 2 }, 2, 5)).toEqual({ nextPageKey: 2, totalCount: 5 });
    expect(dbPageFields({ offset: 4, pageSize: 2 }, 1, 5)).toEqual({ totalCount: 5 });
    expect(dbPageFields({ offset: 0, pageSize: 0 }, 5, 5)).toEqual({ totalCount: 5 });
  });
});

describe('countLimitOf', () => {
  it('counts to the end of the page plus the lookahead', () => {
    expect(countLimitOf({ offset: 0, pageSize: 20 })).toBe(20 + TOTAL_COUNT_LOOKAHEAD);
    expect(countLimitOf({ offset: 40, pageSize: 20 })).toBe(60 + TOTAL_COUNT_LOOKAHEAD);
  });
});

describe('datastore shape', () => {
  it('defaults to 20 and accepts 1..100 only', () => {
    expect(parseDatastorePageRequest({})).toEqual({ offset: 0, pageSize: 20 });
    expect(parseDatastorePageRequest({ pageSize: '100', nextPageKey: '20' })).toEqual({ offset: 20, pageSize: 100 });
    expect(inputError(() => parseDatastorePageRequest({ pageSize: '0' })).message).toContain('pageSize 0 is out of range');
    expect(inputError(() => parseDatastorePageRequest({ pageSize: '101' })).message).toContain('from 1 to 100');
  });

  it('gives a string key only while more remain, and the page size', () => {
    expect(datastorePageFields({ offset: 0, pageSize: 20 }, 20, 57)).toEqual({ nextPageKey: '20', pageSize: 20, totalCount: 57 });
    expect(datastorePageFields({ offset: 40, pageSize: 20 }, 17, 57)).toEqual({ pageSize: 20, totalCount: 57 });
    expect('nextPageKey' in datastorePageFields({ offset: 40, pageSize: 20 }, 17, 57)).toBe(false);
  });
});
