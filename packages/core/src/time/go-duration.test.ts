import { describe, expect, it } from 'vitest';
import { InputError } from '../errors/errors.js';
import { ErrorCode } from '../errors/error-codes.js';
import { formatDurationMs, parseGoDuration } from './go-duration.js';

describe('parseGoDuration', () => {
  it.each([
    { text: '0', ms: 0 },
    { text: '+0', ms: 0 },
    { text: '0s', ms: 0 },
    { text: '300ms', ms: 300 },
    { text: '3s', ms: 3_000 },
    { text: '10m', ms: 600_000 },
    { text: '1.5h', ms: 5_400_000 },
    { text: '1.1h', ms: 3_960_000 },
    { text: '.5s', ms: 500 },
    { text: '5.s', ms: 5_000 },
    { text: '1h30m', ms: 5_400_000 },
    { text: '2h45m30s', ms: 9_930_000 },
    { text: '1m1m', ms: 120_000 },
    { text: '1500us', ms: 1.5 },
    { text: '1500µs', ms: 1.5 },
    { text: '1500μs', ms: 1.5 },
    { text: '250000ns', ms: 0.25 },
    { text: '1.5ns', ms: 0.000001 },
    { text: '2562047h', ms: 2_562_047 * 3_600_000 },
  ])('$text is $ms ms', ({ text, ms }) => {
    expect(parseGoDuration(text, 'triggeredAfter')).toBe(ms);
  });

  it.each([
    { text: '', reason: 'it is empty' },
    { text: '10', reason: "the number '10' has no unit" },
    { text: '1.5', reason: "the number '1.5' has no unit" },
    { text: '5d', reason: "unknown unit 'd'" },
    { text: '1H', reason: "unknown unit 'H'" },
    { text: '1constructor', reason: "unknown unit 'constructor'" },
    { text: '-', reason: 'must not be negative' },
    { text: '-5m', reason: 'must not be negative' },
    { text: '1h-3m', reason: "a sign is only allowed at the start, found '-'" },
    { text: 'abc', reason: "expected a number at 'abc'" },
    { text: '.', reason: "expected a number at '.'" },
    { text: '10 m', reason: "the number '10' has no unit" },
    { text: '1h ', reason: "expected a number at ' '" },
    { text: '3000000h', reason: 'longer than Go allows' },
  ])("'$text' is rejected: $reason", ({ text, reason }) => {
    let caught: unknown;
    try {
      parseGoDuration(text, 'triggeredAfter');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    const error = caught as InputError;
    expect(error.code).toBe(ErrorCode.invalidDuration);
    expect(error.message).toContain(`triggeredAfter '${text}' is not a valid duration`);
    expect(error.message).toContain(reason);
    expect(error.message).toContain("use Go duration syntax such as '300ms'");
  });
});

describe('formatDurationMs', () => {
  it.each([
    { ms: 0, text: '0s' },
    { ms: 600_000, text: '10m0s' },
    { ms: 5_400_000, text: '1h30m0s' },
    { ms: 9_930_000, text: '2h45m30s' },
    { ms: 90_061_000, text: '25h1m1s' },
    { ms: 1_500, text: '1.5s' },
    { ms: 61_250, text: '1m1.25s' },
    { ms: 300, text: '300ms' },
    { ms: 1.5, text: '1.5ms' },
    { ms: 0.25, text: '250µs' },
    { ms: 0.0005, text: '500ns' },
    { ms: -600_000, text: '-10m0s' },
  ])('$ms ms is $text', ({ ms, text }) => {
    expect(formatDurationMs(ms)).toBe(text);
  });

  it.each([0, 1, 300, 1_500, 600_000, 5_400_000, 9_930_000, 0.25, 123_456_789])('%d ms round-trips through parseGoDuration', (ms) => {
    expect(parseGoDuration(formatDurationMs(ms), 'x')).toBe(ms);
  });

  it('rejects a non-finite number', () => {
    expect(() => formatDurationMs(Number.NaN)).toThrow(/must be a finite number/);
  });
});
