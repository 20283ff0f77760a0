/**
 * Open approval tasks: the open `sh.keptn.event.approval.triggered` events (Keptn's way of listing
 * what waits for a person). One place answers "which approvals are open" and "is this one still
 * open", for the approval routes and for the intake of a posted `approval.finished`.
 */
import { ErrorCode, NotFoundError, keptnTime } from '@shipmate/core';
import type { Clock, ControlPlaneStore, KeptnEvent } from '@shipmate/core';

const APPROVAL_TRIGGERED = 'sh.keptn.event.approval.triggered';

/** The open approval tasks of `project` (of one `triggeredId` when given), newest first. */
export function openApprovals(
  store: ControlPlaneStore,
  clock: Clock,
  project: string | undefined,
  triggeredId?: string,
): Promise<KeptnEvent[]> {
  return store.queryOpenTriggered({
    type: APPROVAL_TRIGGERED,
    project,
    stage: undefined,
    service: undefined,
    eventId: triggeredId,
    visibleAt: keptnTime(clock.nowMs()),
  });
}

/** The open approval task `triggeredId` of `project`, or 404 `ERR_APPROVAL_NOT_FOUND` naming how to list the open ones. */
export async function requireOpenApproval(
  store: ControlPlaneStore,
  clock: Clock,
  project: string | undefined,
  triggeredId: string | undefined,
): Promise<KeptnEvent> {
  const [approval] = triggeredId ? await openApprovals(store, clock, project, triggeredId) : [];
  if (approval) return approval;
  throw new NotFoundError(
    ErrorCode.approvalNotFound,
    `no open approval with id '${triggeredId ?? ''}' in project '${project ?? ''}' (unknown, or already approved, declined or aborted); list the open ones with GET /api/controlPlane/v1/project/${project ?? '{project}'}/approval`,
  );
}
