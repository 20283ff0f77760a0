/**
 * Scores one evaluation the way Keptn's lighthouse does
 * (`lighthouse-service/event_handler/evaluate_sli_handler.go`: evaluateObjectives, calculateScore).
 * Pure: the caller fetches the SLI values and the earlier evaluations.
 *
 * Rules: criteria in one group are ANDed, groups are ORed (every group is still evaluated so all
 * targets are reported). Per objective: pass = weight, warning = weight / 2, fail = 0; no pass
 * criteria → `info`, not scored; a missing or unsuccessful SLI value → `fail` (fail closed). Total
 * = 100 × Σscore / Σweight over objectives with pass criteria (100 when there are none). A failed
 * key SLI fails the evaluation whatever the score.
 */
import type { AggregateFunction, Slo, SloCriteriaGroup, SloCriterion, SloObjective } from './parse-slo.js';

/** One SLI value as an SLI provider reports it (`get-sli.finished` `indicatorValues[]`). */
export interface SliValue {
  readonly metric: string;
  readonly value: number;
  readonly success: boolean;
  readonly message?: string;
}

/** An earlier evaluation, as stored in its `evaluation.finished` event (`data.evaluation`). */
export interface PreviousEvaluation {
  readonly indicatorResults: readonly { readonly value?: SliValue | null }[] | null;
}

/** A criterion with the value it was checked against. */
export interface SliTarget {
  readonly criteria: string;
  readonly targetValue: number;
  readonly violated: boolean;
}

/** Status of one objective. */
export const IndicatorStatus = { pass: 'pass', warning: 'warning', fail: 'fail', info: 'info' } as const;
/** One of {@link IndicatorStatus}. */
export type IndicatorStatus = (typeof IndicatorStatus)[keyof typeof IndicatorStatus];

/** Result of an evaluation. */
export const EvaluationResult = { pass: 'pass', warning: 'warning', fail: 'fail' } as const;
/** One of {@link EvaluationResult}. */
export type EvaluationResult = (typeof EvaluationResult)[keyof typeof EvaluationResult];

/** Keptn's `indicatorResults[]` entry. */
export interface IndicatorResult {
  readonly score: number;
  readonly status: IndicatorStatus;
  readonly displayName: string;
  readonly keySli: boolean;
  readonly value: {
    readonly metric: string;
    readonly value: number;
    readonly comparedValue?: number;
    readonly success: boolean;
    readonly message: string;
  };
  readonly passTargets: readonly SliTarget[];
  readonly warningTargets: readonly SliTarget[];
}

/** Keptn's `evaluation` data without time window, compared event ids and SLO file content. */
export interface EvaluationOutcome {
  readonly result: EvaluationResult;
  /** 0–100. */
  readonly score: number;
  readonly indicatorResults: readonly IndicatorResult[];
  /** The `evaluation.finished` message; empty on a plain pass. */
  readonly message: string;
}

/** Combines earlier successful values; `undefined` when there are none (relative criteria then pass). */
export function aggregate(values: readonly number[], fn: AggregateFunction): number | undefined {
  if (values.length === 0) return undefined;
  switch (fn) {
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'p50':
      return percentile(values, 0.5);
    case 'p90':
      return percentile(values, 0.9);
    case 'p95':
      return percentile(values, 0.95);
    default: {
      const never: never = fn;
      return never;
    }
  }
}

// Keptn's calculatePercentile: position p × (n + 1) on the sorted values, linear interpolation,
// clamped to the first and last value.
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const pos = p * (n + 1);
  if (pos < 1) return sorted[0] ?? 0;
  if (pos >= n) return sorted[n - 1] ?? 0;
  const lower = sorted[Math.floor(pos) - 1] ?? 0;
  const upper = sorted[Math.floor(pos)] ?? 0;
  return lower + (pos - Math.floor(pos)) * (upper - lower);
}

function compare(measured: number, op: SloCriterion['operator'], expected: number): boolean {
  switch (op) {
    case '<':
      return measured < expected;
    case '<=':
      return measured <= expected;
    case '=':
      return measured === expected;
    case '>=':
      return measured >= expected;
    case '>':
      return measured > expected;
    default: {
      const never: never = op;
      return never;
    }
  }
}

function evaluateCriterion(value: number, c: SloCriterion, agg: number | undefined): SliTarget {
  if (!c.relative) return { criteria: c.text, targetValue: c.value, violated: !compare(value, c.operator, c.value) };
  // Keptn (aggregateValues → skip): with no successful earlier value a relative criterion is
  // satisfied, and its target value stays 0.
  if (agg === undefined) return { criteria: c.text, targetValue: 0, violated: false };
  const target = c.percentage ? (agg * (100 + (c.increase ? c.value : -c.value))) / 100 : c.increase ? agg + c.value : agg - c.value;
  return { criteria: c.text, targetValue: target, violated: !compare(value, c.operator, target) };
}

function evaluateGroups(
  value: number,
  groups: readonly SloCriteriaGroup[],
  agg: number | undefined,
): { satisfied: boolean; targets: SliTarget[] } {
  let satisfied = false;
  const targets: SliTarget[] = [];
  for (const g of groups) {
    const ts = g.criteria.map((c) => evaluateCriterion(value, c, agg));
    if (ts.every((t) => !t.violated)) satisfied = true;
    targets.push(...ts);
  }
  return { satisfied, targets };
}

// Keptn's getEmptyTargets, used for objectives that are not evaluated: every target violated; a
// relative target shows the aggregate itself (0 without one).
function emptyTargets(groups: readonly SloCriteriaGroup[], agg: number | undefined): SliTarget[] {
  return groups.flatMap((g) =>
    g.criteria.map((c) => ({ criteria: c.text, targetValue: c.relative ? (agg ?? 0) : c.value, violated: true })),
  );
}

const nameOf = (o: SloObjective): string => (o.displayName === '' ? o.sli : o.displayName);

/**
 * Scores the SLI values of this run against the SLO. `previous` are the earlier evaluations, newest
 * first, already filtered by `include_result_with_score`; at most `comparison.resultCount` are used.
 */
export function scoreEvaluation(slo: Slo, sliValues: readonly SliValue[], previous: readonly PreviousEvaluation[]): EvaluationOutcome {
  if (slo.objectives.length === 0) {
    return { result: 'fail', score: 0, indicatorResults: [], message: 'lighthouse failed because no SLO objective was provided' };
  }
  const compared = previous.slice(0, slo.comparison.resultCount);
  const remaining = [...sliValues];
  const results: IndicatorResult[] = [];
  const notes: string[] = [];
  let maxScore = 0;
  let keyFailure: { name: string; message: string } | undefined;

  for (const o of slo.objectives) {
    const scored = o.pass.length > 0;
    if (scored) maxScore += o.weight;
    const earlier = compared
      .flatMap((e) => e.indicatorResults ?? [])
      .flatMap((r) => (r.value?.metric === o.sli && r.value.success ? [r.value.value] : []));
    const agg = aggregate(earlier, slo.comparison.aggregateFunction);
    // Like Keptn's getSLIResult: each value is consumed by the first objective that names it.
    const idx = remaining.findIndex((v) => v.metric === o.sli);
    const got = idx >= 0 ? remaining.splice(idx, 1)[0] : undefined;
    const base = { displayName: o.displayName, keySli: o.keySli };

    if (!scored) {
      const value = got ?? { metric: o.sli, value: 0, success: false, message: 'no value received from SLI provider' };
      results.push({
        ...base,
        score: 0,
        status: 'info',
        value: { metric: value.metric, value: value.value, success: value.success, message: value.message ?? '' },
        passTargets: [],
        warningTargets: emptyTargets(o.warning, agg),
      });
      continue;
    }
    if (got === undefined || !got.success) {
      const message = got === undefined ? 'no value received from SLI provider' : got.message || 'the SLI provider reported a failure';
      notes.push(`SLI '${o.sli}' failed: ${message}.`);
      if (o.keySli) keyFailure = { name: nameOf(o), message };
      results.push({
        ...base,
        score: 0,
        status: 'fail',
        value: { metric: o.sli, value: got?.value ?? 0, success: false, message },
        passTargets: emptyTargets(o.pass, agg),
        warningTargets: emptyTargets(o.warning, agg),
      });
      continue;
    }
    const pass = evaluateGroups(got.value, o.pass, agg);
    const warn = o.warning.length > 0 ? evaluateGroups(got.value, o.warning, agg) : { satisfied: false, targets: [] };
    let status: IndicatorStatus;
    let score: number;
    if (pass.satisfied) {
      status = 'pass';
      score = o.weight;
    } else if (warn.satisfied) {
      status = 'warning';
      score = 0.5 * o.weight;
    } else {
      status = 'fail';
      score = 0;
      if (o.keySli) keyFailure = { name: nameOf(o), message: `failed evaluation with score ${score.toFixed(6)}` };
    }
    results.push({
      ...base,
      score,
      status,
      // Keptn sets comparedValue to the aggregate (0 when there is none) for Bridge to show.
      value: { metric: got.metric, value: got.value, comparedValue: agg ?? 0, success: true, message: got.message ?? '' },
      passTargets: pass.targets,
      warningTargets: warn.targets,
    });
  }

  if (remaining.length > 0) {
    notes.push(
      `Lighthouse received additional SLIs, which are not specified as SLO: ${remaining.map((v) => v.metric).join(', ')} . Please consider using them as an SLO.`,
    );
  }
  if (maxScore === 0) return { result: 'pass', score: 100, indicatorResults: results, message: notes.join(' ') };

  const score = (100 * results.reduce((a, r) => a + r.score, 0)) / maxScore;
  const { pass, warning } = slo.totalScore;
  let result: EvaluationResult;
  let headline = '';
  if (score >= pass && keyFailure === undefined) {
    result = 'pass';
  } else if (keyFailure !== undefined) {
    result = 'fail';
    headline = `Evaluation failed due to key_sli objective '${keyFailure.name}': ${keyFailure.message}`;
  } else if (warning !== undefined && score >= warning) {
    result = 'warning';
    headline = `Evaluation returned a warning: the calculated score of ${score} is close to the warning target value of ${warning}`;
  } else if (warning !== undefined) {
    result = 'fail';
    headline = `Evaluation failed since the calculated score of ${score} is below the warning value of ${warning}`;
  } else {
    result = 'fail';
    headline = `Evaluation failed since the calculated score of ${score} is below the target value of ${pass}`;
  }
  return { result, score, indicatorResults: results, message: [headline, ...notes].filter((s) => s !== '').join(' ') };
}
