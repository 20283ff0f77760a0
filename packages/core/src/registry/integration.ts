/**
 * The integration registry's domain: Keptn's `Integration` model (go-utils `models/uniform.go`)
 * plus Shipmate's instances and name-collision flag (ARCHITECTURE.md §4).
 *
 * An integration is identified as in Keptn by name + namespace; an instance is one agent process
 * of it, keyed by (integration id, podname or else hostname, location). Stored records carry no
 * derived state: whether an instance is online and whether the integration collides depend on
 * the clock and are computed when a view is built.
 */

/** Keptn's subscription filter; an empty list means "all". */
export interface SubscriptionFilter {
  projects: string[];
  stages: string[];
  services: string[];
}

/** One subscription of an integration (Keptn's `EventSubscription`). */
export interface EventSubscription {
  id: string;
  event: string;
  filter: SubscriptionFilter;
}

/** Keptn's `KubernetesMetaData`. */
export interface KubernetesMetadata {
  namespace: string;
  podname: string;
  deploymentname: string;
}

/** Keptn's `MetaData` of an integration. */
export interface IntegrationMetadata {
  hostname: string;
  integrationversion: string;
  distributorversion: string;
  location: string;
  /** Keptn timestamp of the last registration or heartbeat of any instance. */
  lastseen: string;
  kubernetesmetadata: KubernetesMetadata;
}

/** An integration as stored: Keptn's fields only. */
export interface IntegrationRecord {
  id: string;
  name: string;
  metadata: IntegrationMetadata;
  subscriptions: EventSubscription[];
}

/** One agent process of an integration, as stored. */
export interface InstanceRecord {
  integrationId: string;
  /** Deterministic: sha1 of integration id, podname (or hostname) and location. */
  instanceId: string;
  hostname: string;
  podname: string;
  location: string;
  integrationversion: string;
  distributorversion: string;
  /** The instance's own filters (`PROJECT_FILTER`, `STAGE_FILTER`, `SERVICE_FILTER`). */
  filters: SubscriptionFilter;
  lastseen: string;
}

/** Closed set of instance states. */
export const InstanceState = { online: 'online', offline: 'offline' } as const;
/** One of {@link InstanceState}. */
export type InstanceState = (typeof InstanceState)[keyof typeof InstanceState];

/** An instance as the API shows it. */
export interface IntegrationInstance extends Omit<InstanceRecord, 'integrationId'> {
  state: InstanceState;
}

/** Set when instances of one integration come from more than one execution plane. */
export interface NameCollision {
  /** What is wrong and how to fix it. */
  message: string;
  /** The planes sharing the identity (location, or hostname when the location is Keptn's default). */
  planes: string[];
  /** Whether the instances' own filters of two planes overlap (tasks may reach the wrong plane). */
  filtersOverlap: boolean;
}

/** An integration as the API shows it: Keptn's model plus `instances` and `collision`. */
export interface Integration extends IntegrationRecord {
  instances: IntegrationInstance[];
  /** Absent when there is no collision. */
  collision?: NameCollision;
}

/** An error-log entry of an integration (Keptn's `LogEntry`). */
export interface LogEntry {
  integrationid: string;
  message: string;
  /** Keptn timestamp. */
  time: string;
  shkeptncontext?: string;
  task?: string;
  triggeredid?: string;
  gitcommitid?: string;
}

/** Keptn's default `location` of in-cluster integrations. */
export const DEFAULT_LOCATION = 'control-plane';
