/**
 * Keptn's registration and subscription rules as pure functions (control-plane.md §3.11,
 * execution-plane.md §2.2), and the parsing of the register body with Shipmate's extension
 * `metadata.shipmate` (docs/keptn-compatibility.md, "Integration registry").
 */
import { createHash } from 'node:crypto';
import { ErrorCode } from '../errors/error-codes.js';
import { InputError } from '../errors/errors.js';
import type { IdGenerator } from '../ports/id-generator.js';
import { DEFAULT_LOCATION } from './integration.js';
import type { EventSubscription, InstanceRecord, IntegrationRecord, SubscriptionFilter } from './integration.js';

/** The integration Keptn's `webhook-service` rule applies to. */
export const WEBHOOK_SERVICE = 'webhook-service';

/** A subscription as a client sends it: no id yet (or one that is ignored). */
export interface SubscriptionInput {
  event: string;
  filter: SubscriptionFilter;
}

/** A parsed and validated register body. */
export interface RegistrationInput {
  name: string;
  namespace: string;
  hostname: string;
  podname: string;
  deploymentname: string;
  location: string;
  integrationversion: string;
  distributorversion: string;
  subscriptions: SubscriptionInput[];
  /** The instance's own filters: `metadata.shipmate.filters`, else the filter all subscriptions share. */
  instanceFilters: SubscriptionFilter;
}

/** What a registration changes. */
export interface RegistrationPlan {
  /** True for a new integration (201), false when an existing one is reused (200). */
  created: boolean;
  integration: IntegrationRecord;
  /** Duplicates (same name and namespace) merged into `integration`; delete them. */
  removeIds: string[];
  instance: InstanceRecord;
}

const EMPTY_FILTER: SubscriptionFilter = { projects: [], stages: [], services: [] };

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** Keptn's integration id: hex sha1 of `name-namespace-hostname`. */
export function integrationIdOf(name: string, namespace: string, hostname: string): string {
  return sha1(`${name}-${namespace}-${hostname}`);
}

/** Shipmate's instance id: hex sha1 of the integration id, podname (or hostname) and location. */
export function instanceIdOf(integrationId: string, podnameOrHostname: string, location: string): string {
  return sha1(`${integrationId}\n${podnameOrHostname}\n${location}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string')
    throw new InputError(ErrorCode.invalidField, `field '${field}' must be a string, got ${JSON.stringify(value)}`);
  return value;
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new InputError(ErrorCode.invalidField, `field '${field}' must be an object, got ${JSON.stringify(value)}`);
  return value;
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new InputError(
      ErrorCode.invalidSubscription,
      `field '${field}' must be a list of strings, e.g. ["dev", "staging"]; got ${JSON.stringify(value)}`,
    );
  }
  return (value as string[]).filter((item) => item !== '');
}

/** Reads a Keptn `filter` object; missing or null lists become `[]` (all). */
export function parseFilter(value: unknown, field: string): SubscriptionFilter {
  const filter = object(value, field);
  return {
    projects: stringList(filter.projects, `${field}.projects`),
    stages: stringList(filter.stages, `${field}.stages`),
    services: stringList(filter.services, `${field}.services`),
  };
}

/**
 * Validates one subscription by Keptn's rules: `event` is required; a services filter needs a
 * stages filter; an integration named `webhook-service` needs exactly one project (checked only
 * when `checkWebhookRule`, as Keptn does on register and PUT but not on POST).
 */
export function parseSubscription(
  value: unknown,
  integrationName: string,
  checkWebhookRule: boolean,
  field = 'subscription',
): SubscriptionInput {
  if (!isObject(value))
    throw new InputError(ErrorCode.invalidSubscription, `${field} must be an object {event, filter}, got ${JSON.stringify(value)}`);
  const event = text(value.event, `${field}.event`);
  if (event.trim() === '') {
    throw new InputError(
      ErrorCode.invalidSubscription,
      `${field}: 'event' is required: the event type to subscribe to, e.g. sh.keptn.event.deployment.triggered`,
    );
  }
  const filter = parseFilter(value.filter, `${field}.filter`);
  if (filter.services.length > 0 && filter.stages.length === 0) {
    throw new InputError(
      ErrorCode.invalidSubscription,
      `${field}: filter.services [${filter.services.join(', ')}] needs filter.stages too (a service exists per stage); add the stages, e.g. "stages": ["dev"]`,
    );
  }
  if (checkWebhookRule && integrationName === WEBHOOK_SERVICE && filter.projects.length !== 1) {
    throw new InputError(
      ErrorCode.invalidSubscription,
      `${field}: a subscription of '${WEBHOOK_SERVICE}' needs exactly one project in filter.projects, got ${filter.projects.length}; webhooks are configured per project`,
    );
  }
  return { event, filter };
}

function sameFilter(a: SubscriptionFilter, b: SubscriptionFilter): boolean {
  const same = (x: string[], y: string[]) => x.length === y.length && x.every((item, i) => item === y[i]);
  return same(a.projects, b.projects) && same(a.stages, b.stages) && same(a.services, b.services);
}

/** Parses and validates a register body (Keptn's `Integration` plus `metadata.shipmate`). */
export function parseRegistration(body: unknown): RegistrationInput {
  if (!isObject(body))
    throw new InputError(
      ErrorCode.invalidField,
      `the registration must be a JSON object (Keptn's Integration), got ${JSON.stringify(body)}`,
    );
  const name = text(body.name, 'name');
  const metadata = object(body.metadata, 'metadata');
  const kubernetes = object(metadata.kubernetesmetadata, 'metadata.kubernetesmetadata');
  const namespace = text(kubernetes.namespace, 'metadata.kubernetesmetadata.namespace');
  const hostname = text(metadata.hostname, 'metadata.hostname');
  const missing = [
    name === '' ? 'name (K8S_DEPLOYMENT_NAME)' : undefined,
    namespace === '' ? 'metadata.kubernetesmetadata.namespace (K8S_NAMESPACE)' : undefined,
    hostname === '' ? 'metadata.hostname (K8S_NODE_NAME)' : undefined,
  ].filter((m): m is string => m !== undefined);
  if (missing.length > 0) {
    throw new InputError(
      ErrorCode.missingField,
      `incomplete integration ID: ${missing.join(', ')} must not be empty; set them in the integration's environment`,
    );
  }
  const rawSubscriptions = body.subscriptions ?? [];
  if (!Array.isArray(rawSubscriptions))
    throw new InputError(
      ErrorCode.invalidSubscription,
      `field 'subscriptions' must be a list of {event, filter}, got ${JSON.stringify(rawSubscriptions)}`,
    );
  const subscriptions = rawSubscriptions.map((s, i) => parseSubscription(s, name, true, `subscriptions[${i}]`));
  const extension = object(metadata.shipmate, 'metadata.shipmate');
  const first = subscriptions[0];
  const shared = first !== undefined && subscriptions.every((s) => sameFilter(s.filter, first.filter)) ? first.filter : EMPTY_FILTER;
  const instanceFilters =
    extension.filters === undefined || extension.filters === null ? shared : parseFilter(extension.filters, 'metadata.shipmate.filters');
  return {
    name,
    namespace,
    hostname,
    podname: text(kubernetes.podname, 'metadata.kubernetesmetadata.podname'),
    deploymentname: text(kubernetes.deploymentname, 'metadata.kubernetesmetadata.deploymentname'),
    location: text(metadata.location, 'metadata.location') || DEFAULT_LOCATION,
    integrationversion: text(metadata.integrationversion, 'metadata.integrationversion'),
    distributorversion: text(metadata.distributorversion, 'metadata.distributorversion'),
    subscriptions,
    instanceFilters: { ...instanceFilters },
  };
}

function withIds(subscriptions: readonly SubscriptionInput[], ids: IdGenerator): EventSubscription[] {
  return subscriptions.map((s) => ({ id: ids.newId(), event: s.event, filter: s.filter }));
}

/**
 * Keptn's registration: an integration with the same name and namespace is reused (the one seen
 * most recently; other duplicates are merged into it, subscriptions united by id; it takes the
 * request's subscriptions only if it has none; versions and lastseen are updated, hostname, pod
 * and location are not). Otherwise a new one gets id sha1(`name-namespace-hostname`).
 * `sameName` are the stored integrations with the input's name and namespace.
 */
export function planRegistration(
  input: RegistrationInput,
  sameName: readonly IntegrationRecord[],
  now: string,
  ids: IdGenerator,
): RegistrationPlan {
  const sorted = [...sameName].sort((a, b) =>
    a.metadata.lastseen < b.metadata.lastseen ? 1 : a.metadata.lastseen > b.metadata.lastseen ? -1 : 0,
  );
  const [kept, ...duplicates] = sorted;
  let integration: IntegrationRecord;
  if (kept) {
    const subscriptions = [...kept.subscriptions];
    for (const duplicate of duplicates) {
      for (const subscription of duplicate.subscriptions) {
        if (!subscriptions.some((s) => s.id === subscription.id)) subscriptions.push(subscription);
      }
    }
    integration = {
      ...kept,
      metadata: {
        ...kept.metadata,
        integrationversion: input.integrationversion,
        distributorversion: input.distributorversion,
        lastseen: now,
      },
      subscriptions: subscriptions.length > 0 ? subscriptions : withIds(input.subscriptions, ids),
    };
  } else {
    integration = {
      id: integrationIdOf(input.name, input.namespace, input.hostname),
      name: input.name,
      metadata: {
        hostname: input.hostname,
        integrationversion: input.integrationversion,
        distributorversion: input.distributorversion,
        location: input.location,
        lastseen: now,
        kubernetesmetadata: { namespace: input.namespace, podname: input.podname, deploymentname: input.deploymentname },
      },
      subscriptions: withIds(input.subscriptions, ids),
    };
  }
  const podOrHost = input.podname || input.hostname;
  const instance: InstanceRecord = {
    integrationId: integration.id,
    instanceId: instanceIdOf(integration.id, podOrHost, input.location),
    hostname: input.hostname,
    podname: input.podname,
    location: input.location,
    integrationversion: input.integrationversion,
    distributorversion: input.distributorversion,
    filters: input.instanceFilters,
    lastseen: now,
  };
  return { created: kept === undefined, integration, removeIds: duplicates.map((d) => d.id), instance };
}
