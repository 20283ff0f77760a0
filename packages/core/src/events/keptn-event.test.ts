import { describe, expect, it } from 'vitest';
import { keptnTime } from './keptn-event.js';

describe('keptnTime', () => {
  it('formats every millisecond as toISOString does, repeated or alternating', () => {
    const times = [0, 1_767_225_600_000, 1_767_225_600_000, 1_767_225_600_001, 1_767_225_600_000, 1, 1];
    expect(times.map(keptnTime)).toEqual(times.map((ms) => new Date(ms).toISOString()));
  });

  it('throws for an invalid time, also after a valid one', () => {
    keptnTime(5);
    expect(() => keptnTime(Number.NaN)).toThrow(RangeError);
    expect(() => keptnTime(Number.NaN)).toThrow(RangeError);
    expect(keptnTime(5)).toBe('1970-01-01T00:00:00.005Z');
  });
});
