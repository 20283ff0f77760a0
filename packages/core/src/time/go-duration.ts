/**
 * Go duration strings (`time.ParseDuration`), which Keptn uses for `triggeredAfter` and Shipmate
 * for `finishTimeout`. Arithmetic runs on integer nanoseconds (bigint) like Go's, so `1.1h` is
 * exactly 3,960,000 ms and fractions below a nanosecond are truncated as Go truncates them.
 */
import { InputError } from '../errors/errors.js';
import { ErrorCode } from '../errors/error-codes.js';

const NS_PER_MS = 1_000_000n;
/** Go's `time.Duration` is an int64 of nanoseconds; longer values do not parse in Go either. */
const MAX_DURATION_NS = 2n ** 63n - 1n;
const UNIT_NS_M = 60_000_000_000n;
const UNIT_NS_H = 3_600_000_000_000n;

/** Nanoseconds per unit; `µs` is U+00B5 (micro sign) and `μs` U+03BC (Greek mu), as in Go. */
const UNIT_NS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n],
  ['μs', 1_000n],
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', UNIT_NS_M],
  ['h', UNIT_NS_H],
]);

/** One `<number><unit>` component: digits with an optional fraction, then a unit made of letters. */
const COMPONENT = /(\d*)(?:\.(\d*))?([a-zA-Zµμ]*)/y;

const EXAMPLE = "use Go duration syntax such as '300ms', '10m', '1.5h' or '1h30m'";

/**
 * Parses a Go duration (`300ms`, `1.5h`, `1h30m`; units ns us µs ms s m h; a bare `0`) into
 * milliseconds, which may be fractional below 1 ms. Negative durations are rejected.
 */
export function parseGoDuration(text: string, field: string): number {
  const fail = (reason: string): never => {
    throw new InputError(ErrorCode.invalidDuration, `${field} '${text}' is not a valid duration: ${reason}; ${EXAMPLE}`);
  };
  if (typeof text !== 'string') return fail('it is not a string');
  let rest = text;
  if (rest.startsWith('+')) rest = rest.slice(1);
  else if (rest.startsWith('-')) return fail('it must not be negative');
  if (rest === '0') return 0;
  if (rest === '') return fail('it is empty');

  let totalNs = 0n;
  let index = 0;
  while (index < rest.length) {
    COMPONENT.lastIndex = index;
    const match = COMPONENT.exec(rest);
    if (match === null) return fail(`unexpected text at '${rest.slice(index)}'`);
    const [component, whole = '', fraction, unit = ''] = match;
    if (whole === '' && (fraction ?? '') === '') {
      const next = rest.charAt(index);
      return fail(
        next === '-' || next === '+'
          ? `a sign is only allowed at the start, found '${next}' in '${rest.slice(index)}'`
          : `expected a number at '${rest.slice(index)}'`,
      );
    }
    const number = fraction === undefined ? whole : `${whole}.${fraction}`;
    if (unit === '') return fail(`the number '${number}' has no unit; units are ns, us, µs, ms, s, m, h`);
    const unitNs = UNIT_NS.get(unit);
    if (unitNs === undefined) return fail(`unknown unit '${unit}'; units are ns, us, µs, ms, s, m, h`);
    totalNs += BigInt(whole === '' ? '0' : whole) * unitNs;
    if (fraction !== undefined && fraction !== '') {
      totalNs += (BigInt(fraction) * unitNs) / 10n ** BigInt(fraction.length);
    }
    if (totalNs > MAX_DURATION_NS) return fail('it is longer than Go allows (about 292 years)');
    index += component.length;
  }
  return nsToMs(totalNs);
}

/** Milliseconds from integer nanoseconds, exact for the integer part. */
function nsToMs(ns: bigint): number {
  const wholeMs = ns / NS_PER_MS;
  const restNs = ns % NS_PER_MS;
  return Number(wholeMs) + Number(restNs) / 1e6;
}

/**
 * Formats milliseconds as Go's `Duration.String` does (`600000` -> `10m0s`, `5400000` -> `1h30m0s`,
 * `1500` -> `1.5s`, `0.25` -> `250µs`, `0` -> `0s`), so the result parses back with
 * {@link parseGoDuration}. Sub-nanosecond fractions are rounded to the nearest nanosecond.
 */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms)) {
    throw new InputError(
      ErrorCode.invalidDuration,
      `duration ${ms} ms cannot be formatted: it must be a finite number of milliseconds, e.g. 600000`,
    );
  }
  const negative = ms < 0;
  const abs = Math.abs(ms);
  const wholeMs = Math.trunc(abs);
  const ns = BigInt(wholeMs) * NS_PER_MS + BigInt(Math.round((abs - wholeMs) * 1e6));
  const text = formatNs(ns);
  return negative && ns !== 0n ? `-${text}` : text;
}

/** Go's `Duration.String` for a non-negative nanosecond count. */
function formatNs(ns: bigint): string {
  if (ns === 0n) return '0s';
  if (ns < 1_000n) return `${ns}ns`;
  if (ns < 1_000_000n) return `${withFraction(ns, 1_000n)}µs`;
  if (ns < 1_000_000_000n) return `${withFraction(ns, 1_000_000n)}ms`;
  const hours = ns / UNIT_NS_H;
  const minutes = (ns % UNIT_NS_H) / UNIT_NS_M;
  const seconds = withFraction(ns % UNIT_NS_M, 1_000_000_000n);
  if (hours > 0n) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** `value / unit` in decimal, fraction digits without trailing zeros (`1500, 1000` -> `1.5`). */
function withFraction(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const fraction = value % unit;
  if (fraction === 0n) return `${whole}`;
  const digits = unit.toString().length - 1;
  return `${whole}.${fraction.toString().padStart(digits, '0').replace(/0+$/, '')}`;
}
