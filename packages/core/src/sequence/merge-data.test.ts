import { describe, expect, it } from 'vitest';
import { mergeData } from './merge-data.js';

describe('mergeData', () => {
  it.each([
    { name: 'objects merge recursively', old: { a: { b: 1, c: 'x' } }, next: { a: { c: 'y' } }, want: { a: { b: 1, c: 'y' } } },
    { name: 'strings: new wins', old: 'a', next: 'b', want: 'b' },
    { name: 'arrays: new first, then old', old: [1, 2], next: [3], want: [3, 1, 2] },
    { name: 'numbers: new wins (Keptn fix)', old: { n: 1 }, next: { n: 2 }, want: { n: 2 } },
    { name: 'booleans: new wins (Keptn fix)', old: { ok: true }, next: { ok: false }, want: { ok: false } },
    { name: 'type mismatch: new wins', old: { a: { b: 1 } }, next: { a: 'flat' }, want: { a: 'flat' } },
    { name: 'absent old: new wins', old: {}, next: { a: 1 }, want: { a: 1 } },
    { name: 'undefined new keeps old', old: { a: 1 }, next: undefined, want: { a: 1 } },
  ])('$name', ({ old, next, want }) => {
    expect(mergeData(old, next)).toEqual(want);
  });

  it('does not share references with its inputs', () => {
    const old = { a: { b: [1] } };
    const merged = mergeData(old, { c: 1 }) as { a: { b: number[] } };
    merged.a.b.push(2);
    expect(old.a.b).toEqual([1]);
  });
});
