import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerContext } from '../server-context.js';

/** Paths answered without a token. */
const PUBLIC_PATHS = new Set(['/health', '/api/openapi.json']);

/** The token of a request: `x-token` (Keptn) or `Authorization: Bearer`. */
export function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers['x-token'];
  if (typeof header === 'string' && header) return header;
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && authorization.startsWith('Bearer ')) return authorization.slice(7).trim();
  return undefined;
}

/** Requires the API token on every `/api/...` path (Keptn's 401 body otherwise). */
export function registerAuth(app: FastifyInstance, context: ServerContext): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (PUBLIC_PATHS.has(path) || !path.startsWith('/api/')) return;
    if (!context.tokens.verify(tokenOf(request))) {
      await reply.status(401).send({ code: 401, message: 'unauthenticated or invalid credentials', errorCode: 'ERR_UNAUTHORIZED' });
    }
  });
}
