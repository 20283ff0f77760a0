import type { FastifyInstance } from 'fastify';
import { parseApiTokenInput } from '@shipmate/core';
import type { ServerContext } from '../server-context.js';
import { errorResponses } from '../contract/common-schemas.js';

const BASE = '/api/shipmate/v1/token';
const filtersSchema = {
  type: 'object',
  properties: {
    projects: { type: 'array', items: { type: 'string' } },
    stages: { type: 'array', items: { type: 'string' } },
    services: { type: 'array', items: { type: 'string' } },
  },
} as const;
const summarySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string', enum: ['execution-plane'] },
    filters: filtersSchema,
    createdAt: { type: 'string' },
    lastUsedAt: { type: 'string' },
    revokedAt: { type: 'string' },
  },
} as const;

/**
 * Shipmate's token API (docs/security.md, "Execution-plane tokens"): the admin token creates,
 * lists and revokes execution-plane tokens. Not in the plane tokens' permission table, so only the
 * admin token reaches these routes. A token is in a response once, when it is created.
 */
export function registerTokenRoutes(app: FastifyInstance, context: ServerContext): void {
  const { apiTokens } = context;
  const tags = ['tokens'];

  app.post(
    BASE,
    {
      schema: {
        tags,
        summary: 'Shipmate: creates an execution-plane token; the token is in this response only',
        body: { type: 'object', properties: { name: { type: 'string' }, role: { type: 'string' }, filters: filtersSchema } },
        response: { 201: { type: 'object', properties: { ...summarySchema.properties, token: { type: 'string' } } }, ...errorResponses },
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
        response: { 200: { type: 'object', properties: { tokens: { type: 'array', items: summarySchema } } }, ...errorResponses },
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
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        response: { 200: summarySchema, ...errorResponses },
      },
    },
    async (request) => {
      const revoked = await apiTokens.revoke((request.params as { id: string }).id);
      request.log.info({ tokenId: revoked.id, name: revoked.name }, 'API token revoked');
      return revoked;
    },
  );
}
