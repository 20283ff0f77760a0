import { revealedSecretSchema, taskSecretErrorResponses, taskSecretParams, taskSecretQuery } from '@shipmate/api';
import type { TypedApp } from '../http/typed-app.js';
import type { ServerContext } from '../server-context.js';

/**
 * Shipmate's secret read for a running task (docs/keptn-compatibility.md, "Secrets for a running
 * task"): the only route that returns a secret's values, to the agent instance that holds the
 * task, for the scopes its integration may read. Every read that succeeds is logged (without values).
 */
export function registerTaskSecretRoutes(app: TypedApp, context: ServerContext): void {
  const { taskSecrets } = context;

  app.get(
    '/api/controlPlane/v1/uniform/registration/:integrationID/instance/:instanceID/task/:triggeredID/secret',
    {
      schema: {
        tags: ['secrets'],
        summary:
          "Shipmate: a secret's values for a task this agent instance holds (open task, current lease, scope readable by the integration)",
        params: taskSecretParams,
        querystring: taskSecretQuery,
        response: { 200: revealedSecretSchema, ...taskSecretErrorResponses },
      },
    },
    async (request) => {
      const { integrationID, instanceID, triggeredID } = request.params;
      const { name, scope } = request.query;
      const secret = await taskSecrets.read({
        integrationId: integrationID,
        instanceId: instanceID,
        triggeredId: triggeredID,
        name,
        scope,
      });
      request.log.info(
        { integrationId: integrationID, instanceId: instanceID, triggeredId: triggeredID, secret: secret.name, scope: secret.scope },
        'secret read for a running task',
      );
      return secret;
    },
  );
}
