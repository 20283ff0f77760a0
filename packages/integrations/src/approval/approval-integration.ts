/**
 * The approval integration (Keptn's `approval-service`): answers every `approval` task by
 * {@link decideApproval}. It reports the strategy as progress; an automatic approval finishes the
 * task with `pass`, an automatic decline with `fail` (the orchestrator then ends the sequence with
 * `fail` and skips the remaining tasks); a manual approval leaves the task open for a person.
 */
import { LEAVE_OPEN } from '@shipmate/agent-sdk';
import type { Integration, TaskHandler } from '@shipmate/agent-sdk';
import { decideApproval } from './approval-strategy.js';

/** Keptn's name of the integration. */
export const APPROVAL_SERVICE = 'approval-service';

/** The handler of `approval` tasks. */
export const handleApproval: TaskHandler = async (task) => {
  const decision = decideApproval(task.data);
  await task.progress(decision.message);
  switch (decision.kind) {
    case 'approve':
      return { result: 'pass', status: 'succeeded', message: decision.message };
    case 'decline':
      return { result: 'fail', status: 'succeeded', message: decision.message };
    case 'wait':
      return LEAVE_OPEN;
    default: {
      const unknown: never = decision;
      throw new Error(`unknown approval decision ${JSON.stringify(unknown)}`);
    }
  }
};

/** Subscribes the approval handler on `integration` (named {@link APPROVAL_SERVICE}). */
export function withApproval(integration: Integration): Integration {
  return integration.onTask('approval', handleApproval);
}
