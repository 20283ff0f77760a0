/**
 * A small HTTP client for the Keptn-compatible API, used by end-to-end tests to play an
 * execution plane the way Keptn's own tests do (poll `.triggered`, send `.started`/`.finished`).
 */
import type { KeptnEvent } from '@shipmate/core';

/** A JSON response. */
export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

/** Client bound to one server and token. */
export class KeptnApiClient {
  /** `send` replaces the global fetch (e.g. a fetch into a network namespace, network-hosts.ts). */
  constructor(
    readonly baseUrl: string,
    readonly token: string,
    private readonly send: typeof fetch = fetch,
  ) {}

  /** Any request; the body is JSON-encoded, the response JSON-decoded (or null when empty). */
  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const response = await this.send(`${this.baseUrl}${path}`, {
      method,
      headers: { 'x-token': this.token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  }

  /** Creates a project from shipyard YAML; throws unless 201. */
  async createProject(name: string, shipyardYaml: string): Promise<void> {
    const response = await this.request('POST', '/api/controlPlane/v1/project', {
      name,
      shipyard: Buffer.from(shipyardYaml).toString('base64'),
    });
    if (response.status !== 201) throw new Error(`create project ${name}: ${response.status} ${JSON.stringify(response.body)}`);
  }

  /** Creates a service; throws unless 200. */
  async createService(project: string, service: string): Promise<void> {
    const response = await this.request('POST', `/api/controlPlane/v1/project/${project}/service`, { serviceName: service });
    if (response.status !== 200) throw new Error(`create service ${service}: ${response.status} ${JSON.stringify(response.body)}`);
  }

  /** Writes one file at project, stage or service level (Keptn's resource service); returns the commit; throws unless 2xx. */
  async putResource(level: { project: string; stage?: string; service?: string }, uri: string, content: string): Promise<string> {
    let path = `/api/resource-service/v1/project/${level.project}`;
    if (level.stage) path += `/stage/${level.stage}`;
    if (level.stage && level.service) path += `/service/${level.service}`;
    const response = await this.request<{ commitID: string }>('PUT', `${path}/resource/${encodeURIComponent(uri)}`, {
      resourceURI: uri,
      resourceContent: Buffer.from(content).toString('base64'),
    });
    if (response.status < 200 || response.status > 299) throw new Error(`put ${uri}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.commitID;
  }

  /** Posts an event; returns the keptnContext; throws unless 200. */
  async sendEvent(event: Record<string, unknown>): Promise<string> {
    const response = await this.request<{ keptnContext: string }>('POST', '/api/v1/event', event);
    if (response.status !== 200) throw new Error(`send ${String(event.type)}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.keptnContext;
  }

  /** Starts `<stage>.<sequence>` for a service. */
  async triggerSequence(
    project: string,
    stage: string,
    sequence: string,
    service: string,
    data: Record<string, unknown> = {},
  ): Promise<string> {
    return this.sendEvent({
      type: `sh.keptn.event.${stage}.${sequence}.triggered`,
      source: 'e2e',
      data: { project, stage, service, ...data },
    });
  }

  /** Open `.triggered` events of a task type (all pages). */
  async openTriggered(taskType: string, filter: { project: string; stage?: string; service?: string }): Promise<KeptnEvent[]> {
    const events: KeptnEvent[] = [];
    let nextPageKey = '0';
    do {
      const query = new URLSearchParams({ ...filter, pageSize: '50', nextPageKey });
      const response = await this.request<{ events: KeptnEvent[]; nextPageKey: string }>(
        'GET',
        `/api/controlPlane/v1/event/triggered/${taskType}?${query.toString()}`,
      );
      if (response.status !== 200) throw new Error(`open triggered ${taskType}: ${response.status} ${JSON.stringify(response.body)}`);
      events.push(...response.body.events);
      nextPageKey = response.body.nextPageKey;
    } while (nextPageKey && nextPageKey !== '0');
    return events;
  }

  /** Answers a task `.triggered` as an executor: `.started` (unless skipped) then `.finished`. */
  async answerTask(
    triggered: KeptnEvent,
    outcome: { result?: string; status?: string; data?: Record<string, unknown>; source?: string; skipStarted?: boolean } = {},
  ): Promise<void> {
    const task = triggered.type.split('.')[3] ?? '';
    const base = {
      source: outcome.source ?? 'e2e-executor',
      shkeptncontext: triggered.shkeptncontext,
      triggeredid: triggered.id,
    };
    const scope = { project: triggered.data.project, stage: triggered.data.stage, service: triggered.data.service };
    if (!outcome.skipStarted)
      await this.sendEvent({ ...base, type: `sh.keptn.event.${task}.started`, data: { ...scope, status: 'succeeded' } });
    await this.sendEvent({
      ...base,
      type: `sh.keptn.event.${task}.finished`,
      data: { ...scope, result: outcome.result ?? 'pass', status: outcome.status ?? 'succeeded', ...outcome.data },
    });
  }

  /** The sequence state view of one context. */
  async sequenceState(project: string, keptnContext: string): Promise<SequenceStateView | undefined> {
    const response = await this.request<{ states: SequenceStateView[] }>(
      'GET',
      `/api/controlPlane/v1/sequence/${project}?keptnContext=${keptnContext}`,
    );
    return response.body.states[0];
  }

  /** Events of a context from the event store, oldest first. */
  async contextEvents(project: string, keptnContext: string): Promise<KeptnEvent[]> {
    const response = await this.request<{ events: KeptnEvent[] }>(
      'GET',
      `/api/mongodb-datastore/event?project=${project}&keptnContext=${keptnContext}&pageSize=100`,
    );
    return [...response.body.events].reverse();
  }
}

/** The parts of a sequence state the tests read. */
export interface SequenceStateView {
  state: string;
  shkeptncontext: string;
  stages: Array<{ name: string; state: string; message?: string; latestEvent?: { type: string } }>;
}

/** Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
