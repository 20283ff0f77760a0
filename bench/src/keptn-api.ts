/**
 * The Keptn v1 calls the bench makes, on top of the keep-alive client: project and service setup,
 * triggering sequences, listing open `.triggered` task events, answering tasks, sequence states.
 */
import type { HttpClient } from './http-client.js';
import { expectStatus } from './http-client.js';

const CONTROL_PLANE = '/api/controlPlane/v1';
const RESOURCES = '/api/resource-service/v1';

/** The fields of an open task `.triggered` event the bench uses. */
export interface TriggeredTask {
  id: string;
  type: string;
  shkeptncontext: string;
  project: string;
  stage: string;
  service: string;
  /** The commit the task's sequence pinned. */
  gitcommitid?: string;
}

/** Filter of the triggered-events endpoint. */
export interface TriggeredFilter {
  project: string;
  stage?: string;
  service?: string;
}

/** State of one sequence execution (context). */
export interface SequenceState {
  shkeptncontext: string;
  state: string;
}

/** Keptn API calls bound to one client. */
export interface KeptnApi {
  createProject(name: string, shipyardYaml: string): Promise<void>;
  createService(project: string, service: string): Promise<void>;
  /** Sends `<stage>.<sequence>.triggered` (pinned to `gitcommitid` when given); resolves with the keptnContext. */
  triggerSequence(project: string, stage: string, sequence: string, service: string, gitcommitid?: string): Promise<string>;
  /** Writes one file at `level` (`project/<p>/stage/<s>[/service/<svc>]`); resolves with the commit id. */
  putResource(level: string, uri: string, content: Buffer): Promise<string>;
  /** Reads one file at `level`, at the branch tip or at `commit`; resolves with its size in bytes. */
  getResource(level: string, uri: string, commit?: string): Promise<number>;
  /** All open `.triggered` events of `sh.keptn.event.<task>.triggered` (every page). */
  openTriggered(task: string, filter: TriggeredFilter, pageSize?: number): Promise<TriggeredTask[]>;
  /** Answers a task: `.started`, then `.finished` with result pass / status succeeded. */
  answerTask(task: TriggeredTask): Promise<void>;
  /** `.started` alone. */
  sendStarted(task: TriggeredTask): Promise<void>;
  /** `.finished` (pass/succeeded) alone, for callers that time it apart from `.started`. */
  sendFinished(task: TriggeredTask): Promise<void>;
  /** Sequence states of the given contexts (comma-list filter, every page). */
  sequenceStates(project: string, contexts: readonly string[]): Promise<SequenceState[]>;
}

/** Binds the Keptn calls to `client`; `source` is the CloudEvents source of sent events. */
export function createKeptnApi(client: HttpClient, source = 'bench'): KeptnApi {
  async function sendEvent(event: Record<string, unknown>): Promise<string> {
    const response = await client.json('POST', '/api/v1/event', event);
    expectStatus(response, 200, `POST /api/v1/event ${String(event.type)}`);
    return stringField(asRecord(response.body), 'keptnContext');
  }

  function answer(task: TriggeredTask, kind: 'started' | 'finished'): Promise<string> {
    const name = taskName(task.type);
    const scope = { project: task.project, stage: task.stage, service: task.service };
    return sendEvent({
      type: `sh.keptn.event.${name}.${kind}`,
      source,
      shkeptncontext: task.shkeptncontext,
      triggeredid: task.id,
      data: kind === 'finished' ? { ...scope, result: 'pass', status: 'succeeded' } : { ...scope, status: 'succeeded' },
    });
  }

  /** Collects `key` arrays over every page of a Keptn paginated GET. */
  async function allPages(path: string, query: Record<string, string>, key: string, what: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let nextPageKey = '0';
    for (;;) {
      const search = new URLSearchParams(nextPageKey === '0' ? query : { ...query, nextPageKey });
      const response = await client.json('GET', `${path}?${search.toString()}`);
      expectStatus(response, 200, what);
      const body = asRecord(response.body);
      const page = body[key];
      if (!Array.isArray(page)) throw new Error(`${what}: response has no '${key}' array: ${JSON.stringify(body).slice(0, 300)}`);
      for (const item of page) items.push(asRecord(item));
      const next = body.nextPageKey;
      nextPageKey = typeof next === 'string' ? next : typeof next === 'number' ? String(next) : '0';
      if (nextPageKey === '0' || nextPageKey === '' || page.length === 0) return items;
    }
  }

  return {
    async createProject(name, shipyardYaml) {
      const response = await client.json('POST', `${CONTROL_PLANE}/project`, {
        name,
        shipyard: Buffer.from(shipyardYaml).toString('base64'),
      });
      expectStatus(response, 201, `create project ${name}`);
    },
    async createService(project, service) {
      const response = await client.json('POST', `${CONTROL_PLANE}/project/${project}/service`, { serviceName: service });
      expectStatus(response, 200, `create service ${service}`);
    },
    triggerSequence(project, stage, sequence, service, gitcommitid) {
      return sendEvent({
        type: `sh.keptn.event.${stage}.${sequence}.triggered`,
        source,
        ...(gitcommitid ? { gitcommitid } : {}),
        data: { project, stage, service },
      });
    },
    async putResource(level, uri, content) {
      const response = await client.json('PUT', `${RESOURCES}/${level}/resource`, {
        resources: [{ resourceURI: uri, resourceContent: content.toString('base64') }],
      });
      expectStatus(response, 200, `PUT ${level}/resource ${uri}`);
      return stringField(asRecord(response.body), 'commitID');
    },
    async getResource(level, uri, commit) {
      const query = commit ? `?gitCommitID=${commit}` : '';
      const response = await client.json('GET', `${RESOURCES}/${level}/resource/${encodeURIComponent(uri)}${query}`);
      expectStatus(response, 200, `GET ${level}/resource/${uri}`);
      return Buffer.from(stringField(asRecord(response.body), 'resourceContent'), 'base64').length;
    },
    async openTriggered(task, filter, pageSize = 100) {
      const type = `sh.keptn.event.${task}.triggered`;
      const query: Record<string, string> = { project: filter.project, pageSize: String(pageSize) };
      if (filter.stage) query.stage = filter.stage;
      if (filter.service) query.service = filter.service;
      const events = await allPages(`${CONTROL_PLANE}/event/triggered/${type}`, query, 'events', `GET triggered ${type}`);
      return events.map(toTriggeredTask);
    },
    async answerTask(task) {
      await answer(task, 'started');
      await answer(task, 'finished');
    },
    async sendStarted(task) {
      await answer(task, 'started');
    },
    async sendFinished(task) {
      await answer(task, 'finished');
    },
    async sequenceStates(project, contexts) {
      if (contexts.length === 0) return [];
      const query = { keptnContext: contexts.join(','), pageSize: String(Math.max(contexts.length, 20)) };
      const states = await allPages(`${CONTROL_PLANE}/sequence/${project}`, query, 'states', `GET sequence states of ${project}`);
      return states.map((s) => ({ shkeptncontext: stringField(s, 'shkeptncontext'), state: stringField(s, 'state') }));
    },
  };
}

/** `deployment` from `sh.keptn.event.deployment.triggered`. */
export function taskName(type: string): string {
  return type.split('.')[3] ?? '';
}

function toTriggeredTask(event: Record<string, unknown>): TriggeredTask {
  const data = asRecord(event.data);
  return {
    id: stringField(event, 'id'),
    type: stringField(event, 'type'),
    shkeptncontext: stringField(event, 'shkeptncontext'),
    project: stringField(data, 'project'),
    stage: stringField(data, 'stage'),
    service: stringField(data, 'service'),
    ...(typeof event.gitcommitid === 'string' ? { gitcommitid: event.gitcommitid } : {}),
  };
}

function asRecord(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`expected a JSON object, got ${JSON.stringify(value)}`);
  return value as Record<string, unknown>;
}

function stringField(record: Record<string, unknown>, field: string): string {
  const value = record[field];
  if (typeof value !== 'string') throw new Error(`expected string field '${field}' in ${JSON.stringify(record).slice(0, 300)}`);
  return value;
}
