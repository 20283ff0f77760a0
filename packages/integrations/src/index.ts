// Public entry point of @shipmate/integrations: Shipmate's built-in task integrations.
export { APPROVAL_SERVICE, handleApproval, withApproval } from './approval/approval-integration.js';
export { approvalResult, decideApproval } from './approval/approval-strategy.js';
export type { ApprovalDecision } from './approval/approval-strategy.js';
export {
  AggregateFunction,
  CompareWith,
  CriterionOperator,
  IncludeResultWithScore,
  SloParseError,
  parseCriterion,
  parseSlo,
} from './lighthouse/parse-slo.js';
export type { Slo, SloComparison, SloCriteriaGroup, SloCriterion, SloObjective } from './lighthouse/parse-slo.js';
export { EvaluationResult, IndicatorStatus, aggregate, scoreEvaluation } from './lighthouse/score-evaluation.js';
export type { EvaluationOutcome, IndicatorResult, PreviousEvaluation, SliTarget, SliValue } from './lighthouse/score-evaluation.js';
export {
  WEBHOOK_CONFIG_URI,
  WEBHOOK_SECRET_SCOPE,
  WEBHOOK_SERVICE,
  WEBHOOK_TIMEOUT_BOUNDS,
  resolveWebhookOptions,
  runWebhook,
  subscriptionIdOf,
  webhookHandler,
  withWebhook,
} from './webhook/webhook-integration.js';
export type { ResolvedWebhookOptions, WebhookOptions } from './webhook/webhook-integration.js';
export { WebhookConfigError, WebhookMethod, findWebhook, parseWebhookConfig } from './webhook/parse-webhook-config.js';
export type { Webhook, WebhookConfig, WebhookEnvFrom, WebhookRequest } from './webhook/parse-webhook-config.js';
export { TemplateError, renderTemplate } from './webhook/render-template.js';
export { MASK, secretMasker } from './webhook/mask-secrets.js';
export type { SecretMasker } from './webhook/mask-secrets.js';
export { checkWebhookUrl, parseWebhookAllowList } from './webhook/webhook-address-policy.js';
export type { CheckedTarget, WebhookAddressPolicy, WebhookAllowList } from './webhook/webhook-address-policy.js';
