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
export { HELM_SERVICE, chartUri, createHelmRuntime, resolveHelmRuntimeOptions } from './deployment-helm/helm-runtime.js';
export type { HelmRuntimeOptions, ResolvedHelmRuntimeOptions } from './deployment-helm/helm-runtime.js';
export { HelmChartError, MAX_CHART_BYTES, inspectChartArchive } from './deployment-helm/chart-archive.js';
export type { ChartInfo } from './deployment-helm/chart-archive.js';
export { deploymentValues, mergeValues } from './deployment-helm/helm-values.js';
export type { HelmValues, KeptnValues } from './deployment-helm/helm-values.js';
export { RELEASE_NAME_MAX_LENGTH, helmNamespace, helmReleaseName } from './deployment-helm/release-name.js';
export { containerImages, firstService, localDeploymentUri } from './deployment-helm/rendered-manifest.js';
export type { ManifestService } from './deployment-helm/rendered-manifest.js';
export { HELM_ENDPOINTS_URI, HelmEndpointsError, parseUserEndpoints } from './deployment-helm/user-endpoints.js';
export type { UserEndpoints } from './deployment-helm/user-endpoints.js';
export { DeploymentFailure, DeploymentStrategy } from './deployment/deployment-runtime.js';
export type { DeploymentData, DeploymentRuntime, DeploymentTarget, RuntimeOutcome } from './deployment/deployment-runtime.js';
export { STRATEGY_CHOICES, deploymentNameOf, parseDeploymentStrategy, strategyOnWire } from './deployment/deployment-strategy.js';
export {
  DEPLOYMENT_TASKS,
  deploymentTargetOf,
  handleDeployment,
  handleRelease,
  handleRollback,
  withDeployment,
} from './deployment/deployment-integration.js';
export { DEPLOYMENT_SERVICE, createProcessRuntime, resolveProcessRuntimeOptions } from './deployment/process-runtime.js';
export type { ProcessRuntimeOptions, ResolvedProcessRuntimeOptions } from './deployment/process-runtime.js';
export {
  DEFAULT_HEALTH_TIMEOUT_SECONDS,
  DEFAULT_PORT_ENV,
  PROCESS_CONFIG_URI,
  ProcessConfigError,
  parseProcessConfig,
  splitCommand,
} from './deployment/parse-process-config.js';
export type { HealthCheck, ProcessConfig } from './deployment/parse-process-config.js';
export {
  DEFAULT_JOB_DIR,
  JOB_CONFIG_URI,
  JOB_EXECUTOR_SERVICE,
  JOB_SECRET_SCOPE,
  MAX_JOB_MESSAGE_BYTES,
  jobHandler,
  resolveJobOptions,
  runJob,
  withJob,
} from './job/job-integration.js';
export type { JobOptions, ResolvedJobOptions } from './job/job-integration.js';
export { DEFAULT_MAX_POLL_DURATION_SECONDS, JOB_CONFIG_API_VERSION, JobConfigError, parseJobConfig } from './job/parse-job-config.js';
export type { JobAction, JobConfig, JobEnv, JobEventCondition, JobEventFilter, JobTask } from './job/parse-job-config.js';
export { eventDocument, eventFilterMatches, matchJobAction } from './job/match-job-action.js';
export { EnvFormat, EventPathError, formatEnvValue, lookupEventPath, parseEventPath } from './job/event-path.js';
export type { EventPathSegment, EventPathValue } from './job/event-path.js';
export { JES_MOUNT, commandLine, expandReferences, jobEnvironment, mapMountPath, resolveWorkingDir } from './job/job-command.js';
export { JobProcessEnd, runJobProcess } from './job/run-job-process.js';
export type { JobProcessResult, JobProcessSpec } from './job/run-job-process.js';
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
