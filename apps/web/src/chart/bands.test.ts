import { describe, expect, it } from 'vitest';
import { intervalOf, scoreBands } from './bands';

const target = (criteria: string, targetValue: number) => ({ criteria, targetValue, violated: false });

describe('intervalOf', () => {
  it.each([
    ['no targets', [], undefined],
    ['an upper bound', [target('<=600', 600)], { from: -Infinity, to: 600 }],
    ['a lower bound', [target('>99', 99)], { from: 99, to: Infinity }],
    ['ANDed upper bounds: the lower one', [target('<=600', 600), target('<=+10%', 550)], { from: -Infinity, to: 550 }],
    ['both sides', [target('>=1', 1), target('<5', 5)], { from: 1, to: 5 }],
    ['bounds that exclude every value', [target('>=5', 5), target('<=1', 1)], undefined],
    ['an equality only', [target('=0', 0)], undefined],
  ])('%s', (_name, targets, interval) => {
    expect(intervalOf(targets)).toEqual(interval);
  });
});

describe('scoreBands', () => {
  it('passes from pass to 100 and warns from warning to 100', () => {
    expect(scoreBands({ pass: 90, warning: 75 })).toEqual({ pass: { from: 90, to: 100 }, warning: { from: 75, to: 100 } });
    expect(scoreBands({ pass: 90, warning: undefined })).toEqual({ pass: { from: 90, to: 100 } });
    expect(scoreBands(undefined)).toEqual({});
  });
});
