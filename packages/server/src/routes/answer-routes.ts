/**
 * `GET /api/controlPlane/v1/event/finished/{triggeredId}?keptnContext=&waitMs=` (Shipmate): the
 * `.finished` that answers a `.triggered`, held up to `waitMs` until one is stored. An integration
 * that asked for a sub-task (the lighthouse's `get-sli`) waits for its answer this way instead of
 * polling the event store.
 */
import type { FastifyInstance } from 'fastify';
import type { KeptnEvent } from '@shipmate/core';
import { errorResponses } from '../contract/common-schemas.js';
import { MAX_WAIT_MS } from '@shipmate/core';
import type { ServerContext } from '../server-context.js';

/** Registers the route. */
export function registerAnswerRoutes(app: FastifyInstance, context: ServerContext): void {
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
        params: { type: 'object', required: ['triggeredId'], properties: { triggeredId: { type: 'string', minLength: 1 } } },
        querystring: {
          type: 'object',
          properties: {
            keptnContext: { type: 'string', description: 'The context of the .triggered (narrows the lookup)' },
            waitMs: {
              type: 'integer',
              minimum: 0,
              maximum: MAX_WAIT_MS,
              default: 0,
              description: 'How long to wait for the answer (ms, 0..60000)',
            },
          },
        },
        response: { 200: { type: 'object', properties: { event: { type: ['object', 'null'] } } }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { triggeredId } = request.params as { triggeredId: string };
      const { keptnContext, waitMs } = request.query as { keptnContext?: string; waitMs: number };
      const gone = new AbortController();
      const onClose = () => {
        if (!reply.raw.writableEnded) gone.abort();
      };
      reply.raw.once('close', onClose);
      // Waiting starts before the look, so an answer stored in between wakes it.
      const waiting = waitMs > 0 ? answers.wait(triggeredId, waitMs, gone.signal) : Promise.resolve(undefined);
      try {
        const stored = await storedAnswer(triggeredId, keptnContext);
        if (stored) return { event: stored };
        const woken = await waiting;
        return { event: woken && (!keptnContext || woken.shkeptncontext === keptnContext) ? woken : null };
      } finally {
        gone.abort();
        reply.raw.off('close', onClose);
      }
    },
  );
}
