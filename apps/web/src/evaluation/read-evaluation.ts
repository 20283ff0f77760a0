/**
 * Reads an `evaluation.finished` event into what the views show. The event's `data.evaluation`
 * is Keptn's lighthouse output (the contract leaves it open): `score` (0–100), `result`,
 * `indicatorResults[]` (per SLI: its value, status and the pass/warning targets it was checked
 * against) and `sloFileContent` (base64 of the slo.yaml, whose `total_score` has the pass and
 * warning percentages of the score). Every field is checked here, so a foreign event shows what
 * it has and never breaks a view.
 */
import type { KeptnEvent } from '@shipmate/api';
import { decodeBase64 } from '../format/decode-base64';

/** A criterion of an SLI with the number it was checked against (`<=600`, or `<=+10%` of earlier values). */
export interface EvaluationTarget {
  criteria: string;
  targetValue: number;
  violated: boolean;
}

/** One SLI of an evaluation. */
export interface IndicatorResult {
  /** The SLI's metric name (`response_time_p95`). */
  metric: string;
  /** The objective's `displayName`, else the metric. */
  displayName: string;
  /** Undefined when the SLI provider delivered no value. */
  value: number | undefined;
  /** pass, warning, fail or info. */
  status: string;
  keySli: boolean;
  /** Why the value is missing or failed, from the SLI provider. */
  message: string;
  passTargets: EvaluationTarget[];
  warningTargets: EvaluationTarget[];
}

/** The total score criteria of the SLO (`total_score`), in percent. */
export interface ScoreCriteria {
  pass: number;
  warning: number | undefined;
}

/** One evaluation, as shown. */
export interface Evaluation {
  id: string;
  keptnContext: string;
  time: string;
  stage: string;
  service: string;
  /** 0–100; undefined when the evaluation had none (e.g. it errored). */
  score: number | undefined;
  /** pass, warning or fail (`data.result` wins over `data.evaluation.result`). */
  result: string;
  message: string;
  indicators: IndicatorResult[];
  /** From the slo.yaml the evaluation used; undefined without one. */
  criteria: ScoreCriteria | undefined;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const number = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

function targets(value: unknown): EvaluationTarget[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).flatMap((target) => {
    const targetValue = number(target.targetValue);
    return targetValue === undefined ? [] : [{ criteria: text(target.criteria), targetValue, violated: target.violated === true }];
  });
}

function indicator(value: Json): IndicatorResult {
  const measured = isObject(value.value) ? value.value : {};
  const metric = text(measured.metric);
  return {
    metric,
    displayName: text(value.displayName) || metric,
    value: measured.success === false ? undefined : number(measured.value),
    status: text(value.status) || 'info',
    keySli: value.keySli === true,
    message: text(measured.message),
    passTargets: targets(value.passTargets),
    warningTargets: targets(value.warningTargets),
  };
}

/** `"90%"`, `90`, `"90"` → 90; undefined otherwise. */
function percent(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number.parseFloat(value.replace(/["'%\s]/g, ''));
  return Number.isFinite(parsed) ? parsed : undefined;
}

/**
 * The `total_score` of an slo.yaml: `pass` and `warning` below it (block style, as Keptn writes
 * them). A small reader of this one mapping instead of a YAML library in the bundle.
 */
export function scoreCriteriaOf(sloYaml: string): ScoreCriteria | undefined {
  const lines = sloYaml.split(/\r?\n/);
  const start = lines.findIndex((line) => /^total_score:\s*(#.*)?$/.test(line));
  if (start < 0) return undefined;
  const found: Record<string, string> = {};
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const match = /^\s+(pass|warning):\s*(.+?)\s*(#.*)?$/.exec(line);
    if (!match) {
      if (!/^\s/.test(line)) break;
      continue;
    }
    found[match[1] ?? ''] = match[2] ?? '';
  }
  const pass = percent(found.pass);
  return pass === undefined ? undefined : { pass, warning: percent(found.warning) };
}

/** The evaluation of an `evaluation.finished` event. */
export function readEvaluation(event: KeptnEvent): Evaluation {
  const data = event.data;
  const evaluation = isObject(data.evaluation) ? data.evaluation : {};
  const slo = typeof evaluation.sloFileContent === 'string' ? decodeBase64(evaluation.sloFileContent) : undefined;
  return {
    id: event.id,
    keptnContext: event.shkeptncontext,
    time: event.time,
    stage: data.stage ?? '',
    service: data.service ?? '',
    score: number(evaluation.score),
    result: data.result ?? (text(evaluation.result) || 'unknown'),
    message: data.message ?? '',
    indicators: Array.isArray(evaluation.indicatorResults) ? evaluation.indicatorResults.filter(isObject).map(indicator) : [],
    criteria: slo === undefined ? undefined : scoreCriteriaOf(slo),
  };
}
