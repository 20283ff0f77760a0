/**
 * Which token registered which integration instance, so that a plane token acts only on its own
 * instances and answers only the tasks they hold. Several tokens may share one integration (two
 * planes registering one name, which the registry flags as a collision): each owns the instances
 * it registered, and all of them may act on the integration as a whole (read its subscriptions,
 * write its logs); only a sole owner may unregister it.
 *
 * Kept in memory: an instance is bound by its registration, or by its first ping after a restart
 * of the control plane (the registry survives restarts, this map does not). The first token to
 * bind an instance keeps it, so no token takes over another's instance by registering the same pod
 * name. The admin token's (and built-ins') registrations are bound to {@link ADMIN_OWNER}, which no
 * plane token is.
 *
 * With several replicas a new binding is announced (`onBound`) and the others bind it too, so a
 * registration through one replica holds for the pings and answers that reach another.
 */
import { taskOpen } from '@shipmate/core';
import type { Clock, ControlPlaneStore, TaskLeaseStore } from '@shipmate/core';
import type { PlaneFacts } from './route-permissions.js';

/** Owner id of integrations registered with the admin (or built-in) token. */
export const ADMIN_OWNER = '';

/** {@link PlaneFacts} plus the binding of instances to tokens. */
export interface IntegrationOwners extends PlaneFacts {
  /**
   * Makes `owner` an owner of the integration and, unless bound already, of the instance; a new
   * binding is announced to the other replicas unless `announce` is false (it came from one).
   */
  bind(integrationId: string, instanceId: string | undefined, owner: string, options?: { announce?: boolean }): void;
}

const instanceKey = (integrationId: string, instanceId: string) => `${integrationId}\n${instanceId}`;

/** Creates the owner map; `leases` answers which instance holds a task, `events` whether it is still open. */
export function createIntegrationOwners(options: {
  readonly leases: TaskLeaseStore;
  readonly events: Pick<ControlPlaneStore, 'queryOpenTriggered'>;
  readonly clock: Clock;
  /** Called with every new binding made here (to tell the other replicas). */
  readonly onBound?: (integrationId: string, instanceId: string | undefined, owner: string) => void;
}): IntegrationOwners {
  const ownersOf = new Map<string, Set<string>>();
  const instanceOwner = new Map<string, string>();
  return {
    bind(integrationId, instanceId, owner, bindOptions) {
      let owners = ownersOf.get(integrationId);
      if (!owners) ownersOf.set(integrationId, (owners = new Set()));
      let isNew = !owners.has(owner);
      owners.add(owner);
      if (instanceId !== undefined && instanceId !== '' && !instanceOwner.has(instanceKey(integrationId, instanceId))) {
        instanceOwner.set(instanceKey(integrationId, instanceId), owner);
        isNew = true;
      }
      if (isNew && bindOptions?.announce !== false) options.onBound?.(integrationId, instanceId, owner);
    },
    ownsIntegration(tokenId, integrationId) {
      return ownersOf.get(integrationId)?.has(tokenId) ?? false;
    },
    ownsIntegrationAlone(tokenId, integrationId) {
      const owners = ownersOf.get(integrationId);
      return owners?.size === 1 && owners.has(tokenId);
    },
    ownsInstance(tokenId, integrationId, instanceId) {
      return instanceOwner.get(instanceKey(integrationId, instanceId)) === tokenId;
    },
    async taskEnded(triggeredId) {
      return !(await taskOpen(options.events, triggeredId));
    },
    async holdsTask(tokenId, triggeredId) {
      const nowMs = options.clock.nowMs();
      for (const [integrationId, owners] of ownersOf) {
        if (!owners.has(tokenId)) continue;
        const leases = await options.leases.leasesOfTasks([triggeredId], integrationId);
        const held = leases.some(
          (lease) =>
            (lease.answered || lease.leaseUntilMs > nowMs) && instanceOwner.get(instanceKey(integrationId, lease.instanceId)) === tokenId,
        );
        if (held) return true;
      }
      return false;
    },
  };
}
