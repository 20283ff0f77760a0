// Public entry point of @shipmate/integrations: Shipmate's built-in task integrations.
export { APPROVAL_SERVICE, handleApproval, withApproval } from './approval/approval-integration.js';
export { approvalResult, decideApproval } from './approval/approval-strategy.js';
export type { ApprovalDecision } from './approval/approval-strategy.js';
