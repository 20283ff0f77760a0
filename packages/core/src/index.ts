// Public entry point of @shipmate/core: domain types, the sequence state machine, the
// orchestrator and the ports adapters implement. Explicit exports only.
export {
  ErrorCategory,
  ShipmateError,
  InputError,
  AuthError,
  NotFoundError,
  ConflictError,
  AlreadyHandledError,
  isAlreadyHandled,
  ForbiddenError,
  TooLargeError,
  UnprocessableError,
  UnavailableError,
  isTransient,
} from './errors/errors.js';
export { ErrorCode } from './errors/error-codes.js';
export { systemResourceError, diskFullError, descriptorsExhaustedError } from './errors/system-resource-error.js';
export { upstreamTarget, classifyHost, classifyAddress, RestrictedAddressKind } from './upstream/upstream-target.js';
export type { UpstreamTarget, RestrictedAddress } from './upstream/upstream-target.js';
export { AddressRange, classifyIpAddress, ipBytes, parseCidr, cidrContains } from './net/ip-address.js';
export type { ClassifiedAddress, Cidr, IpBytes } from './net/ip-address.js';
export {
  STRICT_UPSTREAM_HOSTS,
  checkUpstreamUrl,
  enforceUpstreamHostPolicy,
  enforceUpstreamCredentialsPolicy,
} from './upstream/upstream-host-policy.js';
export type { UpstreamHostPolicy, ResolveHost } from './upstream/upstream-host-policy.js';

export { TaskResult, TaskStatus, keptnTime, ORCHESTRATOR_SOURCE, API_DEFAULT_SOURCE, KEPTN_SPEC_VERSION } from './events/keptn-event.js';
export type { KeptnEvent, EventData } from './events/keptn-event.js';
export { isUuid, contextFromString, contentVersion } from './events/keptn-context.js';
export { parseEventType, taskEventType, sequenceEventType, TaskEventKind, SequenceEventKind } from './events/event-type.js';
export type { ParsedEventType } from './events/event-type.js';
export { EVENT_FIELD_COLUMNS, eventFieldPathSegments } from './events/event-field-path.js';

export type { Shipyard, ShipyardStage, ShipyardSequence, ShipyardTask, ShipyardTrigger } from './shipyard/shipyard.js';
export {
  parseShipyardYaml,
  decodeShipyard,
  findStage,
  findSequence,
  sequencesTriggeredBy,
  parentStages,
} from './shipyard/parse-shipyard.js';

export { validateProjectName, validateStageName, validateServiceName } from './naming/validate-names.js';
export { parseGoDuration, formatDurationMs } from './time/go-duration.js';

export {
  ExecutionState,
  BLOCKING_STATES,
  TERMINAL_STATES,
  executionWithCurrentTask,
  isTerminal,
  requireActiveStates,
} from './sequence/execution.js';
export type { SequenceExecution, CurrentTask, PreviousTask, TaskEventRecord, ExecutionOutcome } from './sequence/execution.js';
export { SequenceViewState } from './sequence/sequence-state.js';
export type { SequenceState, SequenceStageState, EventRef } from './sequence/sequence-state.js';
export { transition, accumulatedData, TimerKind } from './sequence/transition.js';
export type { ExecutionInput, ExecutionEffect, TransitionContext, TransitionResult } from './sequence/transition.js';
export { mergeData, cloneJson, isPlainObject } from './sequence/merge-data.js';
export { nextSequenceView, withStageMessage } from './sequence/sequence-view.js';
export type { StageOutcome, ViewChange } from './sequence/sequence-view.js';
export { aggregateTask, isTaskComplete, stopsSequence } from './sequence/aggregate-task.js';

export type {
  ControlPlaneStore,
  ExecutionContextRef,
  Changeset,
  EventQuery,
  OpenTriggeredQuery,
  ExecutionQuery,
  SequenceStateQuery,
  Page,
  PageQuery,
  ProjectRecord,
  ServiceRecord,
  ServiceActivity,
  LastEventType,
  OpenTriggeredEvent,
  TimerRecord,
  PauseMarker,
  PendingEvent,
  StageMessageUpdate,
} from './ports/store.js';
export type { IntegrationRegistryStore, IntegrationQuery, RegistrationChange, LogQuery } from './ports/registry-store.js';
export { INTEGRATION_LASTSEEN_SLACK_MS } from './ports/registry-store.js';
export { InstanceState, DEFAULT_LOCATION } from './registry/integration.js';
export type {
  Integration,
  IntegrationRecord,
  IntegrationMetadata,
  IntegrationInstance,
  InstanceRecord,
  KubernetesMetadata,
  EventSubscription,
  SubscriptionFilter,
  NameCollision,
  LogEntry,
} from './registry/integration.js';
export {
  WEBHOOK_SERVICE,
  integrationIdOf,
  instanceIdOf,
  parseFilter,
  parseSubscription,
  parseRegistration,
  planRegistration,
} from './registry/registration-rules.js';
export type { SubscriptionInput, RegistrationInput, RegistrationPlan } from './registry/registration-rules.js';
export {
  ONLINE_HEARTBEATS,
  RECENT_HEARTBEATS,
  planeOf,
  instanceState,
  filtersOverlap,
  detectCollision,
  integrationView,
} from './registry/collision.js';
export { KEPTN_LOG_TIME, parseLogTime, parseLogEntries } from './registry/log-entries.js';
export { createIntegrationRegistry } from './registry/integration-registry.js';
export type {
  IntegrationRegistry,
  IntegrationRegistryOptions,
  RegistrationResult,
  RegistrySweepResult,
} from './registry/integration-registry.js';
export type { Clock } from './ports/clock.js';
export { systemClock } from './ports/clock.js';
export type { IdGenerator } from './ports/id-generator.js';
export { uuidGenerator } from './ports/id-generator.js';
export type { ConfigurationSource } from './ports/configuration-source.js';
export { createStoreConfigurationSource } from './config/store-configuration-source.js';
export { KeyedMutex } from './config/keyed-mutex.js';
export { LruCache } from './config/lru-cache.js';
export type { ResourceContent, ResourceFile, ResourceLevel, ResourceListing, ResourceStore } from './ports/resource-store.js';
export type { ConfigUpstream, DivergedBranch, UpstreamCredentials, UpstreamState, UpstreamStatus } from './ports/config-upstream.js';
export { MAX_RESOURCE_URI_LENGTH, checkResourceUri, checkResourceUriFromPath } from './resources/resource-uri.js';
export { MAX_RESOURCE_BYTES_SETTING, decodeResourceContent, isBase64 } from './resources/base64-content.js';
export { SLI_PROVIDER_CONFIG_URI, parseSliProviderConfig, sliProviderConfigYaml } from './resources/sli-provider-config.js';

export { createOrchestrator } from './orchestrator/orchestrator.js';
export type { Orchestrator, OrchestratorOptions, SequenceControlState } from './orchestrator/orchestrator.js';
export { createEventProcessor } from './orchestrator/event-processor.js';
export type { EventProcessor, EventProcessorOptions } from './orchestrator/event-processor.js';
export type { TaskLease, TaskLeaseStore } from './ports/task-lease-store.js';
export { eventTypeMatches, filterMatches, isWildcard, scopeOf, subscriptionsAccept } from './delivery/subscription-match.js';
export type { TaskScope } from './delivery/subscription-match.js';
export { createTaskDelivery, taskAnswered, taskOpen, withSubscriptionId } from './delivery/task-delivery.js';
export type { InstanceRef, RegistryLookup, TaskBatch, TaskDelivery, TaskDeliveryOptions } from './delivery/task-delivery.js';
export { createTaskWaiters } from './delivery/task-waiters.js';
export type { AcceptsEvent, TaskWaiters, WaitTicket } from './delivery/task-waiters.js';
export { MAX_WAIT_MS, longPoll, parkedHeartbeatMs } from './delivery/long-poll.js';
export type { LongPollRequest, LongPollServices } from './delivery/long-poll.js';
export type { CancelSignal } from './delivery/cancel-signal.js';
export { createQuietPolls } from './delivery/quiet-polls.js';
export type { QuietPolls, QuietPollsOptions, ReusableLook } from './delivery/quiet-polls.js';
export { createParkedHeartbeats } from './delivery/parked-heartbeats.js';
export type { ParkedHeartbeats, ParkedHeartbeatsOptions } from './delivery/parked-heartbeats.js';
export { wakeOnEmitted } from './delivery/wake-on-emitted.js';
export { hasLiveSubscriber } from './delivery/live-subscribers.js';
export type { RegistrySnapshot } from './delivery/live-subscribers.js';
export { createLiveSubscriberIndex } from './delivery/live-subscriber-index.js';
export { deferHeartbeatWrites } from './delivery/deferred-heartbeats.js';
export type { DeferredHeartbeats, DeferredHeartbeatsOptions, HeartbeatCopy } from './delivery/deferred-heartbeats.js';
export type { LiveSubscriberIndex, LiveSubscriberIndexOptions } from './delivery/live-subscriber-index.js';
export { createUnservedTaskNotes, isTaskTriggered, noLiveSubscriberMessage } from './delivery/unserved-tasks.js';
export type { UnservedTaskNotes, UnservedTaskNotesOptions } from './delivery/unserved-tasks.js';

export type { SecretStore, StoredSecret, SecretQuery } from './ports/secret-store.js';
export type { ApiTokenStore } from './ports/api-token-store.js';
export { TokenRole, outsideFilters, parseApiTokenInput } from './tokens/api-token.js';
export type { ApiTokenInput, ApiTokenSummary, StoredApiToken, TokenFilters, TokenTarget } from './tokens/api-token.js';
export { SECRET_KEY_BYTES, createSecretCipher, secretKeyId } from './secrets/secret-cipher.js';
export type { SealedBlob, SecretCipher } from './secrets/secret-cipher.js';
export {
  DEFAULT_SECRET_SCOPE,
  KEPTN_SECRET_SCOPES,
  SECRET_NAME_MAX_LENGTH,
  parseSecretInput,
  validateSecretData,
  validateSecretName,
  validateSecretScope,
} from './secrets/secret.js';
export type { SecretInput, SecretSummary } from './secrets/secret.js';
export { mayReadScope, readableScopes } from './secrets/secret-access.js';
export { createSecretService, secretContext } from './secrets/secret-service.js';
export type { RevealedSecret, SecretService, SecretServiceOptions } from './secrets/secret-service.js';
export { createTaskSecretReader } from './secrets/task-secrets.js';
export type { TaskSecretReader, TaskSecretReaderOptions, TaskSecretRequest } from './secrets/task-secrets.js';
export { SHIPMATE_VERSION } from './version.js';
export type { EmittedEventStub, ReplicaNotice, NoticeListener, ReplicaNoticeBus } from './ports/replica-notices.js';
export { MAX_NOTICE_BYTES, emittedStubs, fitNotice, parseNotice, createLocalNoticeBus } from './ports/replica-notices.js';
export type { StepScope, StepClaims } from './ports/step-claims.js';
export { processClaims, scopesOfEvents } from './ports/step-claims.js';
