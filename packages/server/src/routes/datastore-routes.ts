import {
  datastoreEventQuery,
  datastoreEventTypeQuery,
  datastoreEventsSchema,
  errorResponses,
  eventTypeParams,
  eventsByTypeSchema,
} from '@shipmate/api';
import type { TypedApp } from '../http/typed-app.js';
import { ErrorCode, InputError } from '@shipmate/core';
import type { ServerContext } from '../server-context.js';
import { filterToEventQuery, parseDatastoreFilter } from '../http/datastore-filter.js';
import {
  DATASTORE_MAX_PAGE_SIZE,
  DEFAULT_PAGE_SIZE,
  countLimitOf,
  datastorePageFields,
  parseDatastorePageRequest,
  parsePageSize,
} from '../http/pagination.js';

const BASE = '/api/mongodb-datastore';

function optional(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Keptn's mongodb-datastore reads (control-plane.md §6.2-6.3). One difference on purpose: Keptn
 * searches one project bucket (from `project`, else from the context, else the "unmapped" one);
 * here a query without `project` searches every stored event, which gives the same answer for
 * the queries Keptn's tools make and a useful one for the rest.
 */
export function registerDatastoreRoutes(app: TypedApp, context: ServerContext): void {
  const { store } = context;

  app.get(
    `${BASE}/event`,
    {
      schema: {
        tags: ['datastore'],
        summary: 'Lists stored events, newest first; nextPageKey only while more exist',
        querystring: datastoreEventQuery,
        response: { 200: datastoreEventsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const query = request.query;
      const page = parseDatastorePageRequest(query);
      const result = await store.queryEvents({
        keptnContext: optional(query.keptnContext),
        type: optional(query.type),
        project: optional(query.project),
        stage: optional(query.stage),
        service: optional(query.service),
        eventId: optional(query.eventID),
        source: optional(query.source),
        fromTime: optional(query.fromTime),
        beforeTime: optional(query.beforeTime),
        // Keptn takes any value, including an empty one, as "root events only".
        rootOnly: query.root !== undefined,
        excludeInvalidated: query.excludeInvalidated === 'true',
        offset: page.offset,
        limit: page.pageSize,
        countLimit: countLimitOf(page),
      });
      return { events: result.items, ...datastorePageFields(page, result.items.length, result.totalCount) };
    },
  );

  app.get(
    `${BASE}/event/type/:eventType`,
    {
      // The query is validated in the handler first, so a missing filter gets its own message.
      attachValidation: true,
      schema: {
        tags: ['datastore'],
        summary: "Lists stored events of one type matching a filter such as 'data.project:p AND data.result:pass,warning'",
        params: eventTypeParams,
        querystring: datastoreEventTypeQuery,
        response: { 200: eventsByTypeSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { eventType } = request.params;
      const query = request.query;
      if (query.filter === undefined) {
        throw new InputError(
          ErrorCode.missingField,
          "query parameter 'filter' is required: key:value clauses joined by ' AND ' with data.project or shkeptncontext, e.g. filter=data.project:sockshop AND data.stage:dev",
        );
      }
      if (request.validationError) throw request.validationError;
      const filter = filterToEventQuery(parseDatastoreFilter(query.filter));
      const limit = parsePageSize(query.limit, { name: 'limit', defaultSize: DEFAULT_PAGE_SIZE, min: 1, max: DATASTORE_MAX_PAGE_SIZE });
      if (filter.type !== undefined && filter.type !== eventType) {
        // A type clause that differs from the path can never match; say so instead of answering [].
        throw new InputError(
          ErrorCode.invalidField,
          `filter type '${filter.type}' differs from the path's event type '${eventType}'; drop the type clause`,
        );
      }
      const result = await store.queryEvents({
        ...filter,
        type: eventType,
        fromTime: optional(query.fromTime),
        excludeInvalidated: query.excludeInvalidated === 'true',
        offset: 0,
        limit,
        // The answer has no totalCount: count nothing.
        countLimit: 0,
      });
      return { events: result.items };
    },
  );
}
