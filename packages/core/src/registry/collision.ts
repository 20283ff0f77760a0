/**
 * Instance state and name-collision detection (ARCHITECTURE.md §4).
 *
 * A plane is identified by its `location` when that is set to something other than Keptn's
 * default `control-plane`, else by its hostname. Replicas in one plane share the location, so they
 * never collide; two clusters that both run the same integration name in the same namespace do.
 * Only instances that are online or were seen recently (within {@link RECENT_HEARTBEATS}
 * heartbeat intervals) count, so a plane that was renamed stops being flagged soon after.
 */
import { DEFAULT_LOCATION, InstanceState } from './integration.js';
import type {
  InstanceRecord,
  Integration,
  IntegrationInstance,
  IntegrationRecord,
  NameCollision,
  SubscriptionFilter,
} from './integration.js';

/** An instance is online while its last heartbeat is at most this many intervals old. */
export const ONLINE_HEARTBEATS = 3;
/** Instances seen within this many heartbeat intervals count for collisions. */
export const RECENT_HEARTBEATS = 10;

/** The plane an instance belongs to. */
export function planeOf(instance: Pick<InstanceRecord, 'location' | 'hostname'>): string {
  return instance.location !== '' && instance.location !== DEFAULT_LOCATION ? instance.location : instance.hostname;
}

/** Online when seen within {@link ONLINE_HEARTBEATS} heartbeat intervals of `nowMs`. */
export function instanceState(lastseen: string, nowMs: number, heartbeatIntervalMs: number): InstanceState {
  const seen = Date.parse(lastseen);
  return Number.isFinite(seen) && nowMs - seen <= ONLINE_HEARTBEATS * heartbeatIntervalMs ? InstanceState.online : InstanceState.offline;
}

function listsOverlap(a: string[], b: string[]): boolean {
  return a.length === 0 || b.length === 0 || a.some((item) => b.includes(item));
}

/** Two filters overlap when every dimension does (an empty list means all). */
export function filtersOverlap(a: SubscriptionFilter, b: SubscriptionFilter): boolean {
  return listsOverlap(a.projects, b.projects) && listsOverlap(a.stages, b.stages) && listsOverlap(a.services, b.services);
}

/** The collision of an integration's instances, or undefined when they all come from one plane. */
export function detectCollision(
  integration: Pick<IntegrationRecord, 'name' | 'metadata'>,
  instances: readonly InstanceRecord[],
  nowMs: number,
  heartbeatIntervalMs: number,
): NameCollision | undefined {
  const recent = instances.filter((i) => {
    const seen = Date.parse(i.lastseen);
    return Number.isFinite(seen) && nowMs - seen <= RECENT_HEARTBEATS * heartbeatIntervalMs;
  });
  const planes = [...new Set(recent.map(planeOf))].sort();
  if (planes.length < 2) return undefined;
  let overlap = false;
  for (const a of recent) {
    for (const b of recent) {
      if (planeOf(a) < planeOf(b) && filtersOverlap(a.filters, b.filters)) overlap = true;
    }
  }
  const namespace = integration.metadata.kubernetesmetadata.namespace;
  let message =
    `several execution planes share the identity '${integration.name}' in namespace '${namespace}': ${planes.join(', ')}; ` +
    "they share one registration and one set of subscriptions. Set a unique K8S_DEPLOYMENT_NAME (or the chart's nameOverride) per execution plane.";
  if (overlap) message += ' Their own filters (PROJECT_FILTER, STAGE_FILTER, SERVICE_FILTER) overlap, so tasks may reach the wrong plane.';
  return { message, planes, filtersOverlap: overlap };
}

/** The API view of an integration: its instances with their state, and the collision if any. */
export function integrationView(
  record: IntegrationRecord,
  instances: readonly InstanceRecord[],
  nowMs: number,
  heartbeatIntervalMs: number,
): Integration {
  const views: IntegrationInstance[] = instances.map(({ integrationId: _owner, ...instance }) => ({
    ...instance,
    state: instanceState(instance.lastseen, nowMs, heartbeatIntervalMs),
  }));
  const collision = detectCollision(record, instances, nowMs, heartbeatIntervalMs);
  return { ...record, instances: views, ...(collision ? { collision } : {}) };
}
