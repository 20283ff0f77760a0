import { errorResponses, instanceParams, tasksQuery, tasksResponseSchema } from '@shipmate/api';
import type { TypedApp } from '../http/typed-app.js';
import { longPoll } from '@shipmate/core';
import type { ServerContext } from '../server-context.js';
import { watchClientGone } from '../http/client-gone.js';

/**
 * Shipmate's task delivery (issue 3 point 3; docs/keptn-compatibility.md, "Task delivery"): an
 * agent instance long-polls for the tasks its integration's subscriptions and its own filters
 * match. Each task goes to one instance of the integration under a lease; the request is also the
 * instance's heartbeat.
 */
export function registerDeliveryRoutes(app: TypedApp, context: ServerContext): void {
  const { delivery, waiters, heartbeats, quietPolls, options } = context;

  app.get(
    '/api/controlPlane/v1/uniform/registration/:integrationID/instance/:instanceID/tasks',
    {
      schema: {
        tags: ['uniform'],
        summary: 'Shipmate: long poll of an agent instance for its tasks (leased to it) and for its aborted tasks; counts as heartbeat',
        params: instanceParams,
        querystring: tasksQuery,
        response: { 200: tasksResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { integrationID, instanceID } = request.params;
      // waitMs always has a value: the validator fills in its default.
      const { waitMs = 0 } = request.query;
      // The response closing before it was written means the agent went away: stop waiting.
      const gone = watchClientGone(reply.raw);
      try {
        return await longPoll(
          { delivery, waiters, heartbeats, ...(quietPolls ? { quiet: quietPolls } : {}) },
          { integrationId: integrationID, instanceId: instanceID, waitMs, leaseMs: options.leaseMs, signal: gone.signal },
        );
      } finally {
        gone.end();
      }
    },
  );
}
