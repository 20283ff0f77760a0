/**
 * A task `.triggered` from a client is accepted only as a sub-task of a task that is open in the
 * same keptn context, stage and service (the lighthouse's `get-sli` while it evaluates): the
 * control plane triggers every other task itself.
 */
import { ErrorCode, InputError, executionWithCurrentTask } from '@shipmate/core';
import type { ControlPlaneStore, KeptnEvent } from '@shipmate/core';

/** Throws 400 unless a task is open in the event's context, stage and service. */
export async function requireOpenParentTask(store: Pick<ControlPlaneStore, 'listExecutionsOfContext'>, event: KeptnEvent): Promise<void> {
  const { project, stage, service } = event.data;
  const executions =
    typeof project === 'string' && project !== '' ? await store.listExecutionsOfContext(project, event.shkeptncontext) : [];
  // A delayed task has no .triggered yet: nothing can answer it, nor ask on its behalf.
  const parent = executionWithCurrentTask(executions, stage, service);
  if (parent && parent.status.currentTask?.delayed !== true) return;
  throw new InputError(
    ErrorCode.invalidEventType,
    `task event '${event.type}' cannot be sent here: the control plane triggers tasks, and accepts a task .triggered only as a sub-task ` +
      `of a task that is open in the same shkeptncontext, data.stage and data.service (as the lighthouse's get-sli); none is open in context ` +
      `'${event.shkeptncontext}' for stage '${String(stage)}' and service '${String(service)}'. Start a sequence with sh.keptn.event.<stage>.<sequence>.triggered`,
  );
}
