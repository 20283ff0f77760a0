import { describe, expect, it } from 'vitest';
import { backoffDelayMs, retryAfterMs } from './retry-delay.js';

describe('backoffDelayMs', () => {
  it.each([
    { retry: 1, random: 1, expected: 200 },
    { retry: 2, random: 1, expected: 400 },
    { retry: 3, random: 0, expected: 400 },
    { retry: 10, random: 1, expected: 1000 },
  ])('retry $retry with random $random waits $expected ms', ({ retry, random, expected }) => {
    expect(backoffDelayMs(retry, 200, 1000, () => random)).toBe(expected);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2024-01-02T15:04:05.000Z');
  it.each([
    { header: '3', expected: 3000 },
    { header: 'Tue, 02 Jan 2024 15:04:07 GMT', expected: 2000 },
    { header: 'Tue, 02 Jan 2024 15:04:00 GMT', expected: 0 },
    { header: 'soon', expected: undefined },
    { header: null, expected: undefined },
  ])('$header → $expected', ({ header, expected }) => {
    expect(retryAfterMs(header, now)).toBe(expected);
  });
});
