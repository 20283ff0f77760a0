import type { TypedApp } from '../http/typed-app.js';

/** `GET /api/openapi.json`: the OpenAPI description of every route (with the token, as every route but /health). */
export function registerOpenApiRoutes(app: TypedApp): void {
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
