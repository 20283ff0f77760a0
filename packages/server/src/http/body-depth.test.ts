import { describe, expect, it } from 'vitest';
import { checkBodyDepth, jsonDepth } from './body-depth.js';

/** `levels` arrays nested in each other, built without recursion. */
function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

describe('jsonDepth', () => {
  it.each([
    { value: 'text', depth: 0 },
    { value: null, depth: 0 },
    { value: {}, depth: 1 },
    { value: { a: [1, { b: 2 }] }, depth: 3 },
    { value: [[], [[[]]], {}], depth: 4 },
  ])('$value nests $depth levels', ({ value, depth }) => {
    expect(jsonDepth(value)).toBe(depth);
  });

  it('measures 100,000 levels without overflowing the stack', () => {
    expect(jsonDepth(nested(100_000))).toBe(100_000);
  });
});

describe('checkBodyDepth', () => {
  it('accepts the limit and refuses one level more, naming the limit and the setting', () => {
    expect(() => checkBodyDepth(nested(64), 64)).not.toThrow();
    expect(() => checkBodyDepth(nested(65), 64)).toThrow(/more than 64 levels deep.*SHIPMATE_MAX_EVENT_DEPTH/);
  });
});
