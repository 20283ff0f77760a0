/**
 * What an execution-plane token may do, route by route: one declarative table (route → required
 * permission and where the request acts), read by one door (`registerAuth`). A route that is not
 * in the table is for the admin token only (default deny), so a new route is closed to plane
 * tokens until it is listed here. Each permission is checked by {@link checkPlaneRequest}; the
 * token's filters further limit every request to its projects, stages and services.
 */
import { outsideFilters } from '@shipmate/core';
import type { ApiTokenSummary, TokenTarget } from '@shipmate/core';
import { parseDatastoreFilter } from '../http/datastore-filter.js';

/** What a route needs from a plane token. */
export const Permission = {
  /** `/v1/auth`, `/v1/metadata`, the OpenAPI document. */
  metadata: 'metadata',
  /** Register an integration; its subscriptions must stay inside the token's filters. */
  register: 'integration.register',
  /** Act on an integration this token registered (one of its instances): ping, read subscriptions. */
  ownIntegration: 'integration.own',
  /** Act on an instance this token registered: unregister it, long poll its tasks, read their secrets. */
  ownInstance: 'integration.instance',
  /** Unregister a whole integration: only when no other token registered instances of it. */
  ownIntegrationAlone: 'integration.own-alone',
  /** Write log entries of integrations this token registered. */
  log: 'integration.log',
  /** Post events answering tasks this token holds (`.started`, `.status.changed`, `.finished`), sub-task `.triggered`, `sh.keptn.log.*`. */
  answerTask: 'task.answer',
  /** Read configuration files (resources) of the token's projects, stages and services. */
  readResources: 'resource.read',
  /** Read datastore events of the token's projects, stages and services. */
  readEvents: 'event.read',
} as const;
/** One of {@link Permission}. */
export type Permission = (typeof Permission)[keyof typeof Permission];

/** The parts of a request the rules look at. */
export interface RequestParts {
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly body: unknown;
}

/** A route's rule: the permission, and where a request acts (for the filters). */
export interface RouteRule {
  readonly permission: Permission;
  readonly target?: (request: RequestParts) => TokenTarget;
}

const REGISTRATION = '/api/controlPlane/v1/uniform/registration';
const paramsTarget = ({ params }: RequestParts): TokenTarget => ({ project: params.project, stage: params.stage, service: params.service });
const queryTarget = ({ query }: RequestParts): TokenTarget => ({ project: query.project, stage: query.stage, service: query.service });
function datastoreFilterTarget({ query }: RequestParts): TokenTarget {
  try {
    // Only a single value names a project (stage, service); several values cannot be checked one by one here.
    const clauses = parseDatastoreFilter(query.filter ?? '');
    const single = (key: string) => {
      const values = clauses.find((clause) => clause.key === key)?.values;
      return values?.length === 1 ? values[0] : undefined;
    };
    return { project: single('data.project'), stage: single('data.stage'), service: single('data.service') };
  } catch {
    // A bad filter names nothing; the route itself answers 400 when the token has no filters.
    return {};
  }
}
const resourceRoutes = (
  ['/project/:project', '/project/:project/stage/:stage', '/project/:project/stage/:stage/service/:service'] as const
).flatMap((level) => [`GET /api/resource-service/v1${level}/resource`, `GET /api/resource-service/v1${level}/resource/:resourceURI`]);

/** The routes a plane token may call, keyed `METHOD /route/:pattern` as Fastify matched it. */
export const ROUTE_PERMISSIONS: Readonly<Record<string, RouteRule>> = Object.freeze({
  'POST /api/v1/auth': { permission: Permission.metadata },
  'GET /api/v1/metadata': { permission: Permission.metadata },
  'GET /api/openapi.json': { permission: Permission.metadata },
  [`POST ${REGISTRATION}`]: { permission: Permission.register },
  [`DELETE ${REGISTRATION}/:integrationID`]: { permission: Permission.ownIntegrationAlone },
  [`DELETE ${REGISTRATION}/:integrationID/instance/:instanceID`]: { permission: Permission.ownInstance },
  // With ?instanceId= the ping is the instance's; Keptn's ping without it is the integration's.
  [`PUT ${REGISTRATION}/:integrationID/ping`]: { permission: Permission.ownInstance },
  [`GET ${REGISTRATION}/:integrationID/subscription`]: { permission: Permission.ownIntegration },
  [`GET ${REGISTRATION}/:integrationID/instance/:instanceID/tasks`]: { permission: Permission.ownInstance },
  [`GET ${REGISTRATION}/:integrationID/instance/:instanceID/task/:triggeredID/secret`]: { permission: Permission.ownInstance },
  'POST /api/controlPlane/v1/log': { permission: Permission.log },
  'POST /api/v1/event': { permission: Permission.answerTask },
  ...Object.fromEntries(resourceRoutes.map((route) => [route, { permission: Permission.readResources, target: paramsTarget }])),
  'GET /api/mongodb-datastore/event': { permission: Permission.readEvents, target: queryTarget },
  'GET /api/mongodb-datastore/event/type/:eventType': { permission: Permission.readEvents, target: datastoreFilterTarget },
  // The answer of a sub-task the token's integration asked for (task.subtask); it names no scope,
  // so a token limited by filters is refused it, as every request that names none.
  'GET /api/controlPlane/v1/event/finished/:triggeredId': { permission: Permission.readEvents },
} satisfies Record<string, RouteRule>);

/** What a plane token may do, in one line (for the 403 message). */
export const PLANE_TOKEN_MAY =
  'register, ping and unregister its integrations, long poll and answer the tasks they hold, read their task secrets, read resources and datastore events';

/** Facts about the running system the rules need (who registered what, who holds which task). */
export interface PlaneFacts {
  /** True when the token `tokenId` registered an instance of `integrationId`. */
  ownsIntegration(tokenId: string, integrationId: string): boolean;
  /** True when `tokenId` registered instances of `integrationId` and no other token did. */
  ownsIntegrationAlone(tokenId: string, integrationId: string): boolean;
  /** True when the instance was registered with `tokenId`. */
  ownsInstance(tokenId: string, integrationId: string, instanceId: string): boolean;
  /** True when an instance registered with `tokenId` holds the task `triggeredId` (a current or answered lease). */
  holdsTask(tokenId: string, triggeredId: string): Promise<boolean>;
  /** True when the task `triggeredId` is no longer open (finished, aborted, timed out) or never was; asked only to explain a refusal. */
  taskEnded(triggeredId: string): Promise<boolean>;
}

/** The decision on a plane token's request: allowed, or the action and why not. */
export type PlaneDecision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

const ALLOWED: PlaneDecision = Object.freeze({ allowed: true });
const deny = (reason: string): PlaneDecision => ({ allowed: false, reason });

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

/**
 * What a subscription reaches in one dimension for the registering instance: the server delivers a
 * task to an instance only when both the subscription's filter and the instance's own filters
 * (`metadata.shipmate.filters`, the agent's PROJECT_FILTER, STAGE_FILTER, SERVICE_FILTER) match, so
 * the reach is their intersection; an empty list matches everything. `'all'` when neither limits it.
 */
function reach(subscription: readonly string[], instance: readonly string[]): readonly string[] | 'all' {
  if (subscription.length === 0) return instance.length === 0 ? 'all' : instance;
  return instance.length === 0 ? subscription : subscription.filter((name) => instance.includes(name));
}

/** Why a subscription reaches beyond the token's filters (narrowed by the instance's filters), or undefined. */
function subscriptionOutside(token: ApiTokenSummary, subscription: unknown, instanceFilters: Record<string, unknown>): string | undefined {
  const filter = record(record(subscription).filter);
  const event = text(record(subscription).event);
  const dimensions = [
    ['projects', 'PROJECT_FILTER', token.filters.projects],
    ['stages', 'STAGE_FILTER', token.filters.stages],
    ['services', 'SERVICE_FILTER', token.filters.services],
  ] as const;
  for (const [kind, variable, allowed] of dimensions) {
    if (allowed.length === 0) continue;
    const wanted = reach(strings(filter[kind]), strings(instanceFilters[kind]));
    if (wanted === 'all')
      return `a subscription to '${event}' for all ${kind} (the token is limited to ${kind} ${allowed.join(', ')}; give the agent ${variable}=${allowed.join(',')} or the subscription a filter)`;
    const outside = wanted.find((name) => !allowed.includes(name));
    if (outside !== undefined)
      return `a subscription to '${event}' for ${kind} '${outside}' (the token is limited to ${kind} ${allowed.join(', ')})`;
  }
  return undefined;
}

function eventTarget(event: Record<string, unknown>): TokenTarget {
  const data = record(event.data);
  const name = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { project: name(data.project), stage: name(data.stage), service: name(data.service) };
}

/** A task event's kind, from `sh.keptn.event.<task>.<kind>` (a sequence event has one more part). */
function taskEventKind(type: string): { kind: 'task' | 'sequence' | 'log' | 'other'; phase: string } {
  if (type.startsWith('sh.keptn.log.')) return { kind: 'log', phase: '' };
  if (!type.startsWith('sh.keptn.event.')) return { kind: 'other', phase: '' };
  const rest = type.slice('sh.keptn.event.'.length);
  const phase = ['.status.changed', '.started', '.finished', '.triggered'].find((suffix) => rest.endsWith(suffix));
  if (phase === undefined) return { kind: 'other', phase: '' };
  const name = rest.slice(0, -phase.length);
  if (name === '' || name.includes('.') === false) return { kind: 'task', phase };
  return { kind: 'sequence', phase };
}

async function checkEvent(token: ApiTokenSummary, body: unknown, facts: PlaneFacts): Promise<PlaneDecision> {
  const event = record(body);
  const type = typeof event.type === 'string' ? event.type : '';
  const { kind, phase } = taskEventKind(type);
  const outside = outsideFilters(token.filters, eventTarget(event));
  if (kind === 'sequence' && phase === '.triggered')
    return deny(`triggering the sequence '${type}' (only the admin token starts sequences)`);
  if (kind === 'log') return outside === undefined ? ALLOWED : deny(`posting '${type}' for ${outside}`);
  if (kind === 'task' && phase === '.triggered')
    return outside === undefined ? ALLOWED : deny(`posting the sub-task '${type}' for ${outside}`);
  if (kind === 'task') {
    const triggeredId = typeof event.triggeredid === 'string' ? event.triggeredid : '';
    if (outside !== undefined) return deny(`posting '${type}' for ${outside}`);
    if (triggeredId !== '' && (await facts.holdsTask(token.id, triggeredId))) return ALLOWED;
    if (triggeredId !== '' && (await facts.taskEnded(triggeredId)))
      return deny(
        `posting '${type}' for task '${triggeredId}', which has ended (another integration finished it, or its sequence was aborted or timed out): there is nothing left to answer`,
      );
    return deny(`posting '${type}' for task '${triggeredId}', which no instance registered with this token holds`);
  }
  return deny(`posting the event type '${type}'`);
}

/** Decides a plane token's request on a route with `rule` (undefined: not in the table). */
export async function checkPlaneRequest(
  token: ApiTokenSummary,
  action: string,
  rule: RouteRule | undefined,
  request: RequestParts,
  facts: PlaneFacts,
): Promise<PlaneDecision> {
  if (rule === undefined) return deny(action);
  switch (rule.permission) {
    case Permission.metadata:
      return ALLOWED;
    case Permission.register: {
      const body = record(request.body);
      const listed: unknown[] = Array.isArray(body.subscriptions) ? body.subscriptions : [];
      const subscriptions = body.subscription === undefined ? listed : [...listed, body.subscription];
      const instanceFilters = record(record(record(body.metadata).shipmate).filters);
      for (const subscription of subscriptions) {
        const outside = subscriptionOutside(token, subscription, instanceFilters);
        if (outside !== undefined) return deny(`registering ${outside}`);
      }
      return ALLOWED;
    }
    case Permission.ownIntegration: {
      const integrationId = request.params.integrationID ?? '';
      return facts.ownsIntegration(token.id, integrationId)
        ? ALLOWED
        : deny(`${action} for integration '${integrationId}', which was not registered with this token`);
    }
    case Permission.ownInstance: {
      const integrationId = request.params.integrationID ?? '';
      const instanceId = request.params.instanceID ?? request.query.instanceId;
      if (instanceId === undefined || instanceId === '')
        return facts.ownsIntegration(token.id, integrationId)
          ? ALLOWED
          : deny(`${action} for integration '${integrationId}', which was not registered with this token`);
      return facts.ownsInstance(token.id, integrationId, instanceId)
        ? ALLOWED
        : deny(`${action} for instance '${instanceId}' of integration '${integrationId}', which was not registered with this token`);
    }
    case Permission.ownIntegrationAlone: {
      const integrationId = request.params.integrationID ?? '';
      if (facts.ownsIntegrationAlone(token.id, integrationId)) return ALLOWED;
      return facts.ownsIntegration(token.id, integrationId)
        ? deny(
            `${action}: integration '${integrationId}' has instances registered with other tokens; unregister this token's instances instead`,
          )
        : deny(`${action} for integration '${integrationId}', which was not registered with this token`);
    }
    case Permission.log: {
      const body = record(request.body);
      const entries: unknown[] = Array.isArray(body.logs) ? body.logs : [];
      const foreign = entries.map((entry) => text(record(entry).integrationid)).find((id) => !facts.ownsIntegration(token.id, id));
      return foreign === undefined ? ALLOWED : deny(`writing logs of integration '${foreign}', which was not registered with this token`);
    }
    case Permission.answerTask:
      return checkEvent(token, request.body, facts);
    case Permission.readResources:
    case Permission.readEvents: {
      const outside = outsideFilters(token.filters, rule.target?.(request) ?? {});
      return outside === undefined ? ALLOWED : deny(`${action} for ${outside}`);
    }
    default: {
      const never: never = rule.permission;
      return deny(`${action} (unknown permission ${String(never)})`);
    }
  }
}
