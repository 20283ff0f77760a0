import { describe, expect, it } from 'vitest';
import { failed, formatCheckResult, passed } from './check-result.js';

describe('formatCheckResult', () => {
  it('prints a pass on one line, notes below it', () => {
    expect(formatCheckResult(passed('DNS: ok', undefined))).toEqual(['✔ DNS: ok']);
    expect(formatCheckResult(passed('TLS: unverified', undefined, ['careful']))).toEqual(['✔ TLS: unverified', '  ⚠ careful']);
  });

  it('prints a failure with cause and fix lines', () => {
    expect(formatCheckResult(failed('TCP: no', 'refused', 'open it'))).toEqual(['✘ TCP: no', '  cause: refused', '  fix:   open it']);
  });
});
