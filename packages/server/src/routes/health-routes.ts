import type { TypedApp } from '../http/typed-app.js';
import { PUBLIC_ROUTE } from '../auth/register-auth.js';

/** `GET /health`: 200 without a token once the API accepts calls. */
export function registerHealthRoutes(app: TypedApp): void {
  app.get('/health', { config: PUBLIC_ROUTE, schema: { hide: true } }, async () => ({ status: 'OK' }));
}
