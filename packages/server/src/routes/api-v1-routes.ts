import { noContentSchema, acceptedEventResponse, errorResponses, eventBodySchema, metadataSchema } from '@shipmate/api';
import type { TypedApp } from '../http/typed-app.js';
import type { ServerContext } from '../server-context.js';

/** Keptn api-service paths: `/api/v1/auth`, `/api/v1/event`, `/api/v1/metadata`. */
export function registerApiV1Routes(app: TypedApp, context: ServerContext): void {
  app.post(
    '/api/v1/auth',
    { schema: { tags: ['auth'], summary: 'Checks the token (401 if wrong)', response: { 200: noContentSchema, ...errorResponses } } },
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
