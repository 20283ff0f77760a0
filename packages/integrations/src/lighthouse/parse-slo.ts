/**
 * Parses Keptn's `slo.yaml` into a typed, defaulted {@link Slo}. Pure: no I/O.
 *
 * Defaults follow Keptn's lighthouse (`lighthouse-service/event_handler/common.go`, parseSLO):
 * no `comparison` block → single_result / all / 1 / avg; inside a block, a missing
 * `include_result_with_score` is `all`, a missing (or 0) `number_of_comparison_results` is 3, a
 * missing `aggregate_function` is `avg`; a missing (or 0) objective `weight` is 1; null objectives
 * are skipped. Where Keptn silently guesses (unknown enum values, unparsable criteria, which it only
 * notices while scoring), this parser fails closed with {@link SloParseError} naming the line.
 */
import { ErrorCode } from '@shipmate/core';
import { isMap, isScalar, isSeq } from 'yaml';
import { ConfigFileError } from '../config-file/config-file-error.js';
import { parseLocatedYaml } from '../config-file/parse-located-yaml.js';
import type { Node, YAMLMap } from 'yaml';

/** How earlier evaluations are compared with (`comparison.compare_with`). */
export const CompareWith = { singleResult: 'single_result', severalResults: 'several_results' } as const;
/** One of {@link CompareWith}. */
export type CompareWith = (typeof CompareWith)[keyof typeof CompareWith];

/** Which earlier evaluations count (`comparison.include_result_with_score`). */
export const IncludeResultWithScore = { pass: 'pass', passOrWarn: 'pass_or_warn', all: 'all' } as const;
/** One of {@link IncludeResultWithScore}. */
export type IncludeResultWithScore = (typeof IncludeResultWithScore)[keyof typeof IncludeResultWithScore];

/** How earlier values are combined (`comparison.aggregate_function`). */
export const AggregateFunction = { avg: 'avg', p50: 'p50', p90: 'p90', p95: 'p95' } as const;
/** One of {@link AggregateFunction}. */
export type AggregateFunction = (typeof AggregateFunction)[keyof typeof AggregateFunction];

/** Comparison operators of a criterion. */
export const CriterionOperator = { lt: '<', le: '<=', eq: '=', ge: '>=', gt: '>' } as const;
/** One of {@link CriterionOperator}. */
export type CriterionOperator = (typeof CriterionOperator)[keyof typeof CriterionOperator];

/** One parsed criterion such as `<600` (absolute) or `<=+10%` (relative). */
export interface SloCriterion {
  /** The criterion as written in the file (reported back in targets). */
  readonly text: string;
  readonly operator: CriterionOperator;
  /** The number without sign or percent. */
  readonly value: number;
  /** Relative to the aggregate of earlier results: a sign or a `%` was written. */
  readonly relative: boolean;
  /** `value` is a percentage of the aggregate. */
  readonly percentage: boolean;
  /** The target lies above the aggregate (`+`, or `%` without sign); otherwise below (`-`). */
  readonly increase: boolean;
}

/** One `criteria:` list; its criteria are ANDed. */
export interface SloCriteriaGroup {
  readonly criteria: readonly SloCriterion[];
}

/** One objective of the SLO. Groups under `pass`/`warning` are ORed. */
export interface SloObjective {
  readonly sli: string;
  /** As written; empty when absent (Keptn reports it as is). */
  readonly displayName: string;
  readonly keySli: boolean;
  readonly weight: number;
  /** Empty: the objective is `info` and not scored. */
  readonly pass: readonly SloCriteriaGroup[];
  readonly warning: readonly SloCriteriaGroup[];
}

/** The resolved `comparison` block. */
export interface SloComparison {
  readonly compareWith: CompareWith | undefined;
  readonly includeResultWithScore: IncludeResultWithScore;
  readonly numberOfComparisonResults: number;
  readonly aggregateFunction: AggregateFunction;
  /**
   * How many earlier evaluations to compare with, as Keptn computes it: 1 for single_result, N for
   * several_results, 3 when a `comparison` block has no `compare_with`.
   */
  readonly resultCount: number;
}

/** A parsed and defaulted `slo.yaml`. */
export interface Slo {
  readonly specVersion: string;
  readonly filter: Readonly<Record<string, string>>;
  readonly comparison: SloComparison;
  readonly objectives: readonly SloObjective[];
  /** Percentages, e.g. 90 for `"90%"`. */
  readonly totalScore: { readonly pass: number; readonly warning: number | undefined };
}

/** An `slo.yaml` that cannot be evaluated; the lighthouse turns it into an evaluation `fail`. */
export class SloParseError extends ConfigFileError {
  constructor(line: number | undefined, reason: string) {
    super(ErrorCode.invalidSlo, 'slo.yaml', line, reason);
  }
}

const CRITERION = /^(<=|<|=|>=|>)([+-]?)(\d+(?:\.\d*)?|\.\d+)(%?)$/;

/** Parses one criterion string; `undefined` when it is not `<op>[+|-]<number>[%]`. */
export function parseCriterion(text: string): SloCriterion | undefined {
  // Keptn removes all spaces before matching.
  const m = CRITERION.exec(text.replaceAll(' ', ''));
  if (m === null) return undefined;
  const [, op, sign, num, pct] = m;
  const percentage = pct === '%';
  return {
    text,
    operator: op as CriterionOperator,
    value: Number(num),
    // Keptn issue #1498: a criterion with `%` is always relative, and without a sign it is an increase.
    relative: percentage || sign !== '',
    percentage,
    increase: sign !== '-',
  };
}

/** Parses `slo.yaml` text; throws {@link SloParseError} naming the line and the reason. */
export function parseSlo(text: string): Slo {
  const { doc, lineOf } = parseLocatedYaml(text, (line, reason) => new SloParseError(line, reason));
  const fail = (node: Node | null | undefined, reason: string): never => {
    throw new SloParseError(lineOf(node), reason);
  };
  const root = doc.contents;
  if (!isMap(root)) return fail(root, 'the document must be a mapping with objectives and total_score');

  const get = (map: YAMLMap, key: string): Node | undefined => {
    const v = map.get(key, true) as unknown;
    return v === undefined || v === null ? undefined : (v as Node);
  };
  const isNull = (n: Node | undefined): boolean => n === undefined || (isScalar(n) && n.value === null);
  const str = (n: Node | undefined, what: string): string | undefined => {
    if (isNull(n)) return undefined;
    if (isScalar(n) && (typeof n.value === 'string' || typeof n.value === 'number')) return String(n.value);
    return fail(n, `${what} must be a string`);
  };
  const oneOf = <T extends string>(n: Node | undefined, what: string, values: readonly T[]): T | undefined => {
    const s = str(n, what);
    if (s === undefined) return undefined;
    if ((values as readonly string[]).includes(s)) return s as T;
    return fail(n, `${what} '${s}' is unknown; use one of ${values.join(', ')}`);
  };
  const nonNegInt = (n: Node | undefined, what: string): number | undefined => {
    if (isNull(n)) return undefined;
    if (isScalar(n) && typeof n.value === 'number' && Number.isInteger(n.value) && n.value >= 0) return n.value;
    return fail(n, `${what} must be a whole number >= 0`);
  };
  const percent = (n: Node | undefined, what: string): number | undefined => {
    const s = str(n, what);
    if (s === undefined || s === '') return undefined;
    // Keptn: strconv.ParseFloat(strings.TrimSuffix(v, "%")).
    const body = s.endsWith('%') ? s.slice(0, -1) : s;
    const v = /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(body) ? Number(body) : Number.NaN;
    if (Number.isNaN(v)) return fail(n, `${what} '${s}' is not a percentage; write e.g. "90%"`);
    return v;
  };

  const specVersion = str(get(root, 'spec_version'), 'spec_version') ?? '';

  const filter: Record<string, string> = {};
  const filterNode = get(root, 'filter');
  if (!isNull(filterNode)) {
    if (!isMap(filterNode)) return fail(filterNode, 'filter must be a mapping of strings');
    for (const pair of filterNode.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : fail(pair.key as Node, 'filter keys must be strings');
      filter[k] = str(pair.value as Node, `filter.${k}`) ?? '';
    }
  }

  let comparison: SloComparison;
  const cmp = get(root, 'comparison');
  if (isNull(cmp)) {
    comparison = {
      compareWith: CompareWith.singleResult,
      includeResultWithScore: IncludeResultWithScore.all,
      numberOfComparisonResults: 1,
      aggregateFunction: AggregateFunction.avg,
      resultCount: 1,
    };
  } else {
    if (!isMap(cmp)) return fail(cmp, 'comparison must be a mapping');
    const compareWith = oneOf(get(cmp, 'compare_with'), 'comparison.compare_with', Object.values(CompareWith));
    const n = nonNegInt(get(cmp, 'number_of_comparison_results'), 'comparison.number_of_comparison_results');
    const numberOfComparisonResults = n === undefined || n === 0 ? 3 : n;
    comparison = {
      compareWith,
      includeResultWithScore:
        oneOf(get(cmp, 'include_result_with_score'), 'comparison.include_result_with_score', Object.values(IncludeResultWithScore)) ??
        IncludeResultWithScore.all,
      numberOfComparisonResults,
      aggregateFunction:
        oneOf(get(cmp, 'aggregate_function'), 'comparison.aggregate_function', Object.values(AggregateFunction)) ?? AggregateFunction.avg,
      resultCount:
        compareWith === CompareWith.singleResult ? 1 : compareWith === CompareWith.severalResults ? numberOfComparisonResults : 3,
    };
  }

  const groups = (n: Node | undefined, what: string): SloCriteriaGroup[] => {
    if (isNull(n)) return [];
    if (!isSeq(n)) return fail(n, `${what} must be a list of {criteria: [...]}`);
    return n.items.map((item) => {
      const g = item as Node;
      if (!isMap(g)) return fail(g, `${what} entries must be mappings with a criteria list`);
      const list = get(g, 'criteria');
      if (isNull(list)) return { criteria: [] };
      if (!isSeq(list)) return fail(list, `${what}.criteria must be a list of strings such as "<600"`);
      return {
        criteria: list.items.map((c) => {
          const node = c as Node;
          const t = isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
          const parsed = t === undefined ? undefined : parseCriterion(t);
          if (parsed === undefined) {
            const shown = isScalar(node) ? String(node.value) : 'a non-string';
            return fail(
              node,
              `criterion '${shown}' in ${what} is not <op>[+|-]<number>[%] with op one of <, <=, =, >=, >; write e.g. "<600" or "<=+10%"`,
            );
          }
          return parsed;
        }),
      };
    });
  };

  const objectives: SloObjective[] = [];
  const objNode = get(root, 'objectives');
  if (!isNull(objNode)) {
    if (!isSeq(objNode)) return fail(objNode, 'objectives must be a list');
    for (const item of objNode.items) {
      const o = item as Node | null;
      if (o === null || isNull(o)) continue; // Keptn skips null objectives
      if (!isMap(o)) return fail(o, 'each objective must be a mapping with at least sli');
      const sli = str(get(o, 'sli'), 'objective sli');
      if (sli === undefined || sli === '') return fail(o, 'objective has no sli; name the SLI it scores');
      const keyNode = get(o, 'key_sli');
      let keySli = false;
      if (!isNull(keyNode)) {
        if (!isScalar(keyNode) || typeof keyNode.value !== 'boolean') return fail(keyNode, `key_sli of '${sli}' must be true or false`);
        keySli = keyNode.value;
      }
      const w = nonNegInt(get(o, 'weight'), `weight of '${sli}'`);
      objectives.push({
        sli,
        displayName: str(get(o, 'displayName'), `displayName of '${sli}'`) ?? '',
        keySli,
        // Go cannot tell 0 from absent: Keptn turns both into 1.
        weight: w === undefined || w === 0 ? 1 : w,
        pass: groups(get(o, 'pass'), `pass of '${sli}'`),
        warning: groups(get(o, 'warning'), `warning of '${sli}'`),
      });
    }
  }

  const ts = get(root, 'total_score');
  if (isNull(ts)) return fail(root, 'total_score is missing; add e.g. total_score: {pass: "90%", warning: "75%"}');
  if (!isMap(ts)) return fail(ts, 'total_score must be a mapping with pass and warning');
  const pass = percent(get(ts, 'pass'), 'total_score.pass');
  if (pass === undefined) return fail(ts, 'total_score.pass is missing; add e.g. pass: "90%"');
  const warning = percent(get(ts, 'warning'), 'total_score.warning');

  return { specVersion, filter, comparison, objectives, totalScore: { pass, warning } };
}
