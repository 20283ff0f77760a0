import {
  emptyObjectSchema,
  scopeListSchema,
  secretBodySchema,
  secretErrorResponses,
  secretListSchema,
  secretQuery,
  secretSummarySchema,
} from '@shipmate/api';
import type { TypedApp } from '../http/typed-app.js';
import type { ServerContext } from '../server-context.js';
import { ChangeTopic } from '../changes/change-feed.js';

const BASE = '/api/secrets/v1';

/**
 * Keptn's secret service (control-plane.md §8) on its paths. Values are encrypted at rest and
 * never returned: POST and PUT answer name, scope and keys instead of echoing the body
 * (docs/keptn-compatibility.md, "Secrets").
 */
export function registerSecretRoutes(app: TypedApp, context: ServerContext): void {
  const { secrets, changes } = context;
  const tags = ['secrets'];

  app.post(
    `${BASE}/secret`,
    {
      schema: {
        tags,
        summary: 'Creates a secret: 201 with name, scope and keys (never the values); 409 when the name exists in any scope',
        body: secretBodySchema,
        response: { 201: secretSummarySchema, ...secretErrorResponses },
      },
    },
    async (request, reply) => {
      const created = await secrets.create(request.body);
      changes.touched(ChangeTopic.secrets);
      return reply.status(201).send(created);
    },
  );

  app.put(
    `${BASE}/secret`,
    {
      schema: {
        tags,
        summary: "Replaces a secret's values: 200 with name, scope and keys; 404 when the name is not in that scope",
        body: secretBodySchema,
        response: { 200: secretSummarySchema, ...secretErrorResponses },
      },
    },
    async (request) => {
      const updated = await secrets.update(request.body);
      changes.touched(ChangeTopic.secrets);
      return updated;
    },
  );

  app.delete(
    `${BASE}/secret`,
    {
      schema: {
        tags,
        summary: 'Deletes a secret; ?name= and ?scope= are both required',
        querystring: secretQuery,
        response: { 200: emptyObjectSchema, ...secretErrorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      await secrets.remove(q.name, q.scope);
      changes.touched(ChangeTopic.secrets);
      return {};
    },
  );

  app.get(
    `${BASE}/secret`,
    {
      schema: {
        tags,
        summary: 'Lists secrets with their keys, never their values; ?name= and ?scope= filter',
        querystring: secretQuery,
        response: { 200: secretListSchema, ...secretErrorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      return { Secrets: await secrets.list(q.name || undefined, q.scope || undefined) };
    },
  );

  app.get(
    `${BASE}/scope`,
    {
      schema: {
        tags,
        summary: 'Lists the scopes a secret may have (SHIPMATE_SECRET_SCOPES)',
        response: { 200: scopeListSchema, ...secretErrorResponses },
      },
    },
    async () => ({ scopes: secrets.scopes() }),
  );
}
