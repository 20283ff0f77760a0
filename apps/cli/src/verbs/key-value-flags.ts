/**
 * `key=value` flags: Keptn's `--labels a=1,b=2` (comma-separated pairs, repeatable) and
 * `--from-literal key=value` (one pair per flag, the value may hold commas and `=`).
 */
import { ConfigError } from '../config/config-error.js';

/** How a flag's values are split. */
export interface KeyValueOptions {
  /** Split each value at commas into several pairs (Keptn's `StringToString` flags such as `--labels`). */
  readonly commaSeparated: boolean;
  /** An example pair for the error message. @default 'key=value' */
  readonly example?: string;
}

/** The pairs of a repeated `key=value` flag, later ones winning; a pair without `=` or key is a usage error. */
export function parseKeyValues(values: readonly string[] | undefined, flag: string, options: KeyValueOptions): Record<string, string> {
  const result: Record<string, string> = {};
  for (const value of values ?? []) {
    const pairs = options.commaSeparated ? value.split(',').filter((pair) => pair.trim() !== '') : [value];
    for (const pair of pairs) {
      const at = pair.indexOf('=');
      const key = at < 0 ? '' : pair.slice(0, at).trim();
      if (key === '') {
        throw new ConfigError(`${flag} '${pair}' is not key=value: give e.g. ${flag} ${options.example ?? 'key=value'}`);
      }
      result[key] = pair.slice(at + 1);
    }
  }
  return result;
}

/** Commander's collector of a repeatable flag. */
export function collect(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value];
}
