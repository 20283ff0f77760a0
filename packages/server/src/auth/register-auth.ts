/**
 * Authentication of every request, decided on the route that will actually run: Fastify has
 * matched the (decoded) path before `onRequest` hooks run, so the decision reads the matched
 * route's config, never the raw URL. Every route needs the token unless it is declared public with
 * {@link PUBLIC_ROUTE}; requests that match no route need it too (401 before 404, so an
 * unauthenticated caller learns nothing about which paths exist). Spelling tricks (percent-encoded
 * letters, `/./`, `..`, double slashes, mixed case) either reach a route, and then its rule, or
 * reach no route, and then the default.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthFailureLimiter } from './auth-failure-limiter.js';
import type { TokenVerifier } from './token-verifier.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers without a token (see register-auth.ts). */
    public?: boolean;
  }
}

/** Route config of the few routes answered without a token (`/health`, the UI's static files). */
export const PUBLIC_ROUTE = Object.freeze({ public: true });

/** The token of a request: `x-token` (Keptn) or `Authorization: Bearer`. */
export function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers['x-token'];
  if (typeof header === 'string' && header) return header;
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && authorization.startsWith('Bearer ')) return authorization.slice(7).trim() || undefined;
  return undefined;
}

/** What the hook needs. */
export interface AuthDependencies {
  readonly tokens: TokenVerifier;
  readonly failures: AuthFailureLimiter;
}

/** Requires the API token on every route not declared public (Keptn's 401 body otherwise; 429 for guessers). */
export function registerAuth(app: FastifyInstance, auth: AuthDependencies): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.public === true) return;
    const token = tokenOf(request);
    if (token !== undefined) {
      const waitMs = auth.failures.retryAfterMs(request.ip);
      if (waitMs > 0) return refuseGuesser(reply, request.ip, waitMs);
    }
    if (auth.tokens.verify(token)) return;
    if (token !== undefined) auth.failures.failed(request.ip);
    return reply.status(401).send({ code: 401, message: 'unauthenticated or invalid credentials', errorCode: 'ERR_UNAUTHORIZED' });
  });
}

async function refuseGuesser(reply: FastifyReply, address: string, waitMs: number): Promise<FastifyReply> {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return reply
    .status(429)
    .header('retry-after', String(seconds))
    .send({
      code: 429,
      message: `too many wrong API tokens from ${address}; try again in ${seconds} s with the right token (SHIPMATE_AUTH_FAILURE_LIMIT sets the limit)`,
      errorCode: 'ERR_TOO_MANY_AUTH_FAILURES',
    });
}
