/**
 * The registry's use cases behind the `/uniform/registration` and `/log` paths: registration with
 * Keptn's rules, heartbeat, subscription CRUD, views with instance state and name collision, log
 * intake and the expiry sweep. Time and ids come from ports, so tests drive it with a fake clock.
 */
import { ErrorCode } from '../errors/error-codes.js';
import { NotFoundError } from '../errors/errors.js';
import { keptnTime } from '../events/keptn-event.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/id-generator.js';
import type { IntegrationQuery, IntegrationRegistryStore } from '../ports/registry-store.js';
import { integrationView } from './collision.js';
import type { EventSubscription, Integration, IntegrationRecord, LogEntry } from './integration.js';
import { parseRegistration, parseSubscription, planRegistration } from './registration-rules.js';
import { parseLogEntries } from './log-entries.js';
import type { LogQuery } from '../ports/registry-store.js';
import type { Page } from '../ports/store.js';

/** Options of {@link createIntegrationRegistry}. */
export interface IntegrationRegistryOptions {
  store: IntegrationRegistryStore;
  clock: Clock;
  ids: IdGenerator;
  /** Expected heartbeat period; an instance is offline after 3 missed ones. */
  heartbeatIntervalMs: number;
  /** Registrations without a heartbeat for this long are removed by the sweep; 0 keeps them. */
  integrationTtlMs: number;
  /** Log entries older than this are removed by the sweep; 0 keeps them. */
  logTtlMs: number;
}

/** Result of a registration. */
export interface RegistrationResult {
  id: string;
  /** Shipmate: the calling process's instance id (pass it to the ping as `?instanceId=`). */
  instanceId: string;
  created: boolean;
}

/** What one sweep removed. */
export interface RegistrySweepResult {
  integrations: number;
  logs: number;
}

/** The registry use cases. */
export interface IntegrationRegistry {
  register(body: unknown): Promise<RegistrationResult>;
  list(query: IntegrationQuery): Promise<Integration[]>;
  /** Throws `ERR_INTEGRATION_NOT_FOUND` when unknown. */
  get(id: string): Promise<Integration>;
  /** True if it existed. */
  remove(id: string): Promise<boolean>;
  /** Removes one instance (an agent that drained); throws `ERR_INTEGRATION_NOT_FOUND` when unknown. */
  removeInstance(id: string, instanceId: string): Promise<void>;
  ping(id: string, instanceId?: string): Promise<Integration>;
  listSubscriptions(id: string): Promise<EventSubscription[]>;
  getSubscription(id: string, subscriptionId: string): Promise<EventSubscription>;
  /** POST: a new id; Keptn does not apply the webhook-service rule here. */
  createSubscription(id: string, body: unknown): Promise<string>;
  /** PUT: create or replace with that id. */
  putSubscription(id: string, subscriptionId: string, body: unknown): Promise<string>;
  deleteSubscription(id: string, subscriptionId: string): Promise<void>;
  /** `POST /log`: validates and stores `{logs: [...]}`. */
  appendLogs(body: unknown): Promise<number>;
  queryLogs(query: LogQuery & { offset: number; limit: number }): Promise<Page<LogEntry>>;
  deleteLogs(query: LogQuery): Promise<number>;
  sweepExpired(): Promise<RegistrySweepResult>;
}

function notFound(id: string): NotFoundError {
  return new NotFoundError(
    ErrorCode.integrationNotFound,
    `integration '${id}' not found; it may have expired after missing heartbeats: register it again (restart the integration) or list ids with GET /api/controlPlane/v1/uniform/registration`,
  );
}

/** Wires the registry use cases. */
export function createIntegrationRegistry(options: IntegrationRegistryOptions): IntegrationRegistry {
  const { store, clock, ids, heartbeatIntervalMs } = options;
  let registering: Promise<void> = Promise.resolve();

  async function views(records: IntegrationRecord[]): Promise<Integration[]> {
    const instances = await store.listInstances(records.map((r) => r.id));
    const nowMs = clock.nowMs();
    return records.map((record) =>
      integrationView(
        record,
        instances.filter((i) => i.integrationId === record.id),
        nowMs,
        heartbeatIntervalMs,
      ),
    );
  }

  async function require(id: string): Promise<IntegrationRecord> {
    const record = await store.getIntegration(id);
    if (!record) throw notFound(id);
    return record;
  }

  return {
    register(body) {
      // Registrations run one at a time: two processes of a new integration registering at once
      // must end on one id, not two (Keptn can create duplicates there and merges them later).
      const result = registering.then(async (): Promise<RegistrationResult> => {
        const input = parseRegistration(body);
        const now = keptnTime(clock.nowMs());
        const sameName = await store.listIntegrations({ name: input.name, namespace: input.namespace });
        let plan = planRegistration(input, sameName, now, ids);
        if (plan.created) {
          // The sha1 of `name-namespace-hostname` can be taken by another name and namespace
          // (`a-b`/`c` vs `a`/`b-c`); Keptn then updates the stored one and answers 200.
          const taken = await store.getIntegration(plan.integration.id);
          if (taken) plan = planRegistration(input, [taken], now, ids);
        }
        await store.saveRegistration({ integration: plan.integration, instance: plan.instance, removeIds: plan.removeIds });
        return { id: plan.integration.id, instanceId: plan.instance.instanceId, created: plan.created };
      });
      registering = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },

    async list(query) {
      return views(await store.listIntegrations(query));
    },

    async get(id) {
      const [view] = await views([await require(id)]);
      if (!view) throw notFound(id);
      return view;
    },

    remove(id) {
      return store.deleteIntegration(id);
    },

    async removeInstance(id, instanceId) {
      await require(id);
      if (!(await store.deleteInstance(id, instanceId))) {
        throw new NotFoundError(ErrorCode.integrationNotFound, `instance '${instanceId}' of integration '${id}' not found`);
      }
    },

    async ping(id, instanceId) {
      const record = await store.touchIntegration(id, keptnTime(clock.nowMs()), instanceId);
      if (!record) throw notFound(id);
      const [view] = await views([record]);
      if (!view) throw notFound(id);
      return view;
    },

    async listSubscriptions(id) {
      return (await require(id)).subscriptions;
    },

    async getSubscription(id, subscriptionId) {
      const subscription = (await require(id)).subscriptions.find((s) => s.id === subscriptionId);
      if (!subscription) {
        throw new NotFoundError(
          ErrorCode.subscriptionNotFound,
          `subscription '${subscriptionId}' of integration '${id}' not found; list them with GET /api/controlPlane/v1/uniform/registration/${id}/subscription`,
        );
      }
      return subscription;
    },

    async createSubscription(id, body) {
      const record = await require(id);
      const input = parseSubscription(body, record.name, false);
      const subscription = { id: ids.newId(), ...input };
      if (!(await store.putSubscription(id, subscription))) throw notFound(id);
      return subscription.id;
    },

    async putSubscription(id, subscriptionId, body) {
      const record = await require(id);
      const input = parseSubscription(body, record.name, true);
      if (!(await store.putSubscription(id, { id: subscriptionId, ...input }))) throw notFound(id);
      return subscriptionId;
    },

    async deleteSubscription(id, subscriptionId) {
      if (!(await store.deleteSubscription(id, subscriptionId))) throw notFound(id);
    },

    async appendLogs(body) {
      const entries = parseLogEntries(body, keptnTime(clock.nowMs()));
      await store.appendLogs(entries);
      return entries.length;
    },

    queryLogs(query) {
      return store.queryLogs(query);
    },

    deleteLogs(query) {
      return store.deleteLogs(query);
    },

    async sweepExpired() {
      const nowMs = clock.nowMs();
      const integrations =
        options.integrationTtlMs > 0 ? await store.deleteIntegrationsSeenBefore(keptnTime(nowMs - options.integrationTtlMs)) : 0;
      const logs = options.logTtlMs > 0 ? await store.deleteLogs({ beforeTime: keptnTime(nowMs - options.logTtlMs - 1) }) : 0;
      return { integrations, logs };
    },
  };
}
