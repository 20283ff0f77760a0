// Public entry point of @shipmate/api: Shipmate's REST contract, JSON Schemas (TypeBox) and their types.
// Browser-safe: no node: imports, no I/O.
export {
  errorSchema,
  errorResponses,
  keptnContextResponse,
  acceptedEventResponse,
  eventDataSchema,
  keptnEventProperties,
  keptnEventInputSchema,
  storedKeptnEventSchema,
  keptnEventSchema,
  noContentSchema,
  emptyObjectSchema,
} from './common-schemas.js';
export type {
  ErrorBody,
  KeptnContextResponse,
  AcceptedEvent,
  EventData,
  KeptnEventInput,
  KeptnEvent,
  EmptyObject,
} from './common-schemas.js';
export { eventBodySchema, metadataSchema } from './api-v1-schemas.js';
export type { Metadata } from './api-v1-schemas.js';
export { MAX_WAIT_MS, instanceParams, tasksQuery, tasksResponseSchema } from './delivery-schemas.js';
export type { InstanceParams, TasksQuery, TaskBatch } from './delivery-schemas.js';
export {
  createProjectBodySchema,
  updateProjectBodySchema,
  deleteProjectResponse,
  createServiceBodySchema,
  deleteServiceResponse,
  projectParams,
  stageParams,
  serviceParams,
  stageServiceParams,
} from './project-schemas.js';
export type { GitCredentials, CreateProjectBody, UpdateProjectBody, DeleteProjectResponse, CreateServiceBody } from './project-schemas.js';
export {
  inMemoryListQuery,
  sequenceStateQuery,
  sequenceExecutionQuery,
  triggeredEventQuery,
  datastoreEventQuery,
  datastoreEventTypeQuery,
  eventTypeParams,
  eventContextInfoSchema,
  expandedServiceSchema,
  expandedStageSchema,
  upstreamStatusSchema,
  expandedProjectSchema,
  expandedProjectsSchema,
  expandedStagesSchema,
  expandedServicesSchema,
  sequenceStateSchema,
  sequenceStatesSchema,
  sequenceExecutionSchema,
  sequenceExecutionsSchema,
  triggeredEventsSchema,
  datastoreEventsSchema,
  eventsByTypeSchema,
} from './read-schemas.js';
export type {
  InMemoryListQuery,
  SequenceStateQuery,
  SequenceExecutionQuery,
  TriggeredEventQuery,
  DatastoreEventQuery,
  DatastoreEventTypeQuery,
  EventContextInfo,
  ExpandedService,
  ExpandedStage,
  UpstreamStatus,
  ExpandedProject,
  ExpandedProjects,
  ExpandedStages,
  ExpandedServices,
  SequenceState,
  SequenceStates,
  SequenceExecution,
  SequenceExecutions,
  TriggeredEvents,
  DatastoreEvents,
  EventsByType,
} from './read-schemas.js';
export {
  subscriptionFilterSchema,
  subscriptionSchema,
  integrationSchema,
  integrationListSchema,
  subscriptionListSchema,
  registrationBodySchema,
  idResponseSchema,
  integrationParams,
  subscriptionParams,
  registrationListQuery,
  pingQuery,
  logEntrySchema,
  createLogsBodySchema,
  logQuery,
  deleteLogQuery,
  logsResponseSchema,
} from './registry-schemas.js';
export type {
  SubscriptionFilter,
  Subscription,
  IntegrationInstance,
  Integration,
  RegistrationBody,
  IdResponse,
  Registration,
  RegistrationListQuery,
  LogEntry,
  CreateLogsBody,
  LogQuery,
  DeleteLogQuery,
  LogsResponse,
} from './registry-schemas.js';
export {
  resourceSchema,
  resourceListSchema,
  writeResultSchema,
  resourcesBodySchema,
  resourceBodySchema,
  resourceQuerySchema,
  resourceParams,
} from './resource-schemas.js';
export type {
  Resource,
  ResourceList,
  WriteResult,
  ResourcesBody,
  ResourceBody,
  ResourceQuery,
  ResourceLevelParams,
} from './resource-schemas.js';
export {
  secretBodySchema,
  secretSummarySchema,
  secretListSchema,
  scopeListSchema,
  secretQuery,
  taskSecretParams,
  taskSecretQuery,
  revealedSecretSchema,
  secretErrorResponses,
  taskSecretErrorResponses,
} from './secret-schemas.js';
export type { SecretBody, SecretSummary, SecretList, ScopeList, SecretQuery, TaskSecretQuery, RevealedSecret } from './secret-schemas.js';
export {
  SEQUENCE_CONTROL_STATES,
  sequenceControlParams,
  sequenceControlBodySchema,
  evaluationBodySchema,
  finishedEventParams,
  finishedEventQuery,
  finishedEventResponse,
} from './sequence-schemas.js';
export type {
  SequenceControlState,
  SequenceControlBody,
  EvaluationBody,
  FinishedEventQuery,
  FinishedEventResponse,
} from './sequence-schemas.js';
export {
  APPROVAL_DECISIONS,
  approvalSchema,
  approvalListSchema,
  approvalParams,
  approvalDecisionBodySchema,
  approvalDecisionResponse,
} from './approval-schemas.js';
export type { ApprovalDecision, Approval, ApprovalList, ApprovalDecisionBody, ApprovalDecisionResponse } from './approval-schemas.js';
export {
  tokenFiltersSchema,
  tokenSummarySchema,
  createTokenBodySchema,
  createdTokenSchema,
  tokenListSchema,
  tokenParams,
} from './token-schemas.js';
export type { TokenSummary, CreateTokenBody, CreatedToken, TokenList } from './token-schemas.js';
