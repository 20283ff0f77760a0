/**
 * Response and query schemas of the read paths: projects, stages, services, sequences, open
 * triggered events and the datastore. Field names and types follow Keptn's swagger
 * (shipyard-controller, mongodb-datastore) and go-utils models. The server serializes with
 * JSON.stringify, so response schemas document only; query schemas validate, and every value the
 * server parses itself (pagination, times, booleans) is typed as a string so that its own messages
 * reach the client.
 */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { keptnEventSchema } from './common-schemas.js';
import { AnyObject, MapOf, OrNull, ReadonlyArrayOf, StringEnum } from './schema-helpers.js';

const S = (description?: string) => Type.Optional(Type.String(description === undefined ? {} : { description }));

// ---------------------------------------------------------------------------------------------
// Query parameters

const pageSizeParam = (description: string) => Type.Optional(Type.String({ description }));
const nextPageKeyParam = () => Type.Optional(Type.String({ description: 'The nextPageKey of the previous page (an offset)' }));

/** Query of the in-memory paginated lists (projects, stages, services). */
export const inMemoryListQuery = Type.Object({
  pageSize: pageSizeParam('Number of items to return; default 20 (also for 0)'),
  nextPageKey: nextPageKeyParam(),
  disableUpstreamSync: S('Accepted for Keptn compatibility; ignored (there is no upstream to sync)'),
});
/** Query of the in-memory paginated lists (projects, stages, services). */
export type InMemoryListQuery = Static<typeof inMemoryListQuery>;

/** Query of `GET /sequence/{project}`. */
export const sequenceStateQuery = Type.Object({
  name: S('Sequence name, e.g. delivery'),
  state: S('Overall state: triggered, started, waiting, paused, finished, aborted, timedOut'),
  fromTime: S('Only sequences with time > fromTime (keptn timestamp, e.g. 2021-05-10T09:51:00.000Z)'),
  beforeTime: S('Only sequences with time < beforeTime'),
  keptnContext: S('Comma-separated list of keptnContext IDs'),
  pageSize: pageSizeParam('Number of items to return; missing or 0 returns all'),
  nextPageKey: nextPageKeyParam(),
});
/** Query of `GET /sequence/{project}`. */
export type SequenceStateQuery = Static<typeof sequenceStateQuery>;

/**
 * Query of `GET /sequence-execution`. `project` is required: the server checks it first so that
 * its own message reaches the client.
 */
export const sequenceExecutionQuery = Type.Object({
  project: Type.String({ description: 'Project (required)' }),
  stage: S(),
  service: S(),
  keptnContext: S(),
  name: S('Sequence name'),
  status: S('Execution state (status.state): triggered, started, waitingForApproval, waiting, paused, finished, timedOut'),
  pageSize: pageSizeParam('Number of items to return; missing or 0 returns all'),
  nextPageKey: nextPageKeyParam(),
});
/** Query of `GET /sequence-execution`. */
export type SequenceExecutionQuery = Static<typeof sequenceExecutionQuery>;

/** Query of `GET /event/triggered/{eventType}`. */
export const triggeredEventQuery = Type.Object({
  project: S('Project; without it every project is searched'),
  stage: S(),
  service: S(),
  eventID: S('ID of the .triggered event'),
  pageSize: pageSizeParam('Number of items to return; default 20'),
  nextPageKey: nextPageKeyParam(),
});
/** Query of `GET /event/triggered/{eventType}`. */
export type TriggeredEventQuery = Static<typeof triggeredEventQuery>;

const excludeInvalidatedParam = () =>
  Type.Optional(
    StringEnum(['true', 'false'], { description: "'true' drops events whose triggeredid has an .invalidated event in the project" }),
  );

/** Query of the datastore's `GET /event`. */
export const datastoreEventQuery = Type.Object({
  keptnContext: S('keptnContext of the events'),
  type: S('Event type (exact)'),
  project: S(),
  stage: S(),
  service: S(),
  eventID: S(),
  source: S(),
  fromTime: S('Only events with time > fromTime'),
  beforeTime: S('Only events with time < beforeTime'),
  root: S('Any value (as in Keptn, even false) returns only the first event of each context'),
  excludeInvalidated: excludeInvalidatedParam(),
  pageSize: pageSizeParam('Number of items to return: 1 to 100, default 20'),
  nextPageKey: nextPageKeyParam(),
});
/** Query of the datastore's `GET /event`. */
export type DatastoreEventQuery = Static<typeof datastoreEventQuery>;

/**
 * Query of the datastore's `GET /event/type/{eventType}`. `filter` is required: the server checks
 * it first so that its own message reaches the client.
 */
export const datastoreEventTypeQuery = Type.Object({
  filter: Type.String({
    description:
      "key:value clauses joined by ' AND '; commas list alternatives; must contain data.project or shkeptncontext. " +
      'e.g. data.project:sockshop AND data.stage:dev AND data.result:pass,warning',
  }),
  excludeInvalidated: excludeInvalidatedParam(),
  fromTime: S('Only events with time > fromTime'),
  limit: S('Number of items to return: 1 to 100, default 20'),
});
/** Query of the datastore's `GET /event/type/{eventType}`. */
export type DatastoreEventTypeQuery = Static<typeof datastoreEventTypeQuery>;

/** `{eventType}` path parameter. */
export const eventTypeParams = Type.Object({
  eventType: Type.String({ description: 'Exact event type, e.g. sh.keptn.event.deployment.triggered' }),
});

// ---------------------------------------------------------------------------------------------
// Projects, stages, services (go-utils models.ExpandedProject and friends)

/** `models.EventContextInfo`. */
export const eventContextInfoSchema = Type.Object({
  eventId: S('ID of the event'),
  keptnContext: S('Keptn context of the event'),
  time: S('Time of the event (unix nanoseconds)'),
});
/** `models.EventContextInfo`. */
export type EventContextInfo = Static<typeof eventContextInfoSchema>;

/** `models.Remediation` (never filled, as in Keptn 1.4.5). */
const remediationSchema = Type.Object({ action: S(), eventId: S(), keptnContext: S(), time: S(), type: S() });

/** `models.ExpandedService`. */
export const expandedServiceSchema = Type.Object({
  serviceName: Type.String(),
  creationDate: Type.String({ description: 'Unix nanoseconds as a decimal string' }),
  deployedImage: S('Image of the last finished deployment; absent before the first one'),
  lastEventTypes: MapOf(eventContextInfoSchema, { description: 'Last task event per event type' }),
  openRemediations: Type.Optional(OrNull(Type.Array(remediationSchema), { description: 'Always null (as in Keptn 1.4.5)' })),
});
/** `models.ExpandedService`. */
export type ExpandedService = Static<typeof expandedServiceSchema>;

/** `models.ExpandedStage`. */
export const expandedStageSchema = Type.Object({
  stageName: Type.String(),
  parentStages: Type.Optional(
    Type.Array(Type.String(), {
      description: "Stages named in the triggeredOn events of this stage's sequences; left out when there are none (Keptn's omitempty)",
    }),
  ),
  services: Type.Array(expandedServiceSchema),
  lastEventContext: Type.Optional(OrNull(eventContextInfoSchema, { description: 'Always null (as in Keptn)' })),
});
/** `models.ExpandedStage`. */
export type ExpandedStage = Static<typeof expandedStageSchema>;

/** Public part of the project's git credentials. */
const gitCredentialsPublicSchema = (description: string) =>
  Type.Object(
    {
      remoteURL: S(),
      user: S(),
      https: Type.Optional(
        Type.Object({
          insecureSkipTLS: Type.Optional(Type.Boolean()),
          proxy: Type.Optional(Type.Object({ url: S(), scheme: S(), user: S() })),
        }),
      ),
    },
    { description },
  );

const nullableString = (description: string) => OrNull(Type.String(), { description });

/** Sync status of a project's upstream (Shipmate extension). */
const upstreamStatusProperties = {
  remoteURL: Type.String(),
  state: StringEnum(['synced', 'pending', 'failing', 'diverged'], {
    description:
      'synced: nothing to push; pending: a push is due; failing: the last pull or push failed (see lastError, nextAttempt); diverged: see divergedBranches',
  }),
  unpushedCommits: Type.Number({ description: "Commits on Shipmate's branches the upstream does not have yet" }),
  lastPush: nullableString('ISO time of the last successful push'),
  lastPull: nullableString('ISO time of the last successful pull'),
  lastError: OrNull(Type.Object({ time: S(), operation: Type.Optional(StringEnum(['push', 'pull'])), message: S() })),
  failedAttempts: Type.Number({ description: 'Failed attempts in a row' }),
  nextAttempt: nullableString('ISO time of the next retry while failing'),
  divergedBranches: ReadonlyArrayOf(Type.Object({ branch: S(), conflicts: Type.Optional(ReadonlyArrayOf(Type.String())), pushedAs: S() }), {
    description: 'Branches changed on both sides with conflicting edits: Shipmate keeps its version and pushes it to pushedAs',
  }),
};

/** Sync status of a project's upstream (Shipmate extension). */
export const upstreamStatusSchema = Type.Object(upstreamStatusProperties);
/** Sync status of a project's upstream (Shipmate extension). */
export type UpstreamStatus = Static<typeof upstreamStatusSchema>;

/** `models.ExpandedProject`, with the flat git fields of Keptn's older swagger filled in too. */
export const expandedProjectSchema = Type.Object({
  projectName: Type.String(),
  creationDate: Type.String({ description: 'Unix nanoseconds as a decimal string' }),
  shipyard: Type.String({ description: 'shipyard.yaml as plain text (not base64)' }),
  shipyardVersion: Type.String({ description: 'apiVersion of the shipyard, e.g. spec.keptn.sh/0.2.0' }),
  gitCredentials: Type.Optional(
    gitCredentialsPublicSchema('Public part only: tokens, keys, passwords and certificates are never returned'),
  ),
  isUpstreamAutoProvisioned: Type.Optional(Type.Boolean({ description: 'Always false: Shipmate does not auto-provision upstreams' })),
  lastEventContext: Type.Optional(OrNull(eventContextInfoSchema, { description: 'Context of the last sequence started in the project' })),
  stages: Type.Array(expandedStageSchema, { description: 'Stages in shipyard order' }),
  gitRemoteURI: S('Legacy flat form of gitCredentials.remoteURL'),
  gitUser: S('Legacy flat form of gitCredentials.user'),
  gitProxyUrl: S('Legacy flat form of gitCredentials.https.proxy.url'),
  gitProxyScheme: S('Legacy flat form of gitCredentials.https.proxy.scheme'),
  gitProxyUser: S('Legacy flat form of gitCredentials.https.proxy.user'),
  insecureSkipTLS: Type.Optional(Type.Boolean({ description: 'Legacy flat form of gitCredentials.https.insecureSkipTLS' })),
  upstreamStatus: Type.Optional(
    Type.Object(upstreamStatusProperties, { description: 'Shipmate extension: sync status of the upstream, when the project has one' }),
  ),
});
/** `models.ExpandedProject`. */
export type ExpandedProject = Static<typeof expandedProjectSchema>;

/** Paging fields of the in-memory lists (`nextPageKey` string, `"0"` at the end). */
const inMemoryPageProperties = () => ({
  nextPageKey: Type.String({ description: 'Offset of the next page; "0" when there are no more' }),
  pageSize: Type.Optional(Type.Number({ description: 'Never sent: Keptn leaves it out of these lists too' })),
  totalCount: Type.Number({ description: 'Number of items in all pages' }),
});

/** `models.ExpandedProjects`. */
export const expandedProjectsSchema = Type.Object({ projects: Type.Array(expandedProjectSchema), ...inMemoryPageProperties() });
/** `models.ExpandedProjects`. */
export type ExpandedProjects = Static<typeof expandedProjectsSchema>;

/** `models.ExpandedStages`. */
export const expandedStagesSchema = Type.Object({ stages: Type.Array(expandedStageSchema), ...inMemoryPageProperties() });
/** `models.ExpandedStages`. */
export type ExpandedStages = Static<typeof expandedStagesSchema>;

/** `models.ExpandedServices`. */
export const expandedServicesSchema = Type.Object({ services: Type.Array(expandedServiceSchema), ...inMemoryPageProperties() });
/** `models.ExpandedServices`. */
export type ExpandedServices = Static<typeof expandedServicesSchema>;

// ---------------------------------------------------------------------------------------------
// Sequences

const sequenceStateEventSchema = () => Type.Optional(Type.Object({ type: S(), id: S(), time: S() }));

/** `models.SequenceStateStage`. */
const sequenceStateStageSchema = Type.Object({
  name: S(),
  state: S('triggered while tasks run, then succeeded, errored or aborted'),
  image: S(),
  latestEvaluation: Type.Optional(Type.Object({ result: S(), score: Type.Optional(Type.Number()) })),
  latestEvent: sequenceStateEventSchema(),
  latestFailedEvent: sequenceStateEventSchema(),
  message: S('Shipmate: why the stage is stuck or ended (e.g. a timeout)'),
});

/** `models.SequenceState`. */
export const sequenceStateSchema = Type.Object({
  name: S(),
  service: S(),
  project: S(),
  shkeptncontext: S(),
  time: S(),
  state: S('triggered, started, waiting, paused, finished, aborted or timedOut'),
  problemTitle: S(),
  stages: Type.Optional(Type.Array(sequenceStateStageSchema)),
});
/** `models.SequenceState`. */
export type SequenceState = Static<typeof sequenceStateSchema>;

/** `models.SequenceStates` (DB pagination: numeric `nextPageKey`, absent at the end). */
export const sequenceStatesSchema = Type.Object({
  states: Type.Array(sequenceStateSchema),
  nextPageKey: Type.Optional(Type.Integer({ description: 'Offset of the next page; absent when there are no more' })),
  pageSize: Type.Optional(Type.Integer({ description: 'Never sent, as in Keptn' })),
  totalCount: Type.Integer(),
});
/** `models.SequenceStates`. */
export type SequenceStates = Static<typeof sequenceStatesSchema>;

/** Keptn's internal `SequenceExecution` record (shipyard-controller/models/sequence_execution.go). */
export const sequenceExecutionSchema = Type.Object(
  {
    _id: S(),
    schemaVersion: S(),
    sequence: Type.Optional(Type.Object({ name: S(), tasks: Type.Optional(Type.Array(AnyObject())) }, { additionalProperties: true })),
    status: Type.Optional(
      Type.Object(
        {
          state: S(),
          stateBeforePause: S(),
          previousTasks: Type.Optional(Type.Array(AnyObject())),
          currentTask: Type.Optional(OrNull(AnyObject())),
          outcome: Type.Optional(AnyObject({ description: 'Shipmate: result, status and message once the execution ended' })),
        },
        { additionalProperties: true },
      ),
    ),
    scope: Type.Optional(
      Type.Object(
        {
          project: S(),
          stage: S(),
          service: S(),
          labels: Type.Optional(MapOf(Type.String())),
          keptnContext: S(),
          triggeredId: S(),
          gitcommitid: S(),
          eventType: S(),
        },
        { additionalProperties: true },
      ),
    ),
    inputProperties: Type.Optional(AnyObject({ description: 'Data of the triggering event' })),
    triggeredAt: S(),
  },
  { additionalProperties: true },
);
/** Keptn's `SequenceExecution` record. */
export type SequenceExecution = Static<typeof sequenceExecutionSchema>;

/** Response of `GET /sequence-execution`. */
export const sequenceExecutionsSchema = Type.Object({
  sequenceExecutions: Type.Array(sequenceExecutionSchema),
  nextPageKey: Type.Optional(Type.Integer({ description: 'Offset of the next page; absent when there are no more' })),
  pageSize: Type.Integer({ description: 'Number of executions returned' }),
  totalCount: Type.Integer(),
});
/** Response of `GET /sequence-execution`. */
export type SequenceExecutions = Static<typeof sequenceExecutionsSchema>;

// ---------------------------------------------------------------------------------------------
// Events

/** Response of `GET /event/triggered/{eventType}` (go-utils `models.Events`). */
export const triggeredEventsSchema = Type.Object({
  events: Type.Array(keptnEventSchema),
  nextPageKey: Type.String({ description: 'Offset of the next page; "0" when there are no more' }),
  pageSize: Type.Optional(Type.Number({ description: 'Never sent, as in Keptn' })),
  totalCount: Type.Number(),
});
/** Response of `GET /event/triggered/{eventType}`. */
export type TriggeredEvents = Static<typeof triggeredEventsSchema>;

/** Response of the datastore's `GET /event`. */
export const datastoreEventsSchema = Type.Object({
  events: Type.Array(keptnEventSchema),
  nextPageKey: S('Offset of the next page; only present when more results exist'),
  pageSize: Type.Integer({ description: 'The page size asked for' }),
  totalCount: Type.Integer(),
});
/** Response of the datastore's `GET /event`. */
export type DatastoreEvents = Static<typeof datastoreEventsSchema>;

/** Response of the datastore's `GET /event/type/{eventType}`. */
export const eventsByTypeSchema = Type.Object({ events: Type.Array(keptnEventSchema) });
/** Response of the datastore's `GET /event/type/{eventType}`. */
export type EventsByType = Static<typeof eventsByTypeSchema>;
