/**
 * Parsers for configuration values given as strings (environment variables, flags). An empty
 * string counts as unset and yields the fallback; anything unusable throws a ConfigError that names
 * the variable, the value and what to give instead.
 */
import { parseGoDuration } from '@shipmate/core';
import { ConfigError } from './config-error.js';

/** A whole number from `min` to `max`. */
export function integerValue(value: string | undefined, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!/^\s*-?\d+\s*$/.test(value) || !Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(`${name}='${value}' is not valid: give a whole number from ${min} to ${max}`);
  }
  return parsed;
}

/** Go duration syntax (`5s`, `1m30s`, `720h`), as Keptn reads its durations; in milliseconds. */
export function durationValue(value: string | undefined, fallback: string, name: string): number {
  try {
    return parseGoDuration(value === undefined || value === '' ? fallback : value, name);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

/** Spellings Go's `strconv.ParseBool` accepts, which is how Keptn's services read booleans. */
const TRUE_VALUES = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE_VALUES = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** A boolean in Go's `strconv.ParseBool` spellings (`true`, `false`, `1`, `0`, `TRUE`, …). */
export function booleanValue(value: string | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined || value === '') return fallback;
  if (TRUE_VALUES.has(value)) return true;
  if (FALSE_VALUES.has(value)) return false;
  throw new ConfigError(`${name}='${value}' is not valid: give true or false`);
}

/** A comma-separated list as Keptn splits it; items are trimmed and empty items dropped. */
export function listValue(value: string | undefined): readonly string[] {
  if (value === undefined) return Object.freeze([]);
  return Object.freeze(
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  );
}
