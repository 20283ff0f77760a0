import type { TypedApp } from '../http/typed-app.js';
import { PUBLIC_ROUTE } from '../auth/register-auth.js';
import type { ServerContext } from '../server-context.js';

/**
 * `GET /metrics`: Prometheus text exposition (docs/metrics.md). Needs the API token like the API
 * unless `metricsPublic` (SHIPMATE_METRICS_PUBLIC) is set, for scrapers that cannot send one.
 */
export function registerMetricsRoutes(app: TypedApp, context: ServerContext): void {
  const { registry } = context.metrics;
  app.get(
    '/metrics',
    { ...(context.options.metricsPublic ? { config: PUBLIC_ROUTE } : {}), schema: { hide: true } },
    async (_request, reply) => {
      const body = await registry.metrics();
      return reply.type(registry.contentType).send(body);
    },
  );
}
