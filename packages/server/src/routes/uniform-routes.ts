import { useJsonParser } from '../http/json-body-parser.js';
import {
  emptyObjectSchema,
  errorResponses,
  idResponseSchema,
  instanceParams,
  integrationListSchema,
  integrationParams,
  integrationSchema,
  pingQuery,
  registrationListQuery,
  subscriptionListSchema,
  subscriptionParams,
  subscriptionSchema,
} from '@shipmate/api';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TypedApp } from '../http/typed-app.js';
import type { ServerContext } from '../server-context.js';
import { ChangeTopic } from '../changes/change-feed.js';

type Query = Record<string, string | undefined>;
const BASE = '/api/controlPlane/v1/uniform/registration';

function optional(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** The instance a ping names: `?instanceId=` or a JSON body `{instanceId}` (Shipmate extension). */
function pingInstance(query: Query, body: unknown): string | undefined {
  const fromBody = typeof body === 'object' && body !== null ? (body as { instanceId?: unknown }).instanceId : undefined;
  return optional(query.instanceId) ?? (typeof fromBody === 'string' && fromBody !== '' ? fromBody : undefined);
}

/** Keptn's integration registry (control-plane.md §3.11) with Shipmate's instances and collisions. */
export function registerUniformRoutes(app: TypedApp, context: ServerContext): void {
  const { registry, waiters, changes } = context;
  const tags = ['uniform'];

  app.post(
    BASE,
    {
      schema: {
        tags,
        summary: 'Registers an integration: 201 {id} for a new one, 200 {id} when name and namespace are known',
        body: integrationSchema,
        response: { 200: idResponseSchema, 201: idResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const result = await registry.register(request.body);
      changes.touched(ChangeTopic.integrations);
      return reply.status(result.created ? 201 : 200).send({ id: result.id, instanceId: result.instanceId });
    },
  );

  app.get(
    BASE,
    {
      schema: {
        tags,
        summary: 'Lists integrations with their instances (a plain array, not paginated)',
        querystring: registrationListQuery,
        response: { 200: integrationListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      return registry.list({
        id: optional(q.id),
        name: optional(q.name),
        namespace: optional(q.namespace),
        hostname: optional(q.hostname),
        project: optional(q.project),
        stage: optional(q.stage),
        service: optional(q.service),
      });
    },
  );

  app.get(
    `${BASE}/:integrationID`,
    {
      schema: {
        tags,
        summary: 'Shipmate: one integration with its instances and name collision',
        params: integrationParams,
        response: { 200: integrationSchema, ...errorResponses },
      },
    },
    async (request) => registry.get(request.params.integrationID),
  );

  app.delete(
    `${BASE}/:integrationID`,
    {
      schema: {
        tags,
        summary: 'Deletes an integration with its instances; 200 {} also for an unknown id (as Keptn)',
        params: integrationParams,
        response: { 200: emptyObjectSchema, ...errorResponses },
      },
    },
    async (request) => {
      await registry.remove(request.params.integrationID);
      changes.touched(ChangeTopic.integrations);
      return {};
    },
  );

  app.delete(
    `${BASE}/:integrationID/instance/:instanceID`,
    {
      schema: {
        tags,
        summary: 'Shipmate: removes one instance (an agent that drained and stops); the integration and its other instances stay',
        params: instanceParams,
        response: { 200: emptyObjectSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { integrationID, instanceID } = request.params;
      await registry.removeInstance(integrationID, instanceID);
      changes.touched(ChangeTopic.integrations);
      return {};
    },
  );

  // Keptn's clients send the ping without a body; one that still says application/json with an
  // empty body must not fail JSON parsing, so the ping has its own JSON parser.
  void app.register((scoped, _options, registered) => {
    useJsonParser(scoped, () => true);
    scoped.withTypeProvider<TypeBoxTypeProvider>().put(
      `${BASE}/:integrationID/ping`,
      {
        schema: {
          tags,
          summary: 'Heartbeat: updates lastseen (and the named instance) and returns the integration with its subscriptions',
          params: integrationParams,
          querystring: pingQuery,
          response: { 200: integrationSchema, ...errorResponses },
        },
      },
      async (request) => {
        const { integrationID } = request.params;
        return registry.ping(integrationID, pingInstance(request.query, request.body));
      },
    );
    registered();
  });

  app.get(
    `${BASE}/:integrationID/subscription`,
    {
      schema: {
        tags,
        summary: "Lists an integration's subscriptions ([] when none; Keptn returns null)",
        params: integrationParams,
        response: { 200: subscriptionListSchema, ...errorResponses },
      },
    },
    async (request) => registry.listSubscriptions(request.params.integrationID),
  );

  app.post(
    `${BASE}/:integrationID/subscription`,
    {
      schema: {
        tags,
        summary: 'Adds a subscription with a new id; 201 {id}',
        params: integrationParams,
        body: subscriptionSchema,
        response: { 201: idResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const id = await registry.createSubscription(request.params.integrationID, request.body);
      changes.touched(ChangeTopic.integrations);
      // Parked agent long polls look again with the new subscriptions.
      waiters.wakeAll();
      return reply.status(201).send({ id });
    },
  );

  app.get(
    `${BASE}/:integrationID/subscription/:subscriptionID`,
    {
      schema: { tags, summary: 'One subscription', params: subscriptionParams, response: { 200: subscriptionSchema, ...errorResponses } },
    },
    async (request) => {
      const { integrationID, subscriptionID } = request.params;
      return registry.getSubscription(integrationID, subscriptionID);
    },
  );

  app.put(
    `${BASE}/:integrationID/subscription/:subscriptionID`,
    {
      schema: {
        tags,
        summary: 'Creates or replaces the subscription with that id; 201 {id}',
        params: subscriptionParams,
        body: subscriptionSchema,
        response: { 201: idResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { integrationID, subscriptionID } = request.params;
      const id = await registry.putSubscription(integrationID, subscriptionID, request.body);
      changes.touched(ChangeTopic.integrations);
      waiters.wakeAll();
      return reply.status(201).send({ id });
    },
  );

  app.delete(
    `${BASE}/:integrationID/subscription/:subscriptionID`,
    {
      schema: {
        tags,
        summary: 'Removes a subscription; 200 {} also for an unknown subscription',
        params: subscriptionParams,
        response: { 200: emptyObjectSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { integrationID, subscriptionID } = request.params;
      await registry.deleteSubscription(integrationID, subscriptionID);
      changes.touched(ChangeTopic.integrations);
      waiters.wakeAll();
      return {};
    },
  );
}
