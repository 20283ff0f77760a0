/**
 * Secrets for a running task (issue 4 point 4; docs/keptn-compatibility.md, "Secrets for a
 * running task"): the only way a secret's values leave the control plane. An agent instance asks
 * on behalf of a task it runs, and gets the values only when, checked in this order,
 *
 * 1. the integration and the instance are registered (else 404 `ERR_INTEGRATION_NOT_FOUND`);
 * 2. the task is still open, neither finished nor aborted (else 404 `ERR_TASK_NOT_OPEN`);
 * 3. this instance holds the task now ({@link holdsTask}: a running lease, or the last one and `.started` arrived; else 403 `ERR_TASK_NOT_LEASED`);
 * 4. the integration may read the scope ({@link mayReadScope}; else 403 `ERR_SCOPE_FORBIDDEN`);
 * 5. the secret exists in that scope (else 404 `ERR_SECRET_NOT_FOUND`).
 *
 * Names of secrets are checked last, so a caller without the right learns nothing about them.
 */
import { holdsTask, taskOpen } from '../delivery/task-delivery.js';
import { ErrorCode } from '../errors/error-codes.js';
import { ForbiddenError, NotFoundError } from '../errors/errors.js';
import type { Clock } from '../ports/clock.js';
import type { IntegrationRegistryStore } from '../ports/registry-store.js';
import type { ControlPlaneStore } from '../ports/store.js';
import type { TaskLeaseStore } from '../ports/task-lease-store.js';
import { mayReadScope, readableScopes } from './secret-access.js';
import { validateSecretName, validateSecretScope } from './secret.js';
import type { RevealedSecret, SecretService } from './secret-service.js';

/** Options of {@link createTaskSecretReader}. */
export interface TaskSecretReaderOptions {
  registry: Pick<IntegrationRegistryStore, 'getIntegration' | 'listInstances'>;
  leases: Pick<TaskLeaseStore, 'leasesOfTasks'>;
  events: Pick<ControlPlaneStore, 'queryOpenTriggered' | 'queryEvents'>;
  secrets: Pick<SecretService, 'reveal' | 'scopes'>;
  clock: Clock;
}

/** Who asks, for which task, and for which secret. */
export interface TaskSecretRequest {
  integrationId: string;
  instanceId: string;
  /** Id of the task's `.triggered` event. */
  triggeredId: string;
  name: unknown;
  /** Defaults to `keptn-default`. */
  scope: unknown;
}

/** The reader of secrets for tasks. */
export interface TaskSecretReader {
  /** The secret's values if every rule holds; otherwise a 4xx error naming the broken rule. */
  read(request: TaskSecretRequest): Promise<RevealedSecret>;
}

/** Wires the reader. */
export function createTaskSecretReader(options: TaskSecretReaderOptions): TaskSecretReader {
  const { registry, leases, events, secrets, clock } = options;
  return {
    async read(request) {
      const { integrationId, instanceId, triggeredId } = request;
      const name = validateSecretName(request.name, "query parameter 'name'");
      const scope = validateSecretScope(request.scope, secrets.scopes(), "query parameter 'scope'");

      const integration = await registry.getIntegration(integrationId);
      const instance = integration && (await registry.listInstances([integrationId])).some((i) => i.instanceId === instanceId);
      if (!integration || !instance) {
        throw new NotFoundError(
          ErrorCode.integrationNotFound,
          `instance '${instanceId}' of integration '${integrationId}' not found; register again and use the ids the registration returned`,
        );
      }
      if (!(await taskOpen(events, triggeredId))) {
        throw new NotFoundError(
          ErrorCode.taskNotOpen,
          `task '${triggeredId}' is not open (unknown, finished or aborted); secrets are given only for tasks that are running`,
        );
      }
      if (!(await holdsTask(leases, events, { triggeredId, integrationId, instanceId, nowMs: clock.nowMs() }))) {
        throw new ForbiddenError(
          ErrorCode.taskNotLeased,
          `instance '${instanceId}' does not hold task '${triggeredId}' (its lease expired or went to another instance); ask only for tasks this instance received from its task long poll and send .started within the lease`,
        );
      }
      if (!mayReadScope(integration.name, scope)) {
        throw new ForbiddenError(
          ErrorCode.scopeForbidden,
          `integration '${integration.name}' may not read secrets of scope '${scope}'; it may read ${readableScopes(integration.name).join(', ')}: move the secret to one of them`,
        );
      }
      return secrets.reveal(name, scope);
    },
  };
}
