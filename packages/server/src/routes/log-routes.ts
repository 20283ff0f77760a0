import { createLogsBodySchema, deleteLogQuery, emptyObjectSchema, errorResponses, logQuery, logsResponseSchema } from '@shipmate/api';
import type { TypedApp } from '../http/typed-app.js';
import { parseLogTime } from '@shipmate/core';
import type { ServerContext } from '../server-context.js';
import { ChangeTopic } from '../changes/change-feed.js';
import { dbPageFields, parseDbPageRequest } from '../http/pagination.js';

type Query = Record<string, string | undefined>;
const PATH = '/api/controlPlane/v1/log';

function filters(q: Query) {
  return {
    integrationId: q.integrationId === '' ? undefined : q.integrationId,
    fromTime: parseLogTime(q.fromTime, 'fromTime'),
    beforeTime: parseLogTime(q.beforeTime, 'beforeTime'),
  };
}

/** Integration error logs (control-plane.md §3.12); DB pagination, newest first. */
export function registerLogRoutes(app: TypedApp, context: ServerContext): void {
  const { registry, changes } = context;
  const tags = ['log'];

  app.post(
    PATH,
    {
      schema: {
        tags,
        summary: 'Stores error-log entries of integrations; a missing time becomes now',
        body: createLogsBodySchema,
        response: { 200: emptyObjectSchema, ...errorResponses },
      },
    },
    async (request) => {
      await registry.appendLogs(request.body);
      changes.touched(ChangeTopic.integrations);
      return {};
    },
  );

  app.get(
    PATH,
    {
      schema: {
        tags,
        summary: 'Lists error-log entries, newest first; fromTime and beforeTime are inclusive',
        querystring: logQuery,
        response: { 200: logsResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const page = parseDbPageRequest(q);
      const result = await registry.queryLogs({ ...filters(q), offset: page.offset, limit: page.pageSize });
      return { logs: result.items, ...dbPageFields(page, result.items.length, result.totalCount), pageSize: result.items.length };
    },
  );

  app.delete(
    PATH,
    {
      schema: {
        tags,
        summary: 'Deletes matching error-log entries',
        querystring: deleteLogQuery,
        response: { 200: emptyObjectSchema, ...errorResponses },
      },
    },
    async (request) => {
      await registry.deleteLogs(filters(request.query));
      changes.touched(ChangeTopic.integrations);
      return {};
    },
  );
}
