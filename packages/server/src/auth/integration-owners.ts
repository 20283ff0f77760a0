/**
 * Which token registered which integration, so that a plane token acts only on its own
 * integrations and answers only the tasks they hold. Kept in memory: an integration is bound by
 * its registration, or by its first ping after a restart of the control plane (the registry
 * survives restarts, this map does not). The admin token's integrations are bound to
 * {@link ADMIN_OWNER} and so are never claimed by a plane token.
 */
import type { Clock, TaskLeaseStore } from '@shipmate/core';
import type { PlaneFacts } from './route-permissions.js';

/** Owner id of integrations registered with the admin (or built-in) token. */
export const ADMIN_OWNER = '';

/** {@link PlaneFacts} plus the binding of integrations to tokens. */
export interface IntegrationOwners extends PlaneFacts {
  /** Binds `integrationId` to `owner` unless it is bound already (`force`: a new registration rebinds). */
  bind(integrationId: string, owner: string, force: boolean): void;
}

/** Creates the owner map; `leases` answers which instance holds a task. */
export function createIntegrationOwners(options: { readonly leases: TaskLeaseStore; readonly clock: Clock }): IntegrationOwners {
  const ownerOf = new Map<string, string>();
  return {
    bind(integrationId, owner, force) {
      if (force || !ownerOf.has(integrationId)) ownerOf.set(integrationId, owner);
    },
    ownsIntegration(tokenId, integrationId) {
      return ownerOf.get(integrationId) === tokenId;
    },
    async holdsTask(tokenId, triggeredId) {
      const nowMs = options.clock.nowMs();
      for (const [integrationId, owner] of ownerOf) {
        if (owner !== tokenId) continue;
        const leases = await options.leases.leasesOfTasks([triggeredId], integrationId);
        if (leases.some((lease) => lease.answered || lease.leaseUntilMs > nowMs)) return true;
      }
      return false;
    },
  };
}
