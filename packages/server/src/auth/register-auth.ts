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
import type { ApiTokenSummary } from '@shipmate/core';
import type { ApiTokenRegistry } from './api-token-registry.js';
import type { AuthFailureLimiter } from './auth-failure-limiter.js';
import { ADMIN_OWNER } from './integration-owners.js';
import type { IntegrationOwners } from './integration-owners.js';
import { PLANE_TOKEN_MAY, ROUTE_PERMISSIONS, checkPlaneRequest } from './route-permissions.js';
import type { RequestParts } from './route-permissions.js';
import type { TokenVerifier } from './token-verifier.js';
import { verifyOncePerConnection } from './verified-connections.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers without a token (see register-auth.ts). */
    public?: boolean;
  }
  interface FastifyRequest {
    /** The created (execution-plane) token of the request; undefined for the admin token and public routes. */
    planeToken?: ApiTokenSummary | undefined;
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
  /** Created tokens (execution-plane tokens), checked after the admin token. */
  readonly apiTokens?: ApiTokenRegistry;
  /** Who registered which integration (plane tokens act on their own only). */
  readonly owners?: IntegrationOwners;
}

const REGISTER = 'POST /api/controlPlane/v1/uniform/registration';
const PING = 'PUT /api/controlPlane/v1/uniform/registration/:integrationID/ping';

/** Requires the API token on every route not declared public (Keptn's 401 body otherwise; 429 for guessers). */
export function registerAuth(app: FastifyInstance, auth: AuthDependencies): void {
  const adminToken = verifyOncePerConnection(auth.tokens);
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.public === true) return;
    const token = tokenOf(request);
    if (token !== undefined) {
      const waitMs = auth.failures.retryAfterMs(request.ip);
      if (waitMs > 0) return refuseGuesser(reply, request.ip, waitMs);
    }
    if (adminToken.verify(request.raw.socket, token)) return;
    const known = token === undefined ? undefined : auth.apiTokens?.identify(token);
    if (known !== undefined && known.revokedAt === undefined) {
      request.planeToken = known;
      return;
    }
    if (token !== undefined) auth.failures.failed(request.ip);
    if (known !== undefined)
      return reply.status(401).send({
        code: 401,
        message: `token '${known.name}' was revoked at ${known.revokedAt}; create a new one with shipmate token create`,
        errorCode: 'ERR_TOKEN_REVOKED',
      });
    return reply.status(401).send({ code: 401, message: 'unauthenticated or invalid credentials', errorCode: 'ERR_UNAUTHORIZED' });
  });

  // The one door for plane tokens, after the body is parsed (some rules read it) and before validation.
  app.addHook('preValidation', async (request, reply) => {
    const token = request.planeToken;
    const url = request.routeOptions.url;
    if (token === undefined || url === undefined) return;
    const action = `${request.method} ${url}`;
    const parts: RequestParts = {
      params: request.params as RequestParts['params'],
      query: request.query as RequestParts['query'],
      body: request.body,
    };
    const owners = auth.owners ?? {
      ownsIntegration: () => false,
      ownsIntegrationAlone: () => false,
      ownsInstance: () => false,
      holdsTask: async () => false,
      taskEnded: async () => false,
    };
    const decision = await checkPlaneRequest(token, action, ROUTE_PERMISSIONS[action], parts, owners);
    if (decision.allowed) return;
    return reply.status(403).send({
      code: 403,
      message: `token '${token.name}' (${token.role}) may not ${decision.reason}; it may ${PLANE_TOKEN_MAY}; use the admin token for anything else`,
      errorCode: 'ERR_TOKEN_SCOPE',
    });
  });

  // Registrations and pings bind the integration to the token that made them (integration-owners.ts).
  app.addHook('onSend', async (request, reply, payload) => {
    const owners = auth.owners;
    const url = request.routeOptions.url;
    if (owners === undefined || url === undefined || reply.statusCode >= 300) return payload;
    const action = `${request.method} ${url}`;
    const owner = request.planeToken?.id ?? ADMIN_OWNER;
    if (action === PING) {
      const { instanceId } = request.query as { instanceId?: string };
      owners.bind((request.params as { integrationID: string }).integrationID, instanceId, owner);
    }
    if (action === REGISTER && typeof payload === 'string') {
      const { id, instanceId } = JSON.parse(payload) as { id?: unknown; instanceId?: unknown };
      // An instance keeps its first owner, so no token takes over another's (integration-owners.ts).
      if (typeof id === 'string') owners.bind(id, typeof instanceId === 'string' ? instanceId : undefined, owner);
    }
    return payload;
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
