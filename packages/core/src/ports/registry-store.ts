/**
 * The integration registry port: integrations (Keptn's uniform registrations), their instances
 * and subscriptions, and the integrations' error logs. Adapters pass `describeRegistryStoreContract`
 * in @shipmate/testing. Every method that changes state is one transaction.
 */
import type { EventSubscription, InstanceRecord, IntegrationRecord, LogEntry } from '../registry/integration.js';
import type { Page } from './store.js';

/** Filter of {@link IntegrationRegistryStore.listIntegrations}; every given field must match. */
export interface IntegrationQuery {
  id?: string;
  name?: string;
  namespace?: string;
  hostname?: string;
  /** Some subscription's `filter.projects` contains it (empty filters do not match, as Keptn). */
  project?: string;
  stage?: string;
  service?: string;
}

/** The writes of one registration, applied in one transaction. */
export interface RegistrationChange {
  /** Inserted or replaced whole. */
  integration: IntegrationRecord;
  /** Inserted or replaced (by integration id and instance id). */
  instance?: InstanceRecord;
  /** Integrations to delete with their instances (duplicates merged into `integration`). */
  removeIds?: string[];
}

/** Filter of the log queries; times are Keptn timestamps, both bounds inclusive. */
export interface LogQuery {
  integrationId?: string;
  fromTime?: string;
  beforeTime?: string;
}

/**
 * How far an integration's `metadata.lastseen` may lag behind its instances' heartbeats
 * ({@link IntegrationRegistryStore.touchInstance}): far below the offline threshold (3 heartbeats)
 * and the registration TTL, and it spares a write per heartbeat of a scaled-out integration.
 */
export const INTEGRATION_LASTSEEN_SLACK_MS = 1000;

/** The registry port. */
export interface IntegrationRegistryStore {
  /** Applies a registration atomically. */
  saveRegistration(change: RegistrationChange): Promise<void>;
  getIntegration(id: string): Promise<IntegrationRecord | undefined>;
  /** Integrations matching the query, sorted by name then id. */
  listIntegrations(query: IntegrationQuery): Promise<IntegrationRecord[]>;
  /** Deletes the integration with its instances; false if unknown. */
  deleteIntegration(id: string): Promise<boolean>;
  /** Deletes one instance (the integration stays); false if unknown. */
  deleteInstance(integrationId: string, instanceId: string): Promise<boolean>;
  /**
   * Heartbeat: sets the integration's `metadata.lastseen` and, when `instanceId` names one of its
   * instances, that instance's lastseen. Returns the updated integration, undefined if unknown.
   */
  touchIntegration(id: string, lastseen: string, instanceId?: string): Promise<IntegrationRecord | undefined>;
  /**
   * Heartbeat of one instance, without reading or rewriting the stored documents: sets the
   * instance's lastseen and the integration's `metadata.lastseen`. The integration's may stay up to
   * less than {@link INTEGRATION_LASTSEEN_SLACK_MS} behind (it is not rewritten when it is already that
   * recent). False, changing nothing, when the instance or the integration is unknown.
   */
  touchInstance(integrationId: string, instanceId: string, lastseen: string): Promise<boolean>;
  /**
   * Heartbeats of several instances in one transaction (the parked long polls of one tick), each as
   * {@link touchInstance}. Returns, in the order given, whether each instance was found; an empty
   * list writes nothing.
   */
  touchInstances(instances: ReadonlyArray<Pick<InstanceRecord, 'integrationId' | 'instanceId'>>, lastseen: string): Promise<boolean[]>;
  /** One instance, undefined if the integration or the instance is unknown. */
  getInstance(integrationId: string, instanceId: string): Promise<InstanceRecord | undefined>;
  /** Instances of the given integrations, sorted by integration id, then instance id. */
  listInstances(integrationIds: readonly string[]): Promise<InstanceRecord[]>;
  /** Inserts or replaces the subscription with that id; false if the integration is unknown. */
  putSubscription(integrationId: string, subscription: EventSubscription): Promise<boolean>;
  /** Removes a subscription; false if the integration is unknown (an unknown subscription is fine). */
  deleteSubscription(integrationId: string, subscriptionId: string): Promise<boolean>;
  /** Deletes integrations and instances whose lastseen is before `time`; returns how many integrations went. */
  deleteIntegrationsSeenBefore(time: string): Promise<number>;

  /** Stores log entries in one transaction. */
  appendLogs(entries: readonly LogEntry[]): Promise<void>;
  /** Log entries, newest first (ties: last written first). `limit` 0 = no limit. */
  queryLogs(query: LogQuery & { offset: number; limit: number }): Promise<Page<LogEntry>>;
  /** Deletes the matching entries; returns how many went. */
  deleteLogs(query: LogQuery): Promise<number>;
}
