import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../server-context.js';
import { errorResponses, acceptedEventResponse } from '../contract/common-schemas.js';
import { eventBodySchema, metadataSchema } from '../contract/api-v1-schemas.js';

/** Keptn api-service paths: `/api/v1/auth`, `/api/v1/event`, `/api/v1/metadata`. */
export function registerApiV1Routes(app: FastifyInstance, context: ServerContext): void {
  app.post(
    '/api/v1/auth',
    { schema: { tags: ['auth'], summary: 'Checks the token (401 if wrong)', response: { 200: { type: 'null' }, ...errorResponses } } },
    async (_request, reply) => {
      await reply.status(200).send();
    },
  );

  app.post(
    '/api/v1/event',
    {
      schema: {
        tags: ['event'],
        summary: 'Sends a Keptn CloudEvent; 200 once it is stored',
        body: eventBodySchema,
        response: { 200: acceptedEventResponse, ...errorResponses },
      },
    },
    async (request) => {
      const event = await context.intake.acceptFromClient(request.body);
      return { keptnContext: event.shkeptncontext, id: event.id };
    },
  );

  app.get(
    '/api/v1/metadata',
    {
      schema: {
        tags: ['metadata'],
        summary: 'Versions and settings of the control plane',
        response: { 200: metadataSchema, ...errorResponses },
      },
    },
    async () => ({
      namespace: context.options.namespace,
      keptnlabel: 'keptn',
      keptnversion: context.options.version,
      shipyardversion: '0.2.0',
      bridgeversion: 'N/A',
      keptnservices: {},
      automaticprovisioning: false,
      shipmateversion: context.options.version,
    }),
  );
}
