import {
  errorResponses,
  expandedProjectSchema,
  expandedProjectsSchema,
  expandedServiceSchema,
  expandedServicesSchema,
  expandedStageSchema,
  expandedStagesSchema,
  inMemoryListQuery,
  projectParams,
  stageParams,
  stageServiceParams,
  upstreamStatusSchema,
} from '@shipmate/api';
import type { TypedApp } from '../http/typed-app.js';
import { ErrorCode, NotFoundError } from '@shipmate/core';
import type { ProjectRecord, ServiceRecord } from '@shipmate/core';
import type { ServerContext } from '../server-context.js';
import { paginateInMemory, parseInMemoryPageRequest } from '../http/pagination.js';
import { compareNames, toExpandedProject, toExpandedService, toExpandedStages } from '../projects/expanded-project.js';

const BASE = '/api/controlPlane/v1';

/** Project, stage and service reads (Keptn shipyard-controller, in-memory pagination). */
export function registerProjectReadRoutes(app: TypedApp, context: ServerContext): void {
  const { store, projects } = context;
  const upstreamOf = (project: string) => context.options.upstream?.status(project);

  function requireStage(project: ProjectRecord, stage: string): void {
    if (!project.stages.includes(stage)) {
      throw new NotFoundError(
        ErrorCode.stageNotFound,
        `stage '${stage}' is not in the shipyard of project '${project.name}'; stages: ${project.stages.join(', ')}`,
      );
    }
  }

  function requireService(project: ProjectRecord, stage: string, services: readonly ServiceRecord[], service: string): ServiceRecord {
    const found = services.find((s) => s.name === service);
    if (!found) {
      const existing = services.length > 0 ? services.map((s) => s.name).join(', ') : 'none yet';
      throw new NotFoundError(
        ErrorCode.serviceNotFound,
        `service '${service}' does not exist in stage '${stage}' of project '${project.name}'; services: ${existing}`,
      );
    }
    return found;
  }

  app.get(
    `${BASE}/project`,
    {
      schema: {
        tags: ['project'],
        summary: 'Lists projects sorted by name (nextPageKey "0" on the last page)',
        querystring: inMemoryListQuery,
        response: { 200: expandedProjectsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const pageRequest = parseInMemoryPageRequest(request.query);
      const all = (await store.listProjects()).sort((a, b) => compareNames(a.name, b.name));
      const page = paginateInMemory(all, pageRequest);
      // Only the projects on this page are expanded, so a large instance pays for one page.
      const expanded = await Promise.all(
        page.items.map(async (project) => toExpandedProject(project, await store.listServices(project.name), upstreamOf(project.name))),
      );
      return { projects: expanded, nextPageKey: page.nextPageKey, totalCount: page.totalCount };
    },
  );

  app.get(
    `${BASE}/project/:project`,
    {
      schema: {
        tags: ['project'],
        summary: 'Gets a project with its stages and services',
        params: projectParams,
        response: { 200: expandedProjectSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { project: name } = request.params;
      const project = await projects.requireProject(name);
      return toExpandedProject(project, await store.listServices(name), upstreamOf(name));
    },
  );

  app.get(
    `${BASE}/project/:project/upstream`,
    {
      schema: {
        tags: ['project'],
        summary: "Sync status of the project's git upstream (Shipmate extension)",
        params: projectParams,
        response: { 200: upstreamStatusSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { project: name } = request.params;
      await projects.requireProject(name);
      const status = upstreamOf(name);
      if (!status) {
        throw new NotFoundError(
          ErrorCode.upstreamNotFound,
          `project '${name}' has no upstream; set gitCredentials.remoteURL with PUT /api/controlPlane/v1/project to mirror it`,
        );
      }
      return status;
    },
  );

  app.get(
    `${BASE}/project/:project/stage`,
    {
      schema: {
        tags: ['stage'],
        summary: 'Lists the stages of a project sorted by name',
        params: projectParams,
        querystring: inMemoryListQuery,
        response: { 200: expandedStagesSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { project: name } = request.params;
      const pageRequest = parseInMemoryPageRequest(request.query);
      const project = await projects.requireProject(name);
      const stages = toExpandedStages(project, await store.listServices(name)).sort((a, b) => compareNames(a.stageName, b.stageName));
      const page = paginateInMemory(stages, pageRequest);
      return { stages: page.items, nextPageKey: page.nextPageKey, totalCount: page.totalCount };
    },
  );

  app.get(
    `${BASE}/project/:project/stage/:stage`,
    {
      schema: {
        tags: ['stage'],
        summary: 'Gets a stage with its parent stages and services',
        params: stageParams,
        response: { 200: expandedStageSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { project: name, stage } = request.params;
      const project = await projects.requireProject(name);
      requireStage(project, stage);
      const stages = toExpandedStages({ ...project, stages: [stage] }, await store.listServices(name, stage));
      return stages[0];
    },
  );

  app.get(
    `${BASE}/project/:project/stage/:stage/service`,
    {
      schema: {
        tags: ['service'],
        summary: 'Lists the services of a stage sorted by name',
        params: stageParams,
        querystring: inMemoryListQuery,
        response: { 200: expandedServicesSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { project: name, stage } = request.params;
      const pageRequest = parseInMemoryPageRequest(request.query);
      const project = await projects.requireProject(name);
      requireStage(project, stage);
      const services = (await store.listServices(name, stage)).sort((a, b) => compareNames(a.name, b.name));
      const page = paginateInMemory(services, pageRequest);
      return { services: page.items.map(toExpandedService), nextPageKey: page.nextPageKey, totalCount: page.totalCount };
    },
  );

  app.get(
    `${BASE}/project/:project/stage/:stage/service/:service`,
    {
      schema: {
        tags: ['service'],
        summary: 'Gets a service of a stage with its last events and deployed image',
        params: stageServiceParams,
        response: { 200: expandedServiceSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { project: name, stage, service } = request.params;
      const project = await projects.requireProject(name);
      requireStage(project, stage);
      return toExpandedService(requireService(project, stage, await store.listServices(name, stage), service));
    },
  );
}
