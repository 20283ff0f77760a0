/**
 * Project and service lifecycle (Keptn's projectmanager / servicemanager): create, update and
 * delete projects from a base64 shipyard, create and delete services in every stage, and emit
 * Keptn's lifecycle events. Writes on one project are serialised.
 */
import {
  ConflictError,
  ErrorCode,
  InputError,
  NotFoundError,
  ORCHESTRATOR_SOURCE,
  KEPTN_SPEC_VERSION,
  decodeShipyard,
  enforceUpstreamCredentialsPolicy,
  isPlainObject,
  parseShipyardYaml,
  keptnTime,
  validateProjectName,
  validateServiceName,
} from '@shipmate/core';
import type {
  Clock,
  ConfigUpstream,
  ControlPlaneStore,
  EventData,
  IdGenerator,
  KeptnEvent,
  ProjectRecord,
  ResolveHost,
  Shipyard,
  KeyedMutex,
  UpstreamHostPolicy,
} from '@shipmate/core';
import type { EventIntake } from '../intake/event-intake.js';
import { validateGitCredentials } from './git-credentials.js';
import type { ProjectConfigWriter } from './project-config.js';

/** Settings of the project service. */
export interface ProjectServiceOptions {
  store: ControlPlaneStore;
  intake: EventIntake;
  clock: Clock;
  ids: IdGenerator;
  /** Where configuration (shipyard, stages, services) is written. */
  config: ProjectConfigWriter;
  /** Per-project lock shared with the resource API, so a project's writes never interleave. */
  locks: KeyedMutex;
  projectNameMaxLength: number;
  serviceNameMaxLength: number;
  /** The upstream mirror of the configuration repositories, when the server has one. */
  upstream?: ConfigUpstream;
  /** `gitCredentials.remoteURL` values matching one of these are refused (422). */
  remoteUrlDenylist?: readonly RegExp[];
  /** What `gitCredentials.remoteURL` and its proxy may reach (422 otherwise). */
  upstreamHosts: UpstreamHostPolicy;
  /** Resolves upstream host names for that check. */
  resolveHost: ResolveHost;
}

/** Project and service writes. */
export interface ProjectService {
  createProject(body: unknown): Promise<void>;
  updateProject(body: unknown): Promise<void>;
  deleteProject(name: string): Promise<string>;
  createService(project: string, body: unknown): Promise<void>;
  deleteService(project: string, service: string): Promise<void>;
  /** The project, or a 404 error naming it. */
  requireProject(name: string): Promise<ProjectRecord>;
  /**
   * A shipyard change made by `write` (the resource API writing `shipyard.yaml` at the project
   * level): checks the YAML as `PUT /project` does (valid shipyard, same stages), runs `write`
   * under the project's lock and records the new shipyard in the project. Returns what `write` returned.
   */
  changeShipyard(project: string, shipyardYaml: string, write: () => Promise<string>): Promise<string>;
}

const PROJECT_FIELDS = ['name', 'shipyard', 'gitCredentials'];

/** Creates the project service. */
export function createProjectService(options: ProjectServiceOptions): ProjectService {
  const { store, intake, clock, ids, config, locks } = options;

  function lifecycleEvent(type: string, data: EventData): KeptnEvent {
    return {
      id: ids.newId(),
      type,
      source: ORCHESTRATOR_SOURCE,
      specversion: '1.0',
      time: keptnTime(clock.nowMs()),
      contenttype: 'application/json',
      shkeptncontext: ids.newId(),
      shkeptnspecversion: KEPTN_SPEC_VERSION,
      data,
    };
  }

  async function requireProject(name: string): Promise<ProjectRecord> {
    const project = await store.getProject(name);
    if (!project) throw new NotFoundError(ErrorCode.projectNotFound, `Project not found: ${name}`);
    return project;
  }

  /** The body, validated; `gitCredentials` also by the hosts they reach (names resolved). */
  async function parseProjectBody(body: unknown, requireShipyard: boolean) {
    const input = parseProjectFields(body, requireShipyard);
    if (input.gitCredentials)
      await enforceUpstreamCredentialsPolicy(input.gitCredentials.credentials, options.upstreamHosts, options.resolveHost);
    return input;
  }

  function parseProjectFields(body: unknown, requireShipyard: boolean) {
    if (!isPlainObject(body))
      throw new InputError(ErrorCode.invalidField, 'Invalid request format: body must be a JSON object with name and shipyard');
    for (const key of Object.keys(body)) {
      if (!PROJECT_FIELDS.includes(key)) {
        throw new InputError(
          ErrorCode.unknownField,
          `Invalid request format: unknown field '${key}'; allowed: ${PROJECT_FIELDS.join(', ')}`,
        );
      }
    }
    const name = validateProjectName(body.name, options.projectNameMaxLength);
    const hasShipyard = body.shipyard !== undefined && body.shipyard !== null && body.shipyard !== '';
    if (requireShipyard && !hasShipyard) {
      throw new InputError(
        ErrorCode.missingField,
        "Could not validate payload: field 'shipyard' is required: the base64-encoded shipyard.yaml, e.g. base64 -w0 shipyard.yaml",
      );
    }
    const shipyardYaml = hasShipyard ? Buffer.from(String(body.shipyard), 'base64').toString('utf8') : undefined;
    const shipyard = hasShipyard ? decodeShipyard(body.shipyard) : undefined;
    const gitCredentials = validateGitCredentials(body.gitCredentials, options.remoteUrlDenylist);
    return { name, shipyard, shipyardYaml, shipyardBase64: hasShipyard ? String(body.shipyard) : undefined, gitCredentials };
  }

  function checkSameStages(project: ProjectRecord, shipyard: Shipyard): void {
    const newStages = shipyard.spec.stages.map((s) => s.name);
    const sameStages = newStages.length === project.stages.length && newStages.every((s) => project.stages.includes(s));
    if (!sameStages) {
      throw new InputError(
        ErrorCode.stagesChanged,
        `stage name cannot be changed or removed: project '${project.name}' has stages ${project.stages.join(', ')}, the new shipyard has ${newStages.join(', ')}`,
      );
    }
  }

  function shipyardFields(
    shipyard: Shipyard,
    yaml: string,
    commit: string,
  ): Pick<ProjectRecord, 'shipyard' | 'shipyardCommit' | 'shipyardVersion'> {
    return { shipyard: yaml, shipyardCommit: commit, shipyardVersion: shipyard.apiVersion };
  }

  /** Inserts the project; if that fails, removes the configuration written before it. */
  async function insertOrUndo(name: string, record: ProjectRecord): Promise<void> {
    try {
      await store.insertProject(record);
    } catch (error) {
      await config.deleteProject(name);
      throw error;
    }
  }

  return {
    requireProject,

    async changeShipyard(projectName, shipyardYaml, write) {
      const shipyard = parseShipyardYaml(shipyardYaml);
      return locks.run(projectName, async () => {
        const project = await requireProject(projectName);
        checkSameStages(project, shipyard);
        const commit = await write();
        await store.updateProject({ ...project, ...shipyardFields(shipyard, shipyardYaml, commit) });
        return commit;
      });
    },

    async createProject(body) {
      const input = await parseProjectBody(body, true);
      await locks.run(input.name, async () => {
        if (await store.getProject(input.name)) throw new ConflictError(ErrorCode.projectExists, `project '${input.name}' already exists`);
        await intake.acceptInternal(lifecycleEvent('sh.keptn.event.project.create.started', { project: input.name }));
        const yaml = input.shipyardYaml ?? '';
        const stages = input.shipyard?.spec.stages.map((s) => s.name) ?? [];
        const commit = await config.createProject(input.name, yaml, stages);
        await insertOrUndo(input.name, {
          name: input.name,
          creationDate: `${clock.nowMs()}000000`,
          shipyard: yaml,
          shipyardCommit: commit,
          shipyardVersion: input.shipyard?.apiVersion ?? 'spec.keptn.sh/0.2.0',
          stages,
          ...(input.gitCredentials ? { gitCredentials: input.gitCredentials.publicPart } : {}),
          lastEventContext: null,
        });
        if (input.gitCredentials?.credentials.remoteURL) await options.upstream?.configure(input.name, input.gitCredentials.credentials);
        await intake.acceptInternal(
          lifecycleEvent('sh.keptn.event.project.create.finished', {
            project: input.name,
            status: 'succeeded',
            result: 'pass',
            createdProject: {
              projectName: input.name,
              shipyard: input.shipyardBase64,
              gitRemoteURL: input.gitCredentials?.credentials.remoteURL ?? '',
            },
          }),
        );
      });
    },

    async updateProject(body) {
      const input = await parseProjectBody(body, false);
      await locks.run(input.name, async () => {
        const project = await requireProject(input.name);
        const next: ProjectRecord = { ...project };
        if (input.shipyard && input.shipyardYaml !== undefined) {
          checkSameStages(project, input.shipyard);
          const yaml = input.shipyardYaml;
          Object.assign(next, shipyardFields(input.shipyard, yaml, await config.updateShipyard(project.name, yaml)));
        }
        if (input.gitCredentials) {
          // New credentials move the project to their upstream (an empty remoteURL removes it).
          await options.upstream?.configure(project.name, input.gitCredentials.credentials);
          next.gitCredentials = input.gitCredentials.publicPart;
        }
        await store.updateProject(next);
      });
    },

    async deleteProject(name) {
      return locks.run(name, async () => {
        await requireProject(name);
        await store.deleteProject(name);
        await config.deleteProject(name);
        await intake.acceptInternal(
          lifecycleEvent('sh.keptn.event.project.delete.finished', { project: name, status: 'succeeded', result: 'pass' }),
        );
        return `Project ${name} has been deleted with its services, sequences and events. A git upstream repository, if any, is not deleted.`;
      });
    },

    async createService(projectName, body) {
      if (!isPlainObject(body))
        throw new InputError(ErrorCode.invalidField, 'Invalid request format: body must be a JSON object like {"serviceName":"carts"}');
      for (const key of Object.keys(body)) {
        if (key !== 'serviceName')
          throw new InputError(ErrorCode.unknownField, `Invalid request format: unknown field '${key}'; allowed: serviceName`);
      }
      const service = validateServiceName(body.serviceName, options.serviceNameMaxLength);
      await locks.run(projectName, async () => {
        const project = await requireProject(projectName);
        const existing = await store.listServices(projectName);
        if (existing.some((s) => s.name === service))
          throw new ConflictError(ErrorCode.serviceExists, `service already exists: '${service}' in project '${projectName}'`);
        await intake.acceptInternal(lifecycleEvent('sh.keptn.event.service.create.started', { project: projectName, service }));
        await config.createService(projectName, project.stages, service);
        await store.insertService(projectName, service, project.stages, `${clock.nowMs()}000000`);
        await intake.acceptInternal(
          lifecycleEvent('sh.keptn.event.service.create.finished', { project: projectName, service, status: 'succeeded', result: 'pass' }),
        );
      });
    },

    async deleteService(projectName, service) {
      await locks.run(projectName, async () => {
        const project = await requireProject(projectName);
        const existing = await store.listServices(projectName);
        if (!existing.some((s) => s.name === service))
          throw new NotFoundError(ErrorCode.serviceNotFound, `Service not found: '${service}' in project '${projectName}'`);
        await intake.acceptInternal(lifecycleEvent('sh.keptn.event.service.delete.started', { project: projectName, service }));
        await store.deleteService(projectName, service);
        await config.deleteService(projectName, project.stages, service);
        await intake.acceptInternal(
          lifecycleEvent('sh.keptn.event.service.delete.finished', { project: projectName, service, status: 'succeeded', result: 'pass' }),
        );
      });
    },
  };
}
