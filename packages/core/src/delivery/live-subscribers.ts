/**
 * Whether a task has a live subscriber (ARCHITECTURE.md §2 and §4): an integration with a
 * subscription matching the task's type and scope, and an online instance whose own filters match
 * the scope too. An integration none of whose instances is online still counts while its
 * `metadata.lastseen` is recent (within the same offline threshold) and it has no instances or one
 * whose filters match: Keptn's distributor and SDK ping without an instance id, which refreshes
 * only the integration.
 */
import type { KeptnEvent } from '../events/keptn-event.js';
import { instanceState } from '../registry/collision.js';
import { InstanceState } from '../registry/integration.js';
import type { InstanceRecord, IntegrationRecord } from '../registry/integration.js';
import { filterMatches, scopeOf, subscriptionsAccept } from './subscription-match.js';

/** The registry as of now: integrations, their instances, the clock and the heartbeat interval. */
export interface RegistrySnapshot {
  integrations: readonly IntegrationRecord[];
  /** Instances of (at least) those integrations. */
  instances: readonly InstanceRecord[];
  nowMs: number;
  heartbeatIntervalMs: number;
}

/** True when some integration of the snapshot is a live subscriber of the task. */
export function hasLiveSubscriber(task: KeptnEvent, registry: RegistrySnapshot): boolean {
  const scope = scopeOf(task);
  const online = (lastseen: string) => instanceState(lastseen, registry.nowMs, registry.heartbeatIntervalMs) === InstanceState.online;
  return registry.integrations.some((integration) => {
    if (!subscriptionsAccept(integration.subscriptions, task)) return false;
    const instances = registry.instances.filter((i) => i.integrationId === integration.id);
    const onlineInstances = instances.filter((i) => online(i.lastseen));
    if (onlineInstances.length > 0) return onlineInstances.some((i) => filterMatches(i.filters, scope));
    return online(integration.metadata.lastseen) && (instances.length === 0 || instances.some((i) => filterMatches(i.filters, scope)));
  });
}
