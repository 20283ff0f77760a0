import type { FastifyInstance } from 'fastify';

/** `GET /api/openapi.json`: the OpenAPI description of every route (with the token, as every route but /health). */
export function registerOpenApiRoutes(app: FastifyInstance): void {
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
