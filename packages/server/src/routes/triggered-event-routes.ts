import { errorResponses, eventTypeParams, triggeredEventQuery, triggeredEventsSchema } from '@shipmate/api';
import type { TypedApp } from '../http/typed-app.js';
import { keptnTime } from '@shipmate/core';
import type { ServerContext } from '../server-context.js';
import { paginateInMemory, parseInMemoryPageRequest } from '../http/pagination.js';

function optional(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * `GET /api/controlPlane/v1/event/triggered/{eventType}`: the open `.triggered` events execution
 * planes poll (control-plane.md §3.8). An event stays listed until its task or sequence is done,
 * so clients deduplicate by id; a task delayed by `triggeredAfter` is emitted, and listed, once it is due.
 */
export function registerTriggeredEventRoutes(app: TypedApp, context: ServerContext): void {
  const { store, projects, options } = context;

  app.get(
    '/api/controlPlane/v1/event/triggered/:eventType',
    {
      schema: {
        tags: ['event'],
        summary: 'Lists open .triggered events of one exact type, newest first (no wildcards)',
        params: eventTypeParams,
        querystring: triggeredEventQuery,
        response: { 200: triggeredEventsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { eventType } = request.params;
      const query = request.query;
      const page = parseInMemoryPageRequest(query);
      const project = optional(query.project);
      const events = await store.queryOpenTriggered({
        type: eventType,
        project,
        stage: optional(query.stage),
        service: optional(query.service),
        eventId: optional(query.eventID),
        visibleAt: keptnTime(options.clock.nowMs()),
      });
      // Open events of a project prove that it exists (they are deleted with it): only an empty
      // answer reads the project, to tell an unknown one (404). Executors poll this all the time.
      if (project !== undefined && events.length === 0) await projects.requireProject(project);
      // The store returns them newest first; the page keeps that order (Keptn sorts by time).
      const result = paginateInMemory(events, page);
      return { events: result.items, nextPageKey: result.nextPageKey, totalCount: result.totalCount };
    },
  );
}
