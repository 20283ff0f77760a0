/**
 * Response and query schemas of the read paths: projects, stages, services, sequences, open
 * triggered events and the datastore. Field names and types follow Keptn's swagger
 * (shipyard-controller, mongodb-datastore) and go-utils models. The server serializes with
 * JSON.stringify, so response schemas document only; query schemas validate, and every value this
 * server parses itself (pagination, times, booleans) is typed as a string so that its own messages
 * reach the client.
 */
import { keptnEventSchema } from './common-schemas.js';

// ---------------------------------------------------------------------------------------------
// Query parameters

const pageSizeParam = { type: 'string', description: 'Number of items to return (a whole number)' } as const;
const nextPageKeyParam = { type: 'string', description: 'The nextPageKey of the previous page (an offset)' } as const;

/** Query of the in-memory paginated lists (projects, stages, services). */
export const inMemoryListQuery = {
  type: 'object',
  properties: {
    pageSize: { ...pageSizeParam, description: 'Number of items to return; default 20 (also for 0)' },
    nextPageKey: nextPageKeyParam,
    disableUpstreamSync: { type: 'string', description: 'Accepted for Keptn compatibility; ignored (there is no upstream to sync)' },
  },
} as const;

/** Query of `GET /sequence/{project}`. */
export const sequenceStateQuery = {
  type: 'object',
  properties: {
    name: { type: 'string', description: 'Sequence name, e.g. delivery' },
    state: { type: 'string', description: 'Overall state: triggered, started, waiting, paused, finished, aborted, timedOut' },
    fromTime: { type: 'string', description: 'Only sequences with time > fromTime (keptn timestamp, e.g. 2021-05-10T09:51:00.000Z)' },
    beforeTime: { type: 'string', description: 'Only sequences with time < beforeTime' },
    keptnContext: { type: 'string', description: 'Comma-separated list of keptnContext IDs' },
    pageSize: { ...pageSizeParam, description: 'Number of items to return; missing or 0 returns all' },
    nextPageKey: nextPageKeyParam,
  },
} as const;

/** Query of `GET /sequence-execution`. */
export const sequenceExecutionQuery = {
  type: 'object',
  required: ['project'],
  properties: {
    project: { type: 'string', description: 'Project (required)' },
    stage: { type: 'string' },
    service: { type: 'string' },
    keptnContext: { type: 'string' },
    name: { type: 'string', description: 'Sequence name' },
    status: {
      type: 'string',
      description: 'Execution state (status.state): triggered, started, waitingForApproval, waiting, paused, finished, timedOut',
    },
    pageSize: { ...pageSizeParam, description: 'Number of items to return; missing or 0 returns all' },
    nextPageKey: nextPageKeyParam,
  },
} as const;

/** Query of `GET /event/triggered/{eventType}`. */
export const triggeredEventQuery = {
  type: 'object',
  properties: {
    project: { type: 'string', description: 'Project; without it every project is searched' },
    stage: { type: 'string' },
    service: { type: 'string' },
    eventID: { type: 'string', description: 'ID of the .triggered event' },
    pageSize: { ...pageSizeParam, description: 'Number of items to return; default 20' },
    nextPageKey: nextPageKeyParam,
  },
} as const;

const excludeInvalidatedParam = {
  type: 'string',
  enum: ['true', 'false'],
  description: "'true' drops events whose triggeredid has an .invalidated event in the project",
} as const;

/** Query of the datastore's `GET /event`. */
export const datastoreEventQuery = {
  type: 'object',
  properties: {
    keptnContext: { type: 'string', description: 'keptnContext of the events' },
    type: { type: 'string', description: 'Event type (exact)' },
    project: { type: 'string' },
    stage: { type: 'string' },
    service: { type: 'string' },
    eventID: { type: 'string' },
    source: { type: 'string' },
    fromTime: { type: 'string', description: 'Only events with time > fromTime' },
    beforeTime: { type: 'string', description: 'Only events with time < beforeTime' },
    root: { type: 'string', description: 'Any value (as in Keptn, even false) returns only the first event of each context' },
    excludeInvalidated: excludeInvalidatedParam,
    pageSize: { ...pageSizeParam, description: 'Number of items to return: 1 to 100, default 20' },
    nextPageKey: nextPageKeyParam,
  },
} as const;

/** Query of the datastore's `GET /event/type/{eventType}`. */
export const datastoreEventTypeQuery = {
  type: 'object',
  required: ['filter'],
  properties: {
    filter: {
      type: 'string',
      description:
        "key:value clauses joined by ' AND '; commas list alternatives; must contain data.project or shkeptncontext. " +
        'e.g. data.project:sockshop AND data.stage:dev AND data.result:pass,warning',
    },
    excludeInvalidated: excludeInvalidatedParam,
    fromTime: { type: 'string', description: 'Only events with time > fromTime' },
    limit: { type: 'string', description: 'Number of items to return: 1 to 100, default 20' },
  },
} as const;

/** `{eventType}` path parameter. */
export const eventTypeParams = {
  type: 'object',
  required: ['eventType'],
  properties: { eventType: { type: 'string', description: 'Exact event type, e.g. sh.keptn.event.deployment.triggered' } },
} as const;

// ---------------------------------------------------------------------------------------------
// Projects, stages, services (go-utils models.ExpandedProject and friends)

/** `models.EventContextInfo`. */
export const eventContextInfoSchema = {
  type: 'object',
  properties: {
    eventId: { type: 'string', description: 'ID of the event' },
    keptnContext: { type: 'string', description: 'Keptn context of the event' },
    time: { type: 'string', description: 'Time of the event (unix nanoseconds)' },
  },
} as const;

/** `models.Remediation` (never filled, as in Keptn 1.4.5). */
const remediationSchema = {
  type: 'object',
  properties: {
    action: { type: 'string' },
    eventId: { type: 'string' },
    keptnContext: { type: 'string' },
    time: { type: 'string' },
    type: { type: 'string' },
  },
} as const;

/** `models.ExpandedService`. */
export const expandedServiceSchema = {
  type: 'object',
  required: ['serviceName', 'creationDate', 'lastEventTypes'],
  properties: {
    serviceName: { type: 'string' },
    creationDate: { type: 'string', description: 'Unix nanoseconds as a decimal string' },
    deployedImage: { type: 'string', description: 'Image of the last finished deployment; absent before the first one' },
    lastEventTypes: {
      type: 'object',
      description: 'Last task event per event type',
      additionalProperties: eventContextInfoSchema,
    },
    openRemediations: { type: ['array', 'null'], items: remediationSchema, description: 'Always null (as in Keptn 1.4.5)' },
  },
} as const;

/** `models.ExpandedStage`. */
export const expandedStageSchema = {
  type: 'object',
  required: ['stageName', 'services'],
  properties: {
    stageName: { type: 'string' },
    parentStages: {
      type: 'array',
      items: { type: 'string' },
      description: "Stages named in the triggeredOn events of this stage's sequences; left out when there are none (Keptn's omitempty)",
    },
    services: { type: 'array', items: expandedServiceSchema },
    lastEventContext: { ...eventContextInfoSchema, type: ['object', 'null'], description: 'Always null (as in Keptn)' },
  },
} as const;

/** Public part of the project's git credentials. */
const gitCredentialsPublicSchema = {
  type: 'object',
  properties: {
    remoteURL: { type: 'string' },
    user: { type: 'string' },
    https: {
      type: 'object',
      properties: {
        insecureSkipTLS: { type: 'boolean' },
        proxy: { type: 'object', properties: { url: { type: 'string' }, scheme: { type: 'string' }, user: { type: 'string' } } },
      },
    },
  },
} as const;

/** Sync status of a project's upstream (Shipmate extension). */
export const upstreamStatusSchema = {
  type: 'object',
  required: [
    'remoteURL',
    'state',
    'unpushedCommits',
    'lastPush',
    'lastPull',
    'lastError',
    'failedAttempts',
    'nextAttempt',
    'divergedBranches',
  ],
  properties: {
    remoteURL: { type: 'string' },
    state: {
      type: 'string',
      enum: ['synced', 'pending', 'failing', 'diverged'],
      description:
        'synced: nothing to push; pending: a push is due; failing: the last pull or push failed (see lastError, nextAttempt); diverged: see divergedBranches',
    },
    unpushedCommits: { type: 'number', description: "Commits on Shipmate's branches the upstream does not have yet" },
    lastPush: { type: ['string', 'null'], description: 'ISO time of the last successful push' },
    lastPull: { type: ['string', 'null'], description: 'ISO time of the last successful pull' },
    lastError: {
      type: ['object', 'null'],
      properties: { time: { type: 'string' }, operation: { type: 'string', enum: ['push', 'pull'] }, message: { type: 'string' } },
    },
    failedAttempts: { type: 'number', description: 'Failed attempts in a row' },
    nextAttempt: { type: ['string', 'null'], description: 'ISO time of the next retry while failing' },
    divergedBranches: {
      type: 'array',
      description: 'Branches changed on both sides with conflicting edits: Shipmate keeps its version and pushes it to pushedAs',
      items: {
        type: 'object',
        properties: { branch: { type: 'string' }, conflicts: { type: 'array', items: { type: 'string' } }, pushedAs: { type: 'string' } },
      },
    },
  },
} as const;

/** `models.ExpandedProject`, with the flat git fields of Keptn's older swagger filled in too. */
export const expandedProjectSchema = {
  type: 'object',
  required: ['projectName', 'creationDate', 'shipyard', 'shipyardVersion', 'stages'],
  properties: {
    projectName: { type: 'string' },
    creationDate: { type: 'string', description: 'Unix nanoseconds as a decimal string' },
    shipyard: { type: 'string', description: 'shipyard.yaml as plain text (not base64)' },
    shipyardVersion: { type: 'string', description: 'apiVersion of the shipyard, e.g. spec.keptn.sh/0.2.0' },
    gitCredentials: {
      ...gitCredentialsPublicSchema,
      description: 'Public part only: tokens, keys, passwords and certificates are never returned',
    },
    isUpstreamAutoProvisioned: { type: 'boolean', description: 'Always false: Shipmate does not auto-provision upstreams' },
    lastEventContext: {
      ...eventContextInfoSchema,
      type: ['object', 'null'],
      description: 'Context of the last sequence started in the project',
    },
    stages: { type: 'array', items: expandedStageSchema, description: 'Stages in shipyard order' },
    gitRemoteURI: { type: 'string', description: 'Legacy flat form of gitCredentials.remoteURL' },
    gitUser: { type: 'string', description: 'Legacy flat form of gitCredentials.user' },
    gitProxyUrl: { type: 'string', description: 'Legacy flat form of gitCredentials.https.proxy.url' },
    gitProxyScheme: { type: 'string', description: 'Legacy flat form of gitCredentials.https.proxy.scheme' },
    gitProxyUser: { type: 'string', description: 'Legacy flat form of gitCredentials.https.proxy.user' },
    insecureSkipTLS: { type: 'boolean', description: 'Legacy flat form of gitCredentials.https.insecureSkipTLS' },
    upstreamStatus: { ...upstreamStatusSchema, description: 'Shipmate extension: sync status of the upstream, when the project has one' },
  },
} as const;

/** Paging fields of the in-memory lists (`nextPageKey` string, `"0"` at the end). */
const inMemoryPageProperties = {
  nextPageKey: { type: 'string', description: 'Offset of the next page; "0" when there are no more' },
  pageSize: { type: 'number', description: 'Never sent: Keptn leaves it out of these lists too' },
  totalCount: { type: 'number', description: 'Number of items in all pages' },
} as const;

/** `models.ExpandedProjects`. */
export const expandedProjectsSchema = {
  type: 'object',
  required: ['projects', 'nextPageKey', 'totalCount'],
  properties: { projects: { type: 'array', items: expandedProjectSchema }, ...inMemoryPageProperties },
} as const;

/** `models.ExpandedStages`. */
export const expandedStagesSchema = {
  type: 'object',
  required: ['stages', 'nextPageKey', 'totalCount'],
  properties: { stages: { type: 'array', items: expandedStageSchema }, ...inMemoryPageProperties },
} as const;

/** `models.ExpandedServices`. */
export const expandedServicesSchema = {
  type: 'object',
  required: ['services', 'nextPageKey', 'totalCount'],
  properties: { services: { type: 'array', items: expandedServiceSchema }, ...inMemoryPageProperties },
} as const;

// ---------------------------------------------------------------------------------------------
// Sequences

const sequenceStateEventSchema = {
  type: 'object',
  properties: { type: { type: 'string' }, id: { type: 'string' }, time: { type: 'string' } },
} as const;

/** `models.SequenceStateStage`. */
const sequenceStateStageSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    state: { type: 'string', description: 'triggered while tasks run, then succeeded, errored or aborted' },
    image: { type: 'string' },
    latestEvaluation: { type: 'object', properties: { result: { type: 'string' }, score: { type: 'number' } } },
    latestEvent: sequenceStateEventSchema,
    latestFailedEvent: sequenceStateEventSchema,
    message: { type: 'string', description: 'Shipmate: why the stage is stuck or ended (e.g. a timeout)' },
  },
} as const;

/** `models.SequenceState`. */
export const sequenceStateSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    service: { type: 'string' },
    project: { type: 'string' },
    shkeptncontext: { type: 'string' },
    time: { type: 'string' },
    state: { type: 'string', description: 'triggered, started, waiting, paused, finished, aborted or timedOut' },
    problemTitle: { type: 'string' },
    stages: { type: 'array', items: sequenceStateStageSchema },
  },
} as const;

/** `models.SequenceStates` (DB pagination: numeric `nextPageKey`, absent at the end). */
export const sequenceStatesSchema = {
  type: 'object',
  required: ['states', 'totalCount'],
  properties: {
    states: { type: 'array', items: sequenceStateSchema },
    nextPageKey: { type: 'integer', description: 'Offset of the next page; absent when there are no more' },
    pageSize: { type: 'integer', description: 'Never sent, as in Keptn' },
    totalCount: { type: 'integer' },
  },
} as const;

/** Keptn's internal `SequenceExecution` record (shipyard-controller/models/sequence_execution.go). */
export const sequenceExecutionSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    _id: { type: 'string' },
    schemaVersion: { type: 'string' },
    sequence: {
      type: 'object',
      additionalProperties: true,
      properties: { name: { type: 'string' }, tasks: { type: 'array', items: { type: 'object', additionalProperties: true } } },
    },
    status: {
      type: 'object',
      additionalProperties: true,
      properties: {
        state: { type: 'string' },
        stateBeforePause: { type: 'string' },
        previousTasks: { type: 'array', items: { type: 'object', additionalProperties: true } },
        currentTask: { type: ['object', 'null'], additionalProperties: true },
        outcome: {
          type: 'object',
          additionalProperties: true,
          description: 'Shipmate: result, status and message once the execution ended',
        },
      },
    },
    scope: {
      type: 'object',
      additionalProperties: true,
      properties: {
        project: { type: 'string' },
        stage: { type: 'string' },
        service: { type: 'string' },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        keptnContext: { type: 'string' },
        triggeredId: { type: 'string' },
        gitcommitid: { type: 'string' },
        eventType: { type: 'string' },
      },
    },
    inputProperties: { type: 'object', additionalProperties: true, description: 'Data of the triggering event' },
    triggeredAt: { type: 'string' },
  },
} as const;

/** Response of `GET /sequence-execution`. */
export const sequenceExecutionsSchema = {
  type: 'object',
  required: ['sequenceExecutions', 'pageSize', 'totalCount'],
  properties: {
    sequenceExecutions: { type: 'array', items: sequenceExecutionSchema },
    nextPageKey: { type: 'integer', description: 'Offset of the next page; absent when there are no more' },
    pageSize: { type: 'integer', description: 'Number of executions returned' },
    totalCount: { type: 'integer' },
  },
} as const;

// ---------------------------------------------------------------------------------------------
// Events

/** Response of `GET /event/triggered/{eventType}` (go-utils `models.Events`). */
export const triggeredEventsSchema = {
  type: 'object',
  required: ['events', 'nextPageKey', 'totalCount'],
  properties: {
    events: { type: 'array', items: keptnEventSchema },
    nextPageKey: { type: 'string', description: 'Offset of the next page; "0" when there are no more' },
    pageSize: { type: 'number', description: 'Never sent, as in Keptn' },
    totalCount: { type: 'number' },
  },
} as const;

/** Response of the datastore's `GET /event`. */
export const datastoreEventsSchema = {
  type: 'object',
  required: ['events', 'pageSize', 'totalCount'],
  properties: {
    events: { type: 'array', items: keptnEventSchema },
    nextPageKey: { type: 'string', description: 'Offset of the next page; only present when more results exist' },
    pageSize: { type: 'integer', description: 'The page size asked for' },
    totalCount: { type: 'integer' },
  },
} as const;

/** Response of the datastore's `GET /event/type/{eventType}`. */
export const eventsByTypeSchema = {
  type: 'object',
  required: ['events'],
  properties: { events: { type: 'array', items: keptnEventSchema } },
} as const;
