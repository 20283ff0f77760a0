/**
 * Approvals without writing CloudEvents (Shipmate extension; Keptn's way still works: the open
 * `sh.keptn.event.approval.triggered` events and a posted `approval.finished`):
 *
 * - `GET /api/controlPlane/v1/project/{project}/approval`: the open approval tasks of a project;
 * - `POST /api/controlPlane/v1/project/{project}/approval/{triggeredId}` with
 *   `{"decision": "approve" | "decline", "message"?}`: posts the `approval.finished` (result `pass`
 *   or `fail`) through the same intake as any client event. Declining ends the sequence with
 *   `fail`; the remaining tasks are skipped.
 */
import {
  approvalDecisionBodySchema,
  approvalDecisionResponse,
  approvalListSchema,
  approvalParams,
  errorResponses,
  projectParams,
} from '@shipmate/api';
import type { Approval } from '@shipmate/api';
import type { TypedApp } from '../http/typed-app.js';
import type { KeptnEvent } from '@shipmate/core';
import type { ServerContext } from '../server-context.js';
import { openApprovals, requireOpenApproval } from '../approvals/open-approvals.js';

/** One open approval as the API lists it. */
function toApproval(event: KeptnEvent): Approval {
  return {
    triggeredId: event.id,
    keptnContext: event.shkeptncontext ?? '',
    stage: event.data.stage ?? '',
    service: event.data.service ?? '',
    result: typeof event.data.result === 'string' ? event.data.result : '',
    time: event.time,
  };
}

/** Registers the approval routes. */
export function registerApprovalRoutes(app: TypedApp, context: ServerContext): void {
  const { store, projects, intake, options } = context;

  app.get(
    '/api/controlPlane/v1/project/:project/approval',
    {
      schema: {
        tags: ['approval'],
        summary: 'Shipmate: the open approval tasks of a project, newest first',
        params: projectParams,
        response: { 200: approvalListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = request.params;
      await projects.requireProject(project);
      const approvals = (await openApprovals(store, options.clock, project)).map(toApproval);
      return { approvals, totalCount: approvals.length };
    },
  );

  app.post(
    '/api/controlPlane/v1/project/:project/approval/:triggeredId',
    {
      schema: {
        tags: ['approval'],
        summary: 'Shipmate: approves or declines an open approval task (posts its approval.finished)',
        params: approvalParams,
        body: approvalDecisionBodySchema,
        response: { 200: approvalDecisionResponse, ...errorResponses },
      },
    },
    async (request) => {
      const { project, triggeredId } = request.params;
      const body = request.body;
      await projects.requireProject(project);
      const approval = await requireOpenApproval(store, options.clock, project, triggeredId);
      const approve = body.decision === 'approve';
      const finished = await intake.acceptFromClient({
        type: 'sh.keptn.event.approval.finished',
        source: 'shipmate-api',
        specversion: '1.0',
        shkeptncontext: approval.shkeptncontext,
        triggeredid: approval.id,
        data: {
          project,
          stage: approval.data.stage,
          service: approval.data.service,
          ...(approval.data.labels ? { labels: approval.data.labels } : {}),
          result: approve ? 'pass' : 'fail',
          status: 'succeeded',
          message: body.message ?? (approve ? 'approved' : 'declined'),
        },
      });
      return { keptnContext: finished.shkeptncontext ?? '', id: finished.id };
    },
  );
}
