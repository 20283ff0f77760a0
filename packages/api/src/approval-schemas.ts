/** Schemas of Shipmate's approval paths (`/project/{project}/approval`). */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { StringEnum } from './schema-helpers.js';

/** The answers to an approval task. */
export const APPROVAL_DECISIONS = ['approve', 'decline'] as const;
/** One of {@link APPROVAL_DECISIONS}. */
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];

/** One open approval task. */
export const approvalSchema = Type.Object({
  triggeredId: Type.Optional(Type.String({ description: 'id of the approval.triggered event' })),
  keptnContext: Type.Optional(Type.String()),
  stage: Type.Optional(Type.String()),
  service: Type.Optional(Type.String()),
  result: Type.Optional(Type.String({ description: 'result of the task before the approval (pass, warning, fail)' })),
  time: Type.Optional(Type.String()),
});
/** One open approval task. */
export type Approval = Static<typeof approvalSchema>;

/** Answer of `GET /project/{project}/approval`. */
export const approvalListSchema = Type.Object({
  approvals: Type.Optional(Type.Array(approvalSchema)),
  totalCount: Type.Optional(Type.Integer()),
});
/** Answer of `GET /project/{project}/approval`. */
export type ApprovalList = Static<typeof approvalListSchema>;

/** `{project}/{triggeredId}` path parameters of a decision. */
export const approvalParams = Type.Object({ project: Type.String(), triggeredId: Type.String() });

/** Body of a decision. */
export const approvalDecisionBodySchema = Type.Object(
  { decision: StringEnum(APPROVAL_DECISIONS), message: Type.Optional(Type.String({ maxLength: 10_000 })) },
  { additionalProperties: false },
);
/** Body of `POST /project/{project}/approval/{triggeredId}`. */
export type ApprovalDecisionBody = Static<typeof approvalDecisionBodySchema>;

/** Answer of a decision: the context and id of the `approval.finished` posted. */
export const approvalDecisionResponse = Type.Object({ keptnContext: Type.Optional(Type.String()), id: Type.Optional(Type.String()) });
/** Answer of a decision. */
export type ApprovalDecisionResponse = Static<typeof approvalDecisionResponse>;
