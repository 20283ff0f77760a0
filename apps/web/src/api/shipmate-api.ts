/**
 * The calls the views make, on `@shipmate/api-client` with the wire types of `@shipmate/api`:
 * paging loops, the UI's token check, and answers a view can show at once (lists never
 * undefined). The token goes as `x-token`, never into a URL. Failures are the client's errors;
 * {@link apiFailureOf} sorts them for the views.
 */
import { ApiError, createApiClient } from '@shipmate/api-client';
import type { ApiClient } from '@shipmate/api-client';
import type {
  Approval,
  ApprovalDecision,
  ExpandedProject,
  Integration,
  KeptnEvent,
  LogEntry,
  Resource,
  SecretSummary,
  SequenceControlState,
  SequenceExecution,
  SequenceState,
  Subscription,
  UpstreamStatus,
} from '@shipmate/api';
import { decodeBase64 } from '../format/decode-base64';

/** The calls the views make, bound to one token. */
export interface ShipmateApi {
  readonly token: string;
  /** The typed client itself, for calls without a helper here. */
  readonly client: ApiClient;
  /**
   * Resolves when the server accepts the token for the UI's calls: a project read, which the admin
   * token may make and an execution-plane token may not (403), unlike `POST /api/v1/auth`.
   */
  checkToken(signal?: AbortSignal): Promise<void>;
  /** Every project, sorted by name. */
  listProjects(signal?: AbortSignal): Promise<ExpandedProject[]>;
  getProject(project: string, signal?: AbortSignal): Promise<ExpandedProject>;
  /** Sequence states of a project, newest first (server filters: name, state). */
  listSequences(
    project: string,
    filter: { name?: string | undefined; state?: string | undefined; pageSize?: number },
    signal?: AbortSignal,
  ): Promise<SequenceState[]>;
  /** One sequence state, or undefined when the context is unknown. */
  getSequence(project: string, keptnContext: string, signal?: AbortSignal): Promise<SequenceState | undefined>;
  /** The execution records (one per stage run) of a context. */
  listExecutions(project: string, keptnContext: string, signal?: AbortSignal): Promise<SequenceExecution[]>;
  /** Every event of a context (up to 1,000), oldest first. */
  listContextEvents(project: string, keptnContext: string, signal?: AbortSignal): Promise<KeptnEvent[]>;
  /** The latest `evaluation.finished` events of a project (or of one stage and service), newest first. */
  listEvaluations(project: string, scope?: { stage: string; service: string; limit?: number }, signal?: AbortSignal): Promise<KeptnEvent[]>;
  controlSequence(project: string, keptnContext: string, state: SequenceControlState, signal?: AbortSignal): Promise<void>;
  /** Open approval tasks of a project, newest first. */
  listApprovals(project: string, signal?: AbortSignal): Promise<Approval[]>;
  decideApproval(project: string, triggeredId: string, decision: ApprovalDecision, message?: string, signal?: AbortSignal): Promise<void>;
  /** Every integration with its instances, subscriptions and collision warning. */
  listIntegrations(signal?: AbortSignal): Promise<Integration[]>;
  /** The newest entries of the integrations' error log (up to `pageSize`). */
  listLogs(pageSize: number, signal?: AbortSignal): Promise<LogEntry[]>;
  /** Creates (no `id`) or replaces (with `id`) a subscription of an integration. */
  saveSubscription(integrationId: string, subscription: Subscription, signal?: AbortSignal): Promise<void>;
  deleteSubscription(integrationId: string, subscriptionId: string, signal?: AbortSignal): Promise<void>;
  /** Secrets: names, scopes and keys, never values. */
  listSecrets(signal?: AbortSignal): Promise<SecretSummary[]>;
  /** The upstream's sync status, or undefined when the project has no upstream. */
  getUpstream(project: string, signal?: AbortSignal): Promise<UpstreamStatus | undefined>;
  /** The project's `shipyard.yaml` from the resource service, or undefined without one. */
  getShipyard(project: string, signal?: AbortSignal): Promise<{ content: string; version?: string | undefined } | undefined>;
}

const MAX_CONTEXT_EVENTS = 1000;
const EVALUATION_FINISHED = 'sh.keptn.event.evaluation.finished';
const encode = encodeURIComponent;

/** Undefined for a 404 answer; any other failure is thrown on. */
async function unlessNotFound<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** The API bound to `token`, at the page's origin. */
export function createShipmateApi(token: string): ShipmateApi {
  // One retry of a lost connection; the views retry on their own after that (every 5 s).
  const client = createApiClient({ baseUrl: `${window.location.origin}/api`, token, retries: 1 });
  const call = (signal: AbortSignal | undefined) => (signal ? { signal } : {});
  return {
    token,
    client,
    async checkToken(signal) {
      await client.projects({ pageSize: '1' }, call(signal));
    },
    async listProjects(signal) {
      const projects: ExpandedProject[] = [];
      for (let nextPageKey: string | undefined; ;) {
        const page = await client.projects({ pageSize: '50', ...(nextPageKey ? { nextPageKey } : {}) }, call(signal));
        projects.push(...page.projects);
        if (!page.nextPageKey || page.nextPageKey === '0' || page.projects.length === 0) return projects;
        nextPageKey = page.nextPageKey;
      }
    },
    getProject: (project, signal) => client.project(project, call(signal)),
    async listSequences(project, filter, signal) {
      const page = await client.sequences(
        project,
        {
          ...(filter.name ? { name: filter.name } : {}),
          ...(filter.state ? { state: filter.state } : {}),
          pageSize: String(filter.pageSize ?? 50),
        },
        call(signal),
      );
      return page.states;
    },
    async getSequence(project, keptnContext, signal) {
      const page = await client.sequences(project, { keptnContext }, call(signal));
      return page.states.find((state) => state.shkeptncontext === keptnContext);
    },
    async listExecutions(project, keptnContext, signal) {
      const page = await client.sequenceExecutions({ project, keptnContext, pageSize: '100' }, call(signal));
      return page.sequenceExecutions;
    },
    async listContextEvents(project, keptnContext, signal) {
      const events: KeptnEvent[] = [];
      for (let nextPageKey: string | undefined; events.length < MAX_CONTEXT_EVENTS;) {
        const page = await client.events({ project, keptnContext, pageSize: '100', ...(nextPageKey ? { nextPageKey } : {}) }, call(signal));
        events.push(...page.events);
        if (!page.nextPageKey || page.events.length === 0) break;
        nextPageKey = page.nextPageKey;
      }
      return events.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    },
    async listEvaluations(project, scope, signal) {
      const clauses = [`data.project:${project}`];
      if (scope) clauses.push(`data.stage:${scope.stage}`, `data.service:${scope.service}`);
      const page = await client.eventsByType(
        EVALUATION_FINISHED,
        { filter: clauses.join(' AND '), limit: scope?.limit ?? 100 },
        call(signal),
      );
      return page.events;
    },
    async controlSequence(project, keptnContext, state, signal) {
      await client.controlSequence(project, keptnContext, { state }, call(signal));
    },
    async listApprovals(project, signal) {
      return (await client.approvals(project, call(signal))).approvals ?? [];
    },
    async decideApproval(project, triggeredId, decision, message, signal) {
      await client.decideApproval(project, triggeredId, { decision, ...(message ? { message } : {}) }, call(signal));
    },
    listIntegrations: (signal) => client.integrations({}, call(signal)),
    async listLogs(pageSize, signal) {
      return (await client.logs({ pageSize: String(pageSize) }, call(signal))).logs ?? [];
    },
    async saveSubscription(integrationId, subscription, signal) {
      if (subscription.id) await client.putSubscription(integrationId, subscription.id, subscription, call(signal));
      else await client.createSubscription(integrationId, subscription, call(signal));
    },
    deleteSubscription: (integrationId, subscriptionId, signal) => client.deleteSubscription(integrationId, subscriptionId, call(signal)),
    async listSecrets(signal) {
      return (await client.secrets({}, call(signal))).Secrets;
    },
    getUpstream: (project, signal) => unlessNotFound(client.projectUpstream(project, call(signal))),
    async getShipyard(project, signal) {
      const resource = await unlessNotFound(
        client.request<Resource>('GET', `/resource-service/v1/project/${encode(project)}/resource/shipyard.yaml`, call(signal)),
      );
      const content = resource?.resourceContent === undefined ? undefined : decodeBase64(resource.resourceContent);
      return content === undefined ? undefined : { content, version: resource?.metadata?.version };
    },
  };
}
