/**
 * The UI's one door to the control plane's API: a typed `fetch` wrapper that sends the token as
 * `x-token` (never in a URL) and turns every failure into an {@link ApiError} that says what kind it
 * is (wrong token, API unreachable, API unavailable, request refused), plus one function per call
 * the views make. `packages/api-client` replaces this module later; keep it small and isolated.
 */
import type { Approval, ApprovalDecision, ExpandedProject, KeptnEvent, SequenceControl, SequenceExecution, SequenceState } from './types';

/** What went wrong with a call. */
export type ApiErrorKind =
  /** 401: the token is wrong or was revoked. */
  | 'unauthorized'
  /** No answer at all (network, server down). Worth retrying. */
  | 'unreachable'
  /** 5xx or 429: the server answered but cannot serve now. Worth retrying. */
  | 'unavailable'
  /** Any other 4xx: the request itself was refused (the message says why). */
  | 'refused';

/** A failed API call. */
export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    /** HTTP status; 0 when there was no answer. */
    readonly status: number,
    message: string,
    /** Shipmate's stable error code (`ERR_…`), when the answer had one. */
    readonly errorCode?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** True when trying again later may work. */
  get retryable(): boolean {
    return this.kind === 'unreachable' || this.kind === 'unavailable';
  }
}

/** One request. */
export interface ApiRequest {
  method?: 'GET' | 'POST';
  /** Path under the server's origin, e.g. `/api/v1/auth`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  signal?: AbortSignal;
}

/** Path segment, encoded. */
const segment = encodeURIComponent;

function urlOf(path: string, query: ApiRequest['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') params.set(key, String(value));
  const search = params.toString();
  return search === '' ? path : `${path}?${search}`;
}

/** The error of a failed answer: the message of its Keptn error body (`{"code", "message"}`), or the status line. */
export async function apiErrorOf(response: Response): Promise<ApiError> {
  let message = `${response.status} ${response.statusText}`.trim();
  let errorCode: string | undefined;
  try {
    const body = (await response.json()) as { message?: unknown; errorCode?: unknown };
    if (typeof body.message === 'string' && body.message !== '') message = body.message;
    if (typeof body.errorCode === 'string') errorCode = body.errorCode;
  } catch {
    // Not JSON (a proxy's error page): the status line says enough.
  }
  const kind: ApiErrorKind =
    response.status === 401 ? 'unauthorized' : response.status === 429 || response.status >= 500 ? 'unavailable' : 'refused';
  return new ApiError(kind, response.status, message, errorCode);
}

/** Sends `request` with the token; resolves with the parsed JSON body (undefined when empty). */
export async function apiFetch<T>(token: string, request: ApiRequest): Promise<T> {
  let response: Response;
  try {
    response = await fetch(urlOf(request.path, request.query), {
      method: request.method ?? 'GET',
      headers: {
        'x-token': token,
        accept: 'application/json',
        ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      ...(request.signal ? { signal: request.signal } : {}),
      cache: 'no-store',
    });
  } catch (error) {
    if (request.signal?.aborted) throw error;
    throw new ApiError(
      'unreachable',
      0,
      `cannot reach the Shipmate API at ${window.location.origin} (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (!response.ok) throw await apiErrorOf(response);
  const text = await response.text();
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** The calls the views make, bound to one token. */
export interface ShipmateApi {
  readonly token: string;
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
    filter: { name?: string; state?: string; pageSize?: number },
    signal?: AbortSignal,
  ): Promise<SequenceState[]>;
  /** One sequence state, or undefined when the context is unknown. */
  getSequence(project: string, keptnContext: string, signal?: AbortSignal): Promise<SequenceState | undefined>;
  /** The execution records (one per stage run) of a context. */
  listExecutions(project: string, keptnContext: string, signal?: AbortSignal): Promise<SequenceExecution[]>;
  /** Every event of a context (up to 1,000), oldest first. */
  listContextEvents(project: string, keptnContext: string, signal?: AbortSignal): Promise<KeptnEvent[]>;
  /** The latest `evaluation.finished` events of a project (up to 100), newest first. */
  listEvaluations(project: string, signal?: AbortSignal): Promise<KeptnEvent[]>;
  controlSequence(project: string, keptnContext: string, state: SequenceControl, signal?: AbortSignal): Promise<void>;
  /** Open approval tasks of a project, newest first. */
  listApprovals(project: string, signal?: AbortSignal): Promise<Approval[]>;
  decideApproval(project: string, triggeredId: string, decision: ApprovalDecision, message?: string, signal?: AbortSignal): Promise<void>;
}

const CP = '/api/controlPlane/v1';
const MAX_CONTEXT_EVENTS = 1000;

/** The API bound to `token`. */
export function createShipmateApi(token: string): ShipmateApi {
  const call = <T>(request: ApiRequest) => apiFetch<T>(token, request);
  return {
    token,
    async checkToken(signal) {
      await call({ path: `${CP}/project`, query: { pageSize: 1 }, signal });
    },
    async listProjects(signal) {
      const projects: ExpandedProject[] = [];
      for (let nextPageKey: string | undefined; ;) {
        const page = await call<{ projects: ExpandedProject[]; nextPageKey?: string }>({
          path: `${CP}/project`,
          query: { pageSize: 50, nextPageKey },
          signal,
        });
        projects.push(...page.projects);
        if (!page.nextPageKey || page.nextPageKey === '0' || page.projects.length === 0) return projects;
        nextPageKey = page.nextPageKey;
      }
    },
    getProject(project, signal) {
      return call<ExpandedProject>({ path: `${CP}/project/${segment(project)}`, signal });
    },
    async listSequences(project, filter, signal) {
      const page = await call<{ states: SequenceState[] }>({
        path: `${CP}/sequence/${segment(project)}`,
        query: { name: filter.name, state: filter.state, pageSize: filter.pageSize ?? 50 },
        signal,
      });
      return page.states;
    },
    async getSequence(project, keptnContext, signal) {
      const page = await call<{ states: SequenceState[] }>({ path: `${CP}/sequence/${segment(project)}`, query: { keptnContext }, signal });
      return page.states.find((state) => state.shkeptncontext === keptnContext);
    },
    async listExecutions(project, keptnContext, signal) {
      const page = await call<{ sequenceExecutions: SequenceExecution[] }>({
        path: `${CP}/sequence-execution`,
        query: { project, keptnContext, pageSize: 100 },
        signal,
      });
      return page.sequenceExecutions;
    },
    async listContextEvents(project, keptnContext, signal) {
      const events: KeptnEvent[] = [];
      for (let nextPageKey: string | undefined; events.length < MAX_CONTEXT_EVENTS;) {
        const page = await call<{ events: KeptnEvent[]; nextPageKey?: string }>({
          path: '/api/mongodb-datastore/event',
          query: { project, keptnContext, pageSize: 100, nextPageKey },
          signal,
        });
        events.push(...page.events);
        if (!page.nextPageKey || page.events.length === 0) break;
        nextPageKey = page.nextPageKey;
      }
      return events.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    },
    async listEvaluations(project, signal) {
      const page = await call<{ events: KeptnEvent[] }>({
        path: '/api/mongodb-datastore/event/type/sh.keptn.event.evaluation.finished',
        query: { filter: `data.project:${project}`, limit: 100 },
        signal,
      });
      return page.events;
    },
    async controlSequence(project, keptnContext, state, signal) {
      await call({ method: 'POST', path: `${CP}/sequence/${segment(project)}/${segment(keptnContext)}/control`, body: { state }, signal });
    },
    async listApprovals(project, signal) {
      const page = await call<{ approvals: Approval[] }>({ path: `${CP}/project/${segment(project)}/approval`, signal });
      return page.approvals;
    },
    async decideApproval(project, triggeredId, decision, message, signal) {
      await call({
        method: 'POST',
        path: `${CP}/project/${segment(project)}/approval/${segment(triggeredId)}`,
        body: { decision, ...(message ? { message } : {}) },
        signal,
      });
    },
  };
}
