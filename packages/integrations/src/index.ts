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
export { REMEDIATION_SERVICE, handleGetAction, withRemediation } from './remediation/remediation-integration.js';
export { GET_ACTION_TASK, actionsTaken } from './remediation/actions-taken.js';
export {
  REMEDIATION_API_VERSION,
  REMEDIATION_FILE,
  REMEDIATION_KIND,
  RemediationParseError,
  parseRemediation,
} from './remediation/parse-remediation.js';
export type { ProblemRemediation, Remediation, RemediationAction } from './remediation/parse-remediation.js';
export { DEFAULT_PROBLEM_TYPES, MatchedBy, describeProblem, nextAction, problemDetailsOf } from './remediation/next-action.js';
export type { NextAction, ProblemDetails } from './remediation/next-action.js';
export { LIGHTHOUSE_SERVICE, NO_SLO_MESSAGE, handleEvaluation, withLighthouse } from './lighthouse/lighthouse-integration.js';
export type { LighthouseOptions } from './lighthouse/lighthouse-integration.js';
export { evaluationWindow } from './lighthouse/evaluation-window.js';
export type { WindowResult } from './lighthouse/evaluation-window.js';
export {
  PROMETHEUS_SERVICE,
  PROMETHEUS_SLI_PROVIDER,
  acceptsPrometheus,
  createPrometheusHandler,
  resolvePrometheusOptions,
  withPrometheus,
} from './prometheus/prometheus-integration.js';
export type { PrometheusOptions, ResolvedPrometheusOptions, SliResult } from './prometheus/prometheus-integration.js';
export { SLI_RESOURCE_URI, SliConfigError, parseSliConfig } from './prometheus/parse-sli-config.js';
export type { SliQueries } from './prometheus/parse-sli-config.js';
export {
  PROMETHEUS_CONFIG_URI,
  PROMETHEUS_SECRET_SCOPE,
  PrometheusConfigError,
  parsePrometheusConfig,
} from './prometheus/prometheus-config.js';
export type { PasswordSecret, PrometheusConfig, PrometheusEndpoint } from './prometheus/prometheus-config.js';
export { PrometheusUnavailableError, interpretQueryData, queryPrometheus } from './prometheus/query-prometheus.js';
export type { SliMeasurement } from './prometheus/query-prometheus.js';
export { durationSeconds, substitutePlaceholders } from './prometheus/substitute-placeholders.js';
export type { QueryVariables } from './prometheus/substitute-placeholders.js';
export { parseSliTime, readGetSliRequest } from './prometheus/get-sli-request.js';
export type { GetSliRequest, SliFilter } from './prometheus/get-sli-request.js';
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
export {
  HEALTHCHECK_STRATEGY,
  HTTP_TEST_SERVICE,
  REAL_USER_STRATEGY,
  deploymentTarget,
  httpTestHandler,
  resolveHttpTestOptions,
  testStrategyOf,
  withHttpTest,
} from './http-test/http-test-integration.js';
export type { HttpTestOptions, ResolvedHttpTestOptions } from './http-test/http-test-integration.js';
export {
  CheckKind,
  DEFAULT_WORKLOADS,
  HTTP_METHODS,
  JMETER_CONF_URI,
  WORKLOADS_URI,
  WorkloadParseError,
  findWorkload,
  knownStrategies,
  parseWorkloads,
} from './http-test/parse-workloads.js';
export type { Check, Workload, WorkloadRequest } from './http-test/parse-workloads.js';
export { checkResponse, computeFigures, judge, percentile } from './http-test/test-figures.js';
export type { CheckedResponse, Sample, TestFigures, Verdict } from './http-test/test-figures.js';
export { requestTarget, runWorkload } from './http-test/run-workload.js';
export type { RunWorkloadOptions, WorkloadRun } from './http-test/run-workload.js';
export {
  TEST_RESULTS_SERVICE,
  TEST_RESULTS_SLI_PROVIDER,
  acceptsTestResults,
  testResultsHandler,
  withTestResults,
} from './test-results/test-results-integration.js';
export { TEST_RESULT_INDICATORS, firstEvent, latestTestPath, sliFromTest } from './test-results/test-results-sli.js';
export type { TestResultSli } from './test-results/test-results-sli.js';
