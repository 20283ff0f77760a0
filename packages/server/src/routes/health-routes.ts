import type { FastifyInstance } from 'fastify';

/** `GET /health`: 200 without a token once the API accepts calls. */
export function registerHealthRoutes(app: FastifyInstance): void {
  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'OK' }));
}
