/**
 * What a task handler reads from the control plane besides its event: configuration files of its
 * project (Keptn's resource service), secrets (Shipmate's task secret read, allowed only while
 * the instance holds the task) and other API reads (e.g. earlier events from the datastore).
 */
import type { KeptnEvent } from '@shipmate/core';
import { ControlPlaneError } from './control-plane-client.js';
import type { ControlPlaneClient, Registration } from './control-plane-client.js';

/** The level a configuration file was found at. */
export type ResourceLevelName = 'service' | 'stage' | 'project';

/** A configuration file of the task's project. */
export interface TaskResource {
  readonly content: Buffer;
  /** Where it was found (the most specific level that has it). */
  readonly level: ResourceLevelName;
  /** The commit it was read at, when the control plane reported it. */
  readonly commit?: string;
}

/** A secret's values. */
export type SecretValues = Readonly<Record<string, string>>;

/** Reads for one task. */
export interface TaskReads {
  /**
   * The file `uri` (e.g. `slo.yaml`, `webhook/webhook.yaml`) at the most specific level that has it:
   * service, then stage, then project (or only `levels`). Service and stage are read at the event's
   * `gitcommitid` when it has one (the configuration the sequence started with), the project at its
   * tip. Undefined when no level has it.
   */
  resource: (uri: string, options?: { levels?: readonly ResourceLevelName[] }) => Promise<TaskResource | undefined>;
  /** The values of secret `name` in `scope` (default `keptn-default`); rejects with the control plane's reason. */
  secret: (name: string, scope?: string) => Promise<SecretValues>;
  /**
   * `GET path` below the API endpoint (e.g. `/mongodb-datastore/event?keptnContext=…`) with the
   * integration's token, as parsed JSON; rejects with the control plane's reason unless it answers
   * 200. Reads only: a task changes the control plane through its own events.
   */
  api: (path: string) => Promise<unknown>;
}

const ALL_LEVELS: readonly ResourceLevelName[] = ['service', 'stage', 'project'];

function levelPath(event: KeptnEvent, level: ResourceLevelName): string | undefined {
  const { project, stage, service } = event.data;
  if (!project) return undefined;
  const p = `/resource-service/v1/project/${encodeURIComponent(project)}`;
  if (level === 'project') return p;
  if (!stage) return undefined;
  const s = `${p}/stage/${encodeURIComponent(stage)}`;
  if (level === 'stage') return s;
  return service ? `${s}/service/${encodeURIComponent(service)}` : undefined;
}

function failure(method: string, path: string, status: number, body: Buffer): ControlPlaneError {
  let message = body.toString('utf8').slice(0, 300);
  try {
    const parsed = JSON.parse(message) as { message?: unknown };
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // not JSON: keep the text
  }
  return new ControlPlaneError(`${method} ${path} answered ${status}: ${message}`, status, path);
}

/** The reads of the task `event`, held by the instance `registration()` returns. */
export function createTaskReads(client: ControlPlaneClient, event: KeptnEvent, registration: () => Registration | undefined): TaskReads {
  return {
    async resource(uri, options = {}) {
      for (const level of options.levels ?? ALL_LEVELS) {
        const base = levelPath(event, level);
        if (base === undefined) continue;
        const commit = level !== 'project' && event.gitcommitid ? `?gitCommitID=${encodeURIComponent(event.gitcommitid)}` : '';
        const path = `${base}/resource/${encodeURIComponent(uri)}${commit}`;
        const answer = await client.raw('GET', path);
        if (answer.status === 404) continue;
        if (answer.status !== 200) throw failure('GET', path, answer.status, answer.body);
        const body = JSON.parse(answer.body.toString('utf8')) as { resourceContent?: string; metadata?: { version?: string } };
        return {
          content: Buffer.from(body.resourceContent ?? '', 'base64'),
          level,
          ...(body.metadata?.version ? { commit: body.metadata.version } : {}),
        };
      }
      return undefined;
    },
    async secret(name, scope) {
      const held = registration();
      if (!held) throw new Error(`cannot read secret '${name}': the integration is not registered`);
      const query = `name=${encodeURIComponent(name)}${scope ? `&scope=${encodeURIComponent(scope)}` : ''}`;
      const path =
        `/controlPlane/v1/uniform/registration/${encodeURIComponent(held.id)}/instance/${encodeURIComponent(held.instanceId)}` +
        `/task/${encodeURIComponent(event.id)}/secret?${query}`;
      const answer = await client.raw('GET', path);
      if (answer.status !== 200) throw failure('GET', path.replace(/\?.*/, ''), answer.status, answer.body);
      return Object.freeze({ ...(JSON.parse(answer.body.toString('utf8')) as { data: Record<string, string> }).data });
    },
    async api(path) {
      if (!path.startsWith('/')) throw new Error(`api path '${path}' must start with '/', e.g. '/mongodb-datastore/event?project=p'`);
      const answer = await client.raw('GET', path);
      if (answer.status !== 200) throw failure('GET', path.replace(/\?.*/, ''), answer.status, answer.body);
      return JSON.parse(answer.body.toString('utf8')) as unknown;
    },
  };
}
