import { describe, expect, it } from 'vitest';
import { formatDuration, timeAgo, timeMs } from './format-time';

describe('formatDuration', () => {
  it.each([
    [-5, '0 s'],
    [0, '0.0 s'],
    [1234, '1.2 s'],
    [59_000, '59 s'],
    [184_000, '3 min 4 s'],
    [7_500_000, '2 h 5 min'],
    [3 * 86_400_000 + 3_600_000, '3 d 1 h'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('timeAgo and timeMs', () => {
  it('reads Keptn times with and without a zone as UTC', () => {
    expect(timeMs('2024-01-02T15:04:05.000Z')).toBe(Date.UTC(2024, 0, 2, 15, 4, 5));
    expect(timeMs('2024-01-02T15:04:05.000')).toBe(Date.UTC(2024, 0, 2, 15, 4, 5));
    expect(timeAgo('2024-01-02T15:04:05.000Z', Date.UTC(2024, 0, 2, 15, 5, 5))).toBe('1 min 0 s ago');
    expect(timeAgo('2024-01-02T15:04:05.000Z', Date.UTC(2024, 0, 2, 15, 4, 8))).toBe('3 s ago');
    expect(timeAgo(undefined, 0)).toBe('');
  });
});
