import { createTokenBodySchema, createdTokenSchema, errorResponses, tokenListSchema, tokenParams, tokenSummarySchema } from '@shipmate/api';
import type { TypedApp } from '../http/typed-app.js';
import { parseApiTokenInput } from '@shipmate/core';
import type { ServerContext } from '../server-context.js';

const BASE = '/api/shipmate/v1/token';

/**
 * Shipmate's token API (docs/security.md, "Execution-plane tokens"): the admin token creates,
 * lists and revokes execution-plane tokens. Not in the plane tokens' permission table, so only the
 * admin token reaches these routes. A token is in a response once, when it is created.
 */
export function registerTokenRoutes(app: TypedApp, context: ServerContext): void {
  const { apiTokens } = context;
  const tags = ['tokens'];

  app.post(
    BASE,
    {
      schema: {
        tags,
        summary: 'Shipmate: creates an execution-plane token; the token is in this response only',
        body: createTokenBodySchema,
        response: { 201: createdTokenSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const created = await apiTokens.create(parseApiTokenInput(request.body));
      request.log.info({ tokenId: created.summary.id, name: created.summary.name }, 'API token created');
      return reply.status(201).send({ ...created.summary, token: created.token });
    },
  );

  app.get(
    BASE,
    {
      schema: {
        tags,
        summary: 'Shipmate: lists the created tokens (never the tokens themselves), revoked ones included',
        response: { 200: tokenListSchema, ...errorResponses },
      },
    },
    async () => ({ tokens: apiTokens.list() }),
  );

  app.delete(
    `${BASE}/:id`,
    {
      schema: {
        tags,
        summary: 'Shipmate: revokes a token at once (later requests with it get 401 ERR_TOKEN_REVOKED)',
        params: tokenParams,
        response: { 200: tokenSummarySchema, ...errorResponses },
      },
    },
    async (request) => {
      const revoked = await apiTokens.revoke(request.params.id);
      request.log.info({ tokenId: revoked.id, name: revoked.name }, 'API token revoked');
      return revoked;
    },
  );
}
