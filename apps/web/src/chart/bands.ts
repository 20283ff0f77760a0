/**
 * Where a value passes or warns, from an evaluation's criteria: the SLO `total_score` for the
 * score, and an SLI's pass and warning targets. Criteria of one group are ANDed, so the interval
 * is the intersection: `<`/`<=` targets bound it from above, `>`/`>=` from below.
 */
import type { EvaluationTarget, ScoreCriteria } from '../evaluation/read-evaluation';

/** A closed interval of values; either end may be infinite. */
export interface Interval {
  from: number;
  to: number;
}

/** The interval all `targets` allow, or undefined without a bounding target (or when they exclude every value). */
export function intervalOf(targets: readonly EvaluationTarget[]): Interval | undefined {
  let from = Number.NEGATIVE_INFINITY;
  let to = Number.POSITIVE_INFINITY;
  let bounded = false;
  for (const target of targets) {
    const operator = /^\s*(<=|>=|<|>|=)/.exec(target.criteria)?.[1];
    if (operator === '<' || operator === '<=') {
      to = Math.min(to, target.targetValue);
      bounded = true;
    } else if (operator === '>' || operator === '>=') {
      from = Math.max(from, target.targetValue);
      bounded = true;
    }
  }
  return bounded && from <= to ? { from, to } : undefined;
}

/** The score's bands (0–100) of an SLO's `total_score`. */
export function scoreBands(criteria: ScoreCriteria | undefined): { pass?: Interval; warning?: Interval } {
  if (!criteria) return {};
  return {
    pass: { from: criteria.pass, to: 100 },
    ...(criteria.warning === undefined ? {} : { warning: { from: criteria.warning, to: 100 } }),
  };
}
