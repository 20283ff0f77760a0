import {
  errorResponses,
  projectParams,
  sequenceExecutionQuery,
  sequenceExecutionsSchema,
  sequenceStateQuery,
  sequenceStatesSchema,
} from '@shipmate/api';
import type { TypedApp } from '../http/typed-app.js';
import { ErrorCode, InputError } from '@shipmate/core';
import type { ServerContext } from '../server-context.js';
import { DEFAULT_PAGE_SIZE, countLimitOf, dbPageFields, parseDbPageRequest } from '../http/pagination.js';

/** A non-empty query value, or undefined. */
function optional(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** `a, b,,c` → `['a', 'b', 'c']`; undefined when nothing is left. */
function commaList(value: string | undefined): string[] | undefined {
  const items = (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return items.length > 0 ? items : undefined;
}

/** Sequence state view and execution records (Keptn shipyard-controller, DB pagination). */
export function registerSequenceRoutes(app: TypedApp, context: ServerContext): void {
  const { store, projects } = context;

  app.get(
    '/api/controlPlane/v1/sequence/:project',
    {
      schema: {
        tags: ['sequence'],
        summary: 'Lists the sequence states of a project, newest first (pageSize default 20, or the number of keptnContexts listed)',
        params: projectParams,
        querystring: sequenceStateQuery,
        response: { 200: sequenceStatesSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { project } = request.params;
      const query = request.query;
      const keptnContexts = commaList(query.keptnContext);
      // A project has one state per context, so a list of contexts bounds the answer by itself.
      const page = parseDbPageRequest(query, Math.max(DEFAULT_PAGE_SIZE, keptnContexts?.length ?? 0));
      await projects.requireProject(project);
      const result = await store.querySequenceStates({
        project,
        name: optional(query.name),
        state: optional(query.state),
        fromTime: optional(query.fromTime),
        beforeTime: optional(query.beforeTime),
        keptnContexts,
        offset: page.offset,
        limit: page.pageSize,
        countLimit: countLimitOf(page),
      });
      return { states: result.items, ...dbPageFields(page, result.items.length, result.totalCount) };
    },
  );

  app.get(
    '/api/controlPlane/v1/sequence-execution',
    {
      // The query is validated in the handler first, so a missing project gets its own message.
      attachValidation: true,
      schema: {
        tags: ['sequence'],
        summary: "Lists the execution records of a project's sequences, newest trigger first",
        querystring: sequenceExecutionQuery,
        response: { 200: sequenceExecutionsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const query = request.query;
      const project = optional(query.project);
      if (project === undefined) {
        throw new InputError(
          ErrorCode.missingField,
          "query parameter 'project' is required: the project whose sequence executions to list, e.g. /api/controlPlane/v1/sequence-execution?project=sockshop",
        );
      }
      if (request.validationError) throw request.validationError;
      const page = parseDbPageRequest(query);
      await projects.requireProject(project);
      const result = await store.queryExecutions({
        project,
        stage: optional(query.stage),
        service: optional(query.service),
        keptnContext: optional(query.keptnContext),
        name: optional(query.name),
        state: optional(query.status),
        offset: page.offset,
        limit: page.pageSize,
        countLimit: countLimitOf(page),
      });
      const { nextPageKey, totalCount } = dbPageFields(page, result.items.length, result.totalCount);
      return {
        sequenceExecutions: result.items,
        ...(nextPageKey !== undefined ? { nextPageKey } : {}),
        pageSize: result.items.length,
        totalCount,
      };
    },
  );
}
