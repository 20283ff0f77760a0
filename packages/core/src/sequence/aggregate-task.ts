import { TaskResult, TaskStatus } from '../events/keptn-event.js';
import type { TaskEventRecord } from './execution.js';

/** Aggregated outcome of one task over all of its `.finished` events (Keptn §4.7). */
export interface TaskOutcome {
  result: TaskResult;
  status: TaskStatus;
}

/**
 * Keptn's aggregation: result `fail` if any result is not pass/warning (empty counts as fail),
 * else `warning` if any, else `pass`; status `errored` > `aborted` > `succeeded` (all) >
 * `unknown`, and `unknown` forces the result to `fail`.
 */
export function aggregateTask(finished: readonly TaskEventRecord[]): TaskOutcome {
  let result: TaskResult = TaskResult.pass;
  for (const event of finished) {
    if (event.result !== TaskResult.pass && event.result !== TaskResult.warning) {
      result = TaskResult.fail;
      break;
    }
    if (event.result === TaskResult.warning) result = TaskResult.warning;
  }
  let status: TaskStatus;
  if (finished.some((e) => e.status === TaskStatus.errored)) status = TaskStatus.errored;
  else if (finished.some((e) => e.status === TaskStatus.aborted)) status = TaskStatus.aborted;
  else if (finished.length > 0 && finished.every((e) => e.status === TaskStatus.succeeded)) status = TaskStatus.succeeded;
  else status = TaskStatus.unknown;
  if (status === TaskStatus.unknown) result = TaskResult.fail;
  return { result, status };
}

/** True when the outcome stops the sequence (Keptn: result `fail` or status `errored`). */
export function stopsSequence(outcome: TaskOutcome): boolean {
  return outcome.result === TaskResult.fail || outcome.status === TaskStatus.errored;
}

/**
 * Completion rule. Keptn: `#finished == #started && #finished > 0`, so a lone `.finished` never
 * completed a task, and a `.started` sent twice by one integration (a retried send whose answer was
 * lost: the API gives every accepted event a new id) left the task waiting for a second `.finished`
 * forever. Shipmate counts the `.started` of one source once, and a `.finished` without a matching
 * `.started` counts as its own start (implicit start): the task completes once
 * `#finished >= #sources that sent .started` and `#finished > 0`. A `.finished` may come from
 * another source than the `.started` (a person answering an approval, a system a webhook called).
 */
export function isTaskComplete(events: readonly TaskEventRecord[]): boolean {
  const starters = new Set<string>();
  let finished = 0;
  for (const event of events) {
    if (event.eventType.endsWith('.started')) starters.add(event.source);
    else if (event.eventType.endsWith('.finished')) finished++;
  }
  return finished > 0 && finished >= starters.size;
}
