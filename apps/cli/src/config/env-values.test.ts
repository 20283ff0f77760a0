import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { booleanValue, durationValue, integerValue, listValue } from './env-values.js';

describe('env values', () => {
  it.each([
    ['1', true],
    ['TRUE', true],
    ['True', true],
    ['t', true],
    ['0', false],
    ['false', false],
    ['F', false],
    [undefined, true],
    ['', true],
  ])('reads %o as a Go boolean', (value, expected) => {
    expect(booleanValue(value, true, 'X')).toBe(expected);
  });

  it('rejects other booleans naming the variable', () => {
    expect(() => booleanValue('yes', true, 'HTTP_SSL_VERIFY')).toThrow(
      new ConfigError("HTTP_SSL_VERIFY='yes' is not valid: give true or false"),
    );
  });

  it.each(['8o', '1.5', '70000', '0', '0x10'])('rejects the port %o', (value) => {
    expect(() => integerValue(value, 8081, 'API_PROXY_PORT', 1, 65535)).toThrow(
      /API_PROXY_PORT='.*' is not valid: give a whole number from 1 to 65535/,
    );
  });

  it('reads integers and durations with fallbacks', () => {
    expect(integerValue('9000', 1, 'P', 1, 65535)).toBe(9000);
    expect(integerValue(undefined, 8081, 'P', 1, 65535)).toBe(8081);
    expect(durationValue(undefined, '5s', 'D')).toBe(5000);
    expect(durationValue('1m30s', '5s', 'D')).toBe(90_000);
    expect(() => durationValue('5 seconds', '5s', 'HEARTBEAT_INTERVAL')).toThrow(ConfigError);
  });

  it('splits comma lists, trimming and dropping empty items', () => {
    expect(listValue(' a, b,,c ,')).toEqual(['a', 'b', 'c']);
    expect(listValue(undefined)).toEqual([]);
    expect(Object.isFrozen(listValue('a'))).toBe(true);
  });
});
