/**
 * Keptn's approval-service rule, as a pure function of the `approval.triggered` event data:
 *
 * - the result the approval is about is `data.result` (of the task before it), or, when that is
 *   empty, `data.evaluation.result` (Keptn issue 4391);
 * - `pass` and `warning` take the strategy the shipyard gives for them (`approval.pass`,
 *   `approval.warning`: `automatic` or `manual`); an unset strategy is `manual`;
 * - `fail` is declined automatically: the release does not go on;
 * - anything else (no result at all) is `manual`.
 *
 * `automatic` approves (`approve`) or declines (`decline`) at once; `manual` waits for a person or
 * tool to post the `approval.finished` (or use `POST …/approval/{id}`).
 */
import type { EventData } from '@shipmate/core';

/** What the approval integration does with one approval task. */
export type ApprovalDecision =
  | { readonly kind: 'approve'; readonly result: string; readonly message: string }
  | { readonly kind: 'decline'; readonly result: string; readonly message: string }
  | { readonly kind: 'wait'; readonly result: string; readonly message: string };

/** Keptn's approval strategies. */
type Strategy = 'automatic' | 'manual';

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function strategyOf(value: unknown): Strategy {
  return value === 'automatic' ? 'automatic' : 'manual';
}

/** The result the approval is about: the previous task's, else the evaluation's. */
export function approvalResult(data: EventData): string {
  const result = text(data.result);
  if (result !== '') return result;
  const evaluation = data.evaluation;
  return evaluation !== null && typeof evaluation === 'object' ? text((evaluation as Record<string, unknown>).result) : '';
}

/** Decides an approval task from its `.triggered` data (see the module comment). */
export function decideApproval(data: EventData): ApprovalDecision {
  const result = approvalResult(data);
  const properties = (data.approval !== null && typeof data.approval === 'object' ? data.approval : {}) as Record<string, unknown>;
  if (result === 'fail') {
    return {
      kind: 'decline',
      result,
      message: "Approval strategy for result 'fail': automatic (the previous task failed, so the release is declined)",
    };
  }
  const strategy = result === 'pass' || result === 'warning' ? strategyOf(properties[result]) : 'manual';
  const message = `Approval strategy for result '${result}': ${strategy}`;
  if (strategy === 'automatic') return { kind: 'approve', result, message };
  return {
    kind: 'wait',
    result,
    message: `${message}; approve or decline it with POST /api/controlPlane/v1/project/${text(data.project)}/approval/{triggeredId} or an approval.finished event`,
  };
}
