/**
 * Schemas of the integration registry (`/uniform/registration`) and log (`/log`) paths, after
 * Keptn's shipyard-controller swagger (`models.Integration`, `models.LogEntry`). Bodies are typed
 * loosely and validated by the registry with Keptn's rules, so its messages reach the client.
 */

const stringList = { type: 'array', items: { type: 'string' } } as const;

/** Keptn's `EventSubscriptionFilter`; an empty list means all. */
export const subscriptionFilterSchema = {
  type: 'object',
  properties: { projects: stringList, stages: stringList, services: stringList },
} as const;

/** Keptn's `EventSubscription`. */
export const subscriptionSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, event: { type: 'string' }, filter: subscriptionFilterSchema },
} as const;

const instanceSchema = {
  type: 'object',
  description: 'Shipmate: one agent process of the integration',
  properties: {
    instanceId: { type: 'string' },
    hostname: { type: 'string' },
    podname: { type: 'string' },
    location: { type: 'string' },
    integrationversion: { type: 'string' },
    distributorversion: { type: 'string' },
    filters: subscriptionFilterSchema,
    lastseen: { type: 'string' },
    state: { type: 'string', enum: ['online', 'offline'] },
  },
} as const;

/** Keptn's `Integration` plus Shipmate's `instances` and `collision`. */
export const integrationSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    metadata: {
      type: 'object',
      properties: {
        hostname: { type: 'string' },
        integrationversion: { type: 'string' },
        distributorversion: { type: 'string' },
        location: { type: 'string' },
        lastseen: { type: 'string' },
        kubernetesmetadata: {
          type: 'object',
          properties: { namespace: { type: 'string' }, podname: { type: 'string' }, deploymentname: { type: 'string' } },
        },
        shipmate: {
          type: 'object',
          description: "Shipmate extension (register body only): the instance's own filters",
          properties: { filters: subscriptionFilterSchema },
        },
      },
    },
    subscriptions: { type: 'array', items: subscriptionSchema },
    instances: { type: 'array', items: instanceSchema },
    collision: {
      type: 'object',
      description: 'Shipmate: present when several execution planes share this identity',
      properties: { message: { type: 'string' }, planes: stringList, filtersOverlap: { type: 'boolean' } },
    },
  },
} as const;

/** `{id}` (Keptn's `RegisterResponse`), plus Shipmate's `instanceId` on register. */
export const idResponseSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, instanceId: { type: 'string', description: 'Shipmate: pass to the ping as ?instanceId=' } },
} as const;

/** `{integrationID}` path parameter. */
export const integrationParams = {
  type: 'object',
  required: ['integrationID'],
  properties: { integrationID: { type: 'string' } },
} as const;
/** `{integrationID}/{subscriptionID}` path parameters. */
export const subscriptionParams = {
  type: 'object',
  required: ['integrationID', 'subscriptionID'],
  properties: { integrationID: { type: 'string' }, subscriptionID: { type: 'string' } },
} as const;

/** Query of `GET /uniform/registration`. */
export const registrationListQuery = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    namespace: { type: 'string' },
    hostname: { type: 'string' },
    project: { type: 'string', description: 'Some subscription filter lists this project' },
    stage: { type: 'string' },
    service: { type: 'string' },
  },
} as const;

/** Query of the ping (Shipmate extension; Keptn's SDK sends nothing). */
export const pingQuery = {
  type: 'object',
  properties: { instanceId: { type: 'string', description: 'Shipmate: the instance that pings' } },
} as const;

/** Keptn's `LogEntry`. */
export const logEntrySchema = {
  type: 'object',
  properties: {
    integrationid: { type: 'string' },
    message: { type: 'string' },
    time: { type: 'string' },
    shkeptncontext: { type: 'string' },
    task: { type: 'string' },
    triggeredid: { type: 'string' },
    gitcommitid: { type: 'string' },
  },
} as const;

/** Body of `POST /log`. */
export const createLogsBodySchema = { type: 'object', properties: { logs: { type: 'array', items: { type: 'object' } } } } as const;

const logTime = { type: 'string', description: 'Keptn timestamp, exactly 2006-01-02T15:04:05.000Z; inclusive' } as const;

/** Query of `GET /log`. */
export const logQuery = {
  type: 'object',
  properties: {
    integrationId: { type: 'string' },
    fromTime: logTime,
    beforeTime: logTime,
    pageSize: { type: 'string', description: 'Number of entries; missing or 0 returns all' },
    nextPageKey: { type: 'string', description: 'The nextPageKey of the previous page (an offset)' },
  },
} as const;

/** Query of `DELETE /log`. */
export const deleteLogQuery = {
  type: 'object',
  properties: { integrationId: { type: 'string' }, fromTime: logTime, beforeTime: logTime },
} as const;

/** Keptn's `GetLogsResponse`. */
export const logsResponseSchema = {
  type: 'object',
  properties: {
    logs: { type: 'array', items: logEntrySchema },
    nextPageKey: { type: 'integer', description: 'Offset of the next page; absent on the last page' },
    pageSize: { type: 'integer', description: 'Number of entries returned' },
    totalCount: { type: 'integer' },
  },
} as const;
