import {
  createProjectBodySchema,
  createServiceBodySchema,
  deleteProjectResponse,
  deleteServiceResponse,
  emptyObjectSchema,
  errorResponses,
  noContentSchema,
  projectParams,
  serviceParams,
  updateProjectBodySchema,
} from '@shipmate/api';
import type { TypedApp } from '../http/typed-app.js';
import type { ServerContext } from '../server-context.js';

const BASE = '/api/controlPlane/v1';

/** Project create/update/delete and service create/delete (Keptn shipyard-controller). */
export function registerProjectWriteRoutes(app: TypedApp, context: ServerContext): void {
  app.post(
    `${BASE}/project`,
    {
      schema: {
        tags: ['project'],
        summary: 'Creates a project from a base64 shipyard (201, empty body)',
        body: createProjectBodySchema,
        response: { 201: noContentSchema, 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request, reply) => {
      await context.projects.createProject(request.body);
      await reply.status(201).send();
    },
  );

  app.put(
    `${BASE}/project`,
    {
      schema: {
        tags: ['project'],
        summary: 'Updates shipyard or git credentials (201, empty body)',
        body: updateProjectBodySchema,
        response: { 201: noContentSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      await context.projects.updateProject(request.body);
      await reply.status(201).send();
    },
  );

  app.delete(
    `${BASE}/project/:project`,
    {
      schema: {
        tags: ['project'],
        summary: 'Deletes a project with its services, sequences and events',
        params: projectParams,
        response: { 200: deleteProjectResponse, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = request.params;
      return { message: await context.projects.deleteProject(project) };
    },
  );

  app.post(
    `${BASE}/project/:project/service`,
    {
      schema: {
        tags: ['service'],
        summary: 'Creates a service in every stage',
        params: projectParams,
        body: createServiceBodySchema,
        response: { 200: emptyObjectSchema, 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request) => {
      const { project } = request.params;
      await context.projects.createService(project, request.body);
      return {};
    },
  );

  app.delete(
    `${BASE}/project/:project/service/:service`,
    {
      schema: {
        tags: ['service'],
        summary: 'Deletes a service from every stage (200 {} as Keptn)',
        params: serviceParams,
        response: { 200: deleteServiceResponse, ...errorResponses },
      },
    },
    async (request) => {
      const { project, service } = request.params;
      await context.projects.deleteService(project, service);
      return {};
    },
  );
}
