import type { FastifyInstance } from 'fastify';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { PUBLIC_ROUTE } from '../auth/register-auth.js';

/** Where the interactive API page is served. */
export const SWAGGER_UI_PREFIX = '/api/swagger-ui';

/**
 * `GET /api/swagger-ui` (and `GET /api`, redirected there as Keptn did): Swagger UI on the served OpenAPI document, its assets from the npm
 * package (nothing from the internet). The page, its assets and the document it shows
 * (`/api/swagger-ui/json`) answer without a token, so the page loads before anyone signs in; the
 * document describes the API and holds no data. The calls made from the page carry the token the
 * user enters under "Authorize" (the document's `x-token` apiKey scheme). Call after the
 * swagger plugin and the auth hook are registered.
 */
export async function registerSwaggerUiRoutes(app: FastifyInstance): Promise<void> {
  app.addHook('onRoute', (route) => {
    if (route.url === SWAGGER_UI_PREFIX || route.url.startsWith(`${SWAGGER_UI_PREFIX}/`)) {
      route.config = { ...route.config, ...PUBLIC_ROUTE };
    }
  });
  // Keptn's API service sent `/api` to its Swagger UI; the Keptn Bridge's header links there.
  app.get('/api', { schema: { hide: true }, config: PUBLIC_ROUTE }, (_request, reply) => reply.redirect(`${SWAGGER_UI_PREFIX}/`));
  await app.register(fastifySwaggerUi, {
    routePrefix: SWAGGER_UI_PREFIX,
    // No badge from validator.swagger.io: the page makes no request outside this server.
    uiConfig: { validatorUrl: null, deepLinking: true },
    staticCSP: true,
    // Swagger UI sets inline styles as it renders (the Authorize dialog, expanded operations);
    // the plugin's policy blocked them and the browser logged an error. Scripts stay strict.
    transformStaticCSP: (header) => header.replace(/style-src ([^;]*)/, (directive) => `${directive} 'unsafe-inline'`),
  });
}
