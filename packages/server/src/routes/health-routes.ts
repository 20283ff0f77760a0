import type { FastifyInstance } from 'fastify';
import { PUBLIC_ROUTE } from '../auth/register-auth.js';

/** `GET /health`: 200 without a token once the API accepts calls. */
export function registerHealthRoutes(app: FastifyInstance): void {
  app.get('/health', { config: PUBLIC_ROUTE, schema: { hide: true } }, async () => ({ status: 'OK' }));
}
