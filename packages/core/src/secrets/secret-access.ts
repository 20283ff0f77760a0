/**
 * Which secret scopes an integration may read for a task it runs (docs/keptn-compatibility.md,
 * "Secrets for a running task"). Keptn bound scopes to service accounts with Kubernetes RBAC; with
 * no service accounts here, the integration's registered name stands in for the account:
 *
 * - `keptn-default`: every integration;
 * - a scope equal to the integration's name (`dynatrace-service`);
 * - `keptn-<name>` (`keptn-webhook-service` for `webhook-service`, `keptn-prometheus-service`
 *   for `prometheus-service`), matching Keptn's default scopes.
 */
import { DEFAULT_SECRET_SCOPE } from './secret.js';

/** Scopes `integrationName` may read. */
export function readableScopes(integrationName: string): string[] {
  return [DEFAULT_SECRET_SCOPE, integrationName, `keptn-${integrationName}`].filter((scope, index, all) => all.indexOf(scope) === index);
}

/** Whether an integration of that name may read secrets of `scope`. */
export function mayReadScope(integrationName: string, scope: string): boolean {
  return readableScopes(integrationName).includes(scope);
}
