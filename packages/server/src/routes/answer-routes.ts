/**
 * `GET /api/controlPlane/v1/event/finished/{triggeredId}?keptnContext=&waitMs=` (Shipmate): the
 * `.finished` that answers a `.triggered`, held up to `waitMs` until one is stored. An integration
 * that asked for a sub-task (the lighthouse's `get-sli`) waits for its answer this way instead of
 * polling the event store.
 */
import { errorResponses, finishedEventParams, finishedEventQuery, finishedEventResponse } from '@shipmate/api';
import type { TypedApp } from '../http/typed-app.js';
import type { KeptnEvent } from '@shipmate/core';
import type { ServerContext } from '../server-context.js';
import { watchClientGone } from '../http/client-gone.js';

/** Registers the route. */
export function registerAnswerRoutes(app: TypedApp, context: ServerContext): void {
  const { store, answers } = context;

  async function storedAnswer(triggeredId: string, keptnContext: string | undefined): Promise<KeptnEvent | undefined> {
    const page = await store.queryEvents({ triggeredId, ...(keptnContext ? { keptnContext } : {}), offset: 0, limit: 50 });
    return page.items.find((event) => event.type.endsWith('.finished'));
  }

  app.get(
    '/api/controlPlane/v1/event/finished/:triggeredId',
    {
      schema: {
        tags: ['event'],
        summary:
          'Shipmate: the .finished answering a .triggered (e.g. a sub-task), waiting up to waitMs for it; {"event": null} when none came',
        params: finishedEventParams,
        querystring: finishedEventQuery,
        response: { 200: finishedEventResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { triggeredId } = request.params;
      // waitMs always has a value: the validator fills in its default.
      const { keptnContext, waitMs = 0 } = request.query;
      const gone = watchClientGone(reply.raw);
      // Waiting starts before the look, so an answer stored in between wakes it.
      const waiting = waitMs > 0 ? answers.wait(triggeredId, waitMs, gone.signal) : Promise.resolve(undefined);
      try {
        const stored = await storedAnswer(triggeredId, keptnContext);
        if (stored) return { event: stored };
        const woken = await waiting;
        return { event: woken && (!keptnContext || woken.shkeptncontext === keptnContext) ? woken : null };
      } finally {
        gone.end();
      }
    },
  );
}
