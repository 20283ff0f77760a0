/**
 * The typed client of Shipmate's REST API: one method per route the agent SDK, the CLI and the
 * web UI use, with the request and answer types of @shipmate/api. Paths are below the API
 * endpoint (`<baseUrl>` ends in `/api`); every failure is an {@link ApiError},
 * {@link ApiUnreachableError} or {@link ApiTimeoutError} (see api-error.ts), or the caller's abort.
 */
import type {
  AcceptedEvent,
  ApprovalDecisionBody,
  ApprovalDecisionResponse,
  ApprovalList,
  CreateLogsBody,
  CreateProjectBody,
  CreateTokenBody,
  CreatedToken,
  DatastoreEventQuery,
  DatastoreEvents,
  DeleteLogQuery,
  DeleteProjectResponse,
  EvaluationBody,
  EventsByType,
  ExpandedProject,
  ExpandedProjects,
  ExpandedService,
  ExpandedServices,
  ExpandedStage,
  ExpandedStages,
  FinishedEventResponse,
  IdResponse,
  InMemoryListQuery,
  Integration,
  KeptnContextResponse,
  KeptnEventInput,
  LogEntry,
  LogQuery,
  LogsResponse,
  Metadata,
  RegistrationBody,
  RegistrationListQuery,
  Resource,
  ResourceLevelParams,
  ResourceList,
  ResourceQuery,
  ResourcesBody,
  ScopeList,
  SecretBody,
  SecretList,
  SecretQuery,
  SecretSummary,
  SequenceControlBody,
  SequenceExecutionQuery,
  SequenceExecutions,
  SequenceStateQuery,
  SequenceStates,
  Subscription,
  TaskBatch,
  TokenList,
  TokenSummary,
  TriggeredEventQuery,
  TriggeredEvents,
  UpdateProjectBody,
  UpstreamStatus,
  WriteResult,
} from '@shipmate/api';
import { resolveApiClientOptions } from './api-client-options.js';
import type { ApiClientOptions, ResolvedApiClientOptions } from './api-client-options.js';
import { createHttpTransport } from './http-transport.js';
import type { ApiResponse, QueryValues, RequestOptions } from './http-transport.js';

/** Extra time a long poll may take beyond its wait before the client gives up. */
export const LONG_POLL_GRACE_MS = 10_000;

/** Per-call settings of the typed methods. */
export type CallOptions = Pick<RequestOptions, 'signal' | 'timeoutMs' | 'retries'>;

/** Options of a long poll. */
export interface LongPollOptions extends Pick<RequestOptions, 'signal' | 'retries'> {
  /** How long the server may hold the request (ms, 0..60000). */
  waitMs: number;
}

/** Where resources live: a project, one of its stages, or a service in a stage. */
export type ResourceLevel = Omit<ResourceLevelParams, 'resourceURI'>;

/** The typed client. */
export interface ApiClient {
  /** The resolved options (base URL, timeouts, retries). */
  readonly options: ResolvedApiClientOptions;

  /** Any request below the base URL; answers every status, throws only without an answer. */
  raw(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  /** Any request below the base URL; a 2xx answer's JSON, else an {@link ApiError}. */
  request<T>(method: string, path: string, options?: RequestOptions): Promise<T>;

  /** `POST /v1/auth`: resolves when the token is accepted. */
  checkToken(options?: CallOptions): Promise<void>;
  /** `GET /v1/metadata`. */
  metadata(options?: CallOptions): Promise<Metadata>;
  /** `POST /v1/event`: stores the event (not retried: a repeat would be a second event). */
  sendEvent(event: KeptnEventInput, options?: CallOptions): Promise<AcceptedEvent>;
  /** `GET /controlPlane/v1/event/triggered/{eventType}`: open `.triggered` events (tasks not done yet). */
  triggeredEvents(eventType: string, query?: TriggeredEventQuery, options?: CallOptions): Promise<TriggeredEvents>;
  /** `GET /controlPlane/v1/event/finished/{triggeredId}`: the answering `.finished`, waiting up to `waitMs`. */
  finishedEvent(triggeredId: string, poll: LongPollOptions & { keptnContext?: string }): Promise<FinishedEventResponse>;
  /** `GET /mongodb-datastore/event`. */
  events(query?: DatastoreEventQuery, options?: CallOptions): Promise<DatastoreEvents>;
  /** `GET /mongodb-datastore/event/type/{eventType}?filter=`. */
  eventsByType(
    eventType: string,
    query: { filter: string; excludeInvalidated?: 'true' | 'false'; fromTime?: string; limit?: number },
    options?: CallOptions,
  ): Promise<EventsByType>;

  /** `GET /controlPlane/v1/project`. */
  projects(query?: InMemoryListQuery, options?: CallOptions): Promise<ExpandedProjects>;
  /** `GET /controlPlane/v1/project/{project}`. */
  project(project: string, options?: CallOptions): Promise<ExpandedProject>;
  /** `GET /controlPlane/v1/project/{project}/upstream`. */
  projectUpstream(project: string, options?: CallOptions): Promise<UpstreamStatus>;
  /** `POST /controlPlane/v1/project` (`shipyard` is base64). */
  createProject(body: CreateProjectBody, options?: CallOptions): Promise<void>;
  /** `PUT /controlPlane/v1/project`. */
  updateProject(body: UpdateProjectBody, options?: CallOptions): Promise<void>;
  /** `DELETE /controlPlane/v1/project/{project}`. */
  deleteProject(project: string, options?: CallOptions): Promise<DeleteProjectResponse>;
  /** `GET /controlPlane/v1/project/{project}/stage`. */
  stages(project: string, query?: InMemoryListQuery, options?: CallOptions): Promise<ExpandedStages>;
  /** `GET /controlPlane/v1/project/{project}/stage/{stage}`. */
  stage(project: string, stage: string, options?: CallOptions): Promise<ExpandedStage>;
  /** `GET /controlPlane/v1/project/{project}/stage/{stage}/service`. */
  services(project: string, stage: string, query?: InMemoryListQuery, options?: CallOptions): Promise<ExpandedServices>;
  /** `GET /controlPlane/v1/project/{project}/stage/{stage}/service/{service}`. */
  service(project: string, stage: string, service: string, options?: CallOptions): Promise<ExpandedService>;
  /** `POST /controlPlane/v1/project/{project}/service`. */
  createService(project: string, service: string, options?: CallOptions): Promise<void>;
  /** `DELETE /controlPlane/v1/project/{project}/service/{service}`. */
  deleteService(project: string, service: string, options?: CallOptions): Promise<void>;
  /** `POST .../project/{p}/stage/{s}/service/{svc}/evaluation`: starts the evaluation sequence. */
  triggerEvaluation(
    project: string,
    stage: string,
    service: string,
    body?: EvaluationBody,
    options?: CallOptions,
  ): Promise<KeptnContextResponse>;

  /** `GET /controlPlane/v1/sequence/{project}`: sequence states, newest first. */
  sequences(project: string, query?: SequenceStateQuery, options?: CallOptions): Promise<SequenceStates>;
  /** `GET /controlPlane/v1/sequence-execution`. */
  sequenceExecutions(query: SequenceExecutionQuery, options?: CallOptions): Promise<SequenceExecutions>;
  /** `POST /controlPlane/v1/sequence/{project}/{keptnContext}/control`: pause, resume or abort. */
  controlSequence(project: string, keptnContext: string, body: SequenceControlBody, options?: CallOptions): Promise<void>;

  /** `GET /controlPlane/v1/project/{project}/approval`: the open approval tasks. */
  approvals(project: string, options?: CallOptions): Promise<ApprovalList>;
  /** `POST /controlPlane/v1/project/{project}/approval/{triggeredId}`: approve or decline. */
  decideApproval(
    project: string,
    triggeredId: string,
    body: ApprovalDecisionBody,
    options?: CallOptions,
  ): Promise<ApprovalDecisionResponse>;

  /** `POST /controlPlane/v1/uniform/registration`: registers (or finds) the integration and, on Shipmate, an instance. */
  register(body: RegistrationBody | Integration, options?: CallOptions): Promise<IdResponse>;
  /** `PUT /controlPlane/v1/uniform/registration/{id}/ping[?instanceId=]`: the heartbeat; answers the integration. */
  ping(integrationId: string, instanceId?: string, options?: CallOptions): Promise<Integration>;
  /** `DELETE /controlPlane/v1/uniform/registration/{id}`: removes the integration with its instances. */
  unregister(integrationId: string, options?: CallOptions): Promise<void>;
  /** `DELETE /controlPlane/v1/uniform/registration/{id}/instance/{instanceId}`: removes one instance. */
  unregisterInstance(integrationId: string, instanceId: string, options?: CallOptions): Promise<void>;
  /** `GET .../registration/{id}/instance/{instanceId}/tasks?waitMs=`: the long poll for tasks (timeout: wait + grace). */
  pollTasks(integrationId: string, instanceId: string, poll: LongPollOptions): Promise<TaskBatch>;
  /** `GET /controlPlane/v1/uniform/registration`: integrations with their instances. */
  integrations(query?: RegistrationListQuery, options?: CallOptions): Promise<Integration[]>;
  /** `GET /controlPlane/v1/uniform/registration/{id}`. */
  integration(integrationId: string, options?: CallOptions): Promise<Integration>;
  /** `GET .../registration/{id}/subscription`. */
  subscriptions(integrationId: string, options?: CallOptions): Promise<Subscription[]>;
  /** `GET .../registration/{id}/subscription/{subscriptionId}`. */
  subscription(integrationId: string, subscriptionId: string, options?: CallOptions): Promise<Subscription>;
  /** `POST .../registration/{id}/subscription`: answers the new subscription's id. */
  createSubscription(integrationId: string, subscription: Subscription, options?: CallOptions): Promise<IdResponse>;
  /** `PUT .../registration/{id}/subscription/{subscriptionId}`: creates or replaces it. */
  putSubscription(integrationId: string, subscriptionId: string, subscription: Subscription, options?: CallOptions): Promise<IdResponse>;
  /** `DELETE .../registration/{id}/subscription/{subscriptionId}`. */
  deleteSubscription(integrationId: string, subscriptionId: string, options?: CallOptions): Promise<void>;

  /** `GET /controlPlane/v1/log`: integration error logs, newest first. */
  logs(query?: LogQuery, options?: CallOptions): Promise<LogsResponse>;
  /** `POST /controlPlane/v1/log`. */
  sendLogs(entries: readonly LogEntry[], options?: CallOptions): Promise<void>;
  /** `DELETE /controlPlane/v1/log`. */
  deleteLogs(query?: DeleteLogQuery, options?: CallOptions): Promise<void>;

  /** `GET /resource-service/v1/project/{p}[/stage/{s}[/service/{svc}]]/resource`: one page of files, without content. */
  resources(level: ResourceLevel, query?: ResourceQuery, options?: CallOptions): Promise<ResourceList>;
  /** `GET .../resource/{resourceURI}`: one file with its content (base64). */
  resource(level: ResourceLevel, resourceUri: string, query?: Pick<ResourceQuery, 'gitCommitID'>, options?: CallOptions): Promise<Resource>;
  /** `PUT .../resource/{resourceURI}`: creates or overwrites one file (`contentBase64` is the file in base64). */
  putResource(level: ResourceLevel, resourceUri: string, contentBase64: string, options?: CallOptions): Promise<WriteResult>;
  /** `PUT .../resource`: creates or overwrites several files in one commit. */
  putResources(level: ResourceLevel, body: ResourcesBody, options?: CallOptions): Promise<WriteResult>;
  /** `DELETE .../resource/{resourceURI}`. */
  deleteResource(level: ResourceLevel, resourceUri: string, options?: CallOptions): Promise<WriteResult>;

  /** `GET /secrets/v1/secret`: names, scopes and keys, never values. */
  secrets(query?: SecretQuery, options?: CallOptions): Promise<SecretList>;
  /** `GET /secrets/v1/scope`. */
  secretScopes(options?: CallOptions): Promise<ScopeList>;
  /** `POST /secrets/v1/secret` (not retried). */
  createSecret(secret: SecretBody, options?: CallOptions): Promise<SecretSummary>;
  /** `PUT /secrets/v1/secret`. */
  updateSecret(secret: SecretBody, options?: CallOptions): Promise<SecretSummary>;
  /** `DELETE /secrets/v1/secret?name=&scope=`. */
  deleteSecret(name: string, scope: string, options?: CallOptions): Promise<void>;

  /** `POST /shipmate/v1/token`: the token is in this answer only (admin token). */
  createToken(body: CreateTokenBody, options?: CallOptions): Promise<CreatedToken>;
  /** `GET /shipmate/v1/token`. */
  tokens(options?: CallOptions): Promise<TokenList>;
  /** `DELETE /shipmate/v1/token/{id}`. */
  revokeToken(id: string, options?: CallOptions): Promise<TokenSummary>;
}

const CP = '/controlPlane/v1';
const REGISTRATION = `${CP}/uniform/registration`;
const e = encodeURIComponent;

/** Creates a client; throws a RangeError naming a bad option. */
export function createApiClient(input: ApiClientOptions): ApiClient {
  const options = resolveApiClientOptions(input);
  const http = createHttpTransport(options);
  const get = <T>(path: string, query?: QueryValues, call: CallOptions = {}) =>
    http.json<T>('GET', path, { ...call, ...(query ? { query } : {}) });
  const write = <T>(method: string, path: string, json: unknown, call: CallOptions = {}) =>
    http.json<T>(method, path, { ...call, ...(json === undefined ? {} : { json }) });
  const done = async (answer: Promise<unknown>): Promise<void> => {
    await answer;
  };
  const longPollTimeout = (waitMs: number) => waitMs + LONG_POLL_GRACE_MS;
  const projectPath = (project: string) => `${CP}/project/${e(project)}`;
  const stagePath = (project: string, stage: string) => `${projectPath(project)}/stage/${e(stage)}`;
  const resourcePath = (level: ResourceLevel, resourceUri?: string) =>
    `/resource-service/v1/project/${e(level.project)}` +
    (level.stage === undefined ? '' : `/stage/${e(level.stage)}`) +
    (level.service === undefined ? '' : `/service/${e(level.service)}`) +
    `/resource${resourceUri === undefined ? '' : `/${e(resourceUri)}`}`;

  return {
    options,
    raw: (method, path, request) => http.send(method, path, request),
    request: (method, path, request) => http.json(method, path, request),

    checkToken: (call) => done(write('POST', '/v1/auth', undefined, call)),
    metadata: (call) => get('/v1/metadata', undefined, call),
    sendEvent: (event, call) => write('POST', '/v1/event', event, call),
    triggeredEvents: (eventType, query, call) => get(`${CP}/event/triggered/${e(eventType)}`, query, call),
    finishedEvent: (triggeredId, { waitMs, keptnContext, ...call }) =>
      http.json('GET', `${CP}/event/finished/${e(triggeredId)}`, {
        ...call,
        query: { keptnContext, waitMs },
        timeoutMs: longPollTimeout(waitMs),
      }),
    events: (query, call) => get('/mongodb-datastore/event', query, call),
    eventsByType: (eventType, query, call) => get(`/mongodb-datastore/event/type/${e(eventType)}`, query, call),

    projects: (query, call) => get(`${CP}/project`, query, call),
    project: (project, call) => get(projectPath(project), undefined, call),
    projectUpstream: (project, call) => get(`${projectPath(project)}/upstream`, undefined, call),
    createProject: (body, call) => done(write('POST', `${CP}/project`, body, call)),
    updateProject: (body, call) => done(write('PUT', `${CP}/project`, body, call)),
    deleteProject: (project, call) => write('DELETE', projectPath(project), undefined, call),
    stages: (project, query, call) => get(`${projectPath(project)}/stage`, query, call),
    stage: (project, stage, call) => get(stagePath(project, stage), undefined, call),
    services: (project, stage, query, call) => get(`${stagePath(project, stage)}/service`, query, call),
    service: (project, stage, service, call) => get(`${stagePath(project, stage)}/service/${e(service)}`, undefined, call),
    createService: (project, service, call) => done(write('POST', `${projectPath(project)}/service`, { serviceName: service }, call)),
    deleteService: (project, service, call) => done(write('DELETE', `${projectPath(project)}/service/${e(service)}`, undefined, call)),
    triggerEvaluation: (project, stage, service, body, call) =>
      write('POST', `${stagePath(project, stage)}/service/${e(service)}/evaluation`, body ?? {}, call),

    sequences: (project, query, call) => get(`${CP}/sequence/${e(project)}`, query, call),
    sequenceExecutions: (query, call) => get(`${CP}/sequence-execution`, query, call),
    controlSequence: (project, keptnContext, body, call) =>
      done(write('POST', `${CP}/sequence/${e(project)}/${e(keptnContext)}/control`, body, call)),

    approvals: (project, call) => get(`${projectPath(project)}/approval`, undefined, call),
    decideApproval: (project, triggeredId, body, call) => write('POST', `${projectPath(project)}/approval/${e(triggeredId)}`, body, call),

    register: (body, call) => write('POST', REGISTRATION, body, call),
    ping: (integrationId, instanceId, call) =>
      http.json('PUT', `${REGISTRATION}/${e(integrationId)}/ping`, {
        ...call,
        ...(instanceId === undefined ? {} : { query: { instanceId } }),
      }),
    unregister: (integrationId, call) => done(write('DELETE', `${REGISTRATION}/${e(integrationId)}`, undefined, call)),
    unregisterInstance: (integrationId, instanceId, call) =>
      done(write('DELETE', `${REGISTRATION}/${e(integrationId)}/instance/${e(instanceId)}`, undefined, call)),
    pollTasks: (integrationId, instanceId, { waitMs, ...call }) =>
      http.json('GET', `${REGISTRATION}/${e(integrationId)}/instance/${e(instanceId)}/tasks`, {
        ...call,
        query: { waitMs },
        timeoutMs: longPollTimeout(waitMs),
      }),
    integrations: (query, call) => get(REGISTRATION, query, call),
    integration: (integrationId, call) => get(`${REGISTRATION}/${e(integrationId)}`, undefined, call),
    subscriptions: (integrationId, call) => get(`${REGISTRATION}/${e(integrationId)}/subscription`, undefined, call),
    subscription: (integrationId, subscriptionId, call) =>
      get(`${REGISTRATION}/${e(integrationId)}/subscription/${e(subscriptionId)}`, undefined, call),
    createSubscription: (integrationId, subscription, call) =>
      write('POST', `${REGISTRATION}/${e(integrationId)}/subscription`, subscription, call),
    putSubscription: (integrationId, subscriptionId, subscription, call) =>
      write('PUT', `${REGISTRATION}/${e(integrationId)}/subscription/${e(subscriptionId)}`, subscription, call),
    deleteSubscription: (integrationId, subscriptionId, call) =>
      done(write('DELETE', `${REGISTRATION}/${e(integrationId)}/subscription/${e(subscriptionId)}`, undefined, call)),

    logs: (query, call) => get(`${CP}/log`, query, call),
    sendLogs: (entries, call) => done(write('POST', `${CP}/log`, { logs: entries } satisfies CreateLogsBody, call)),
    deleteLogs: (query, call) => done(http.json('DELETE', `${CP}/log`, { ...call, ...(query ? { query } : {}) })),

    resources: (level, query, call) => get(resourcePath(level), query, call),
    resource: (level, resourceUri, query, call) => get(resourcePath(level, resourceUri), query, call),
    putResource: (level, resourceUri, contentBase64, call) =>
      write('PUT', resourcePath(level, resourceUri), { resourceURI: resourceUri, resourceContent: contentBase64 }, call),
    putResources: (level, body, call) => write('PUT', resourcePath(level), body, call),
    deleteResource: (level, resourceUri, call) => write('DELETE', resourcePath(level, resourceUri), undefined, call),

    secrets: (query, call) => get('/secrets/v1/secret', query, call),
    secretScopes: (call) => get('/secrets/v1/scope', undefined, call),
    createSecret: (secret, call) => write('POST', '/secrets/v1/secret', secret, call),
    updateSecret: (secret, call) => write('PUT', '/secrets/v1/secret', secret, call),
    deleteSecret: (name, scope, call) => done(http.json('DELETE', '/secrets/v1/secret', { ...call, query: { name, scope } })),

    createToken: (body, call) => write('POST', '/shipmate/v1/token', body, call),
    tokens: (call) => get('/shipmate/v1/token', undefined, call),
    revokeToken: (id, call) => write('DELETE', `/shipmate/v1/token/${e(id)}`, undefined, call),
  };
}
