/** The outcome of one connection check, and how it is printed. */

/** A check that passed, with what later checks need from it. */
export interface CheckPassed<T> {
  readonly ok: true;
  /** One line: what was checked and found. */
  readonly summary: string;
  /** Warnings worth a line of their own (e.g. TLS verification is off). */
  readonly notes: readonly string[];
  readonly value: T;
}

/** A check that failed: the cause and the fix, in the operator's terms. */
export interface CheckFailed {
  readonly ok: false;
  readonly summary: string;
  readonly cause: string;
  readonly fix: string;
}

/** Result of one check. */
export type CheckResult<T> = CheckPassed<T> | CheckFailed;

/** A passed check. */
export function passed<T>(summary: string, value: T, notes: readonly string[] = []): CheckPassed<T> {
  return { ok: true, summary, notes, value };
}

/** A failed check. */
export function failed(summary: string, cause: string, fix: string): CheckFailed {
  return { ok: false, summary, cause, fix };
}

/** The printed lines of a result: `✔ …` or `✘ …` with `cause:` and `fix:` lines. */
export function formatCheckResult(result: CheckResult<unknown>): string[] {
  if (result.ok) return [`✔ ${result.summary}`, ...result.notes.map((note) => `  ⚠ ${note}`)];
  return [`✘ ${result.summary}`, `  cause: ${result.cause}`, `  fix:   ${result.fix}`];
}
