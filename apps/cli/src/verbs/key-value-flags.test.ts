import { describe, expect, it } from 'vitest';
import { parseKeyValues } from './key-value-flags.js';
import { unfoldDotted } from './trigger-verbs.js';

describe('parseKeyValues', () => {
  it("splits Keptn's comma-separated --labels and lets a later pair win", () => {
    expect(parseKeyValues(['test-id=1234,test-name=perf', 'test-id=5'], '--labels', { commaSeparated: true })).toEqual({
      'test-id': '5',
      'test-name': 'perf',
    });
  });

  it('keeps commas and = in a --from-literal value', () => {
    expect(parseKeyValues(['url=http://x?a=1,b=2', 'empty='], '--from-literal', { commaSeparated: false })).toEqual({
      url: 'http://x?a=1,b=2',
      empty: '',
    });
  });

  it('gives nothing for no flag', () => {
    expect(parseKeyValues(undefined, '--labels', { commaSeparated: true })).toEqual({});
  });

  it.each([['novalue'], ['=value'], [' =x']])('refuses %j with the flag and an example', (pair) => {
    expect(() => parseKeyValues([pair], '--labels', { commaSeparated: true, example: 'test-id=1234' })).toThrow(
      `--labels '${pair}' is not key=value: give e.g. --labels test-id=1234`,
    );
  });
});

describe('unfoldDotted', () => {
  it("nests dotted keys as Keptn's --data and --values do", () => {
    expect(unfoldDotted({ 'test.strategy': 'direct', 'test.users': '5', image: 'x' }, '--data')).toEqual({
      test: { strategy: 'direct', users: '5' },
      image: 'x',
    });
  });

  it('refuses a key under a value and an empty part', () => {
    expect(() => unfoldDotted({ a: '1', 'a.b': '2' }, '--data')).toThrow("--data 'a.b': 'a' is a value already");
    expect(() => unfoldDotted({ 'a..b': '2' }, '--values')).toThrow("--values 'a..b=2': the key has an empty part");
  });
});
