/**
 * The earlier evaluations an SLO compares with (Keptn's lighthouse `getPreviousEvaluations`): the
 * `evaluation.finished` events of the same project, stage and service, newest first, without the
 * invalidated ones, filtered by `include_result_with_score`.
 */
import type { KeptnEvent } from '@shipmate/core';
import type { Slo } from './parse-slo.js';
import type { PreviousEvaluation } from './score-evaluation.js';

/** An earlier evaluation with the id of its `evaluation.finished` event (reported as `comparedEvents`). */
export interface ComparedEvaluation extends PreviousEvaluation {
  readonly eventId: string;
}

const RESULTS_BY_INCLUDE = { pass: 'pass', pass_or_warn: 'pass,warning', all: undefined } as const;

/** The datastore path that lists them. */
export function previousEvaluationsPath(scope: { project: string; stage: string; service: string }, slo: Slo): string {
  const results = RESULTS_BY_INCLUDE[slo.comparison.includeResultWithScore];
  const clauses = [`data.project:${scope.project}`, `data.stage:${scope.stage}`, `data.service:${scope.service}`];
  if (results !== undefined) clauses.push(`data.result:${results}`);
  const filter = encodeURIComponent(clauses.join(' AND '));
  const limit = Math.max(1, slo.comparison.resultCount);
  return `/mongodb-datastore/event/type/sh.keptn.event.evaluation.finished?filter=${filter}&excludeInvalidated=true&limit=${limit}`;
}

/** The evaluations in a datastore answer, as the scoring reads them. */
export function comparedEvaluations(answer: unknown): ComparedEvaluation[] {
  const events = (answer as { events?: KeptnEvent[] } | undefined)?.events ?? [];
  return events.map((event) => {
    const evaluation = event.data.evaluation as { indicatorResults?: PreviousEvaluation['indicatorResults'] } | undefined;
    return { eventId: event.id, indicatorResults: evaluation?.indicatorResults ?? null };
  });
}
