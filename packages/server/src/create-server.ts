/**
 * Builds the control-plane server: wires store, orchestrator, event processor and intake, and
 * registers every route on a Fastify instance (testable in-process with `app.inject`).
 */
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import { resolveHost } from './projects/resolve-host.js';
import {
  ErrorCode,
  InputError,
  UnavailableError,
  createIntegrationRegistry,
  createSecretCipher,
  createSecretService,
  createTaskSecretReader,
  DEFAULT_SECRET_SCOPE,
  KEPTN_SECRET_SCOPES,
  createTaskDelivery,
  createTaskWaiters,
  createParkedHeartbeats,
  createQuietPolls,
  createLiveSubscriberIndex,
  deferHeartbeatWrites,
  createUnservedTaskNotes,
  wakeOnEmitted,
  createEventProcessor,
  createOrchestrator,
  createStoreConfigurationSource,
  KeyedMutex,
  keptnTime,
  parkedHeartbeatMs,
  systemClock,
  uuidGenerator,
  SLI_PROVIDER_CONFIG_URI,
  sliProviderConfigYaml,
  createLocalNoticeBus,
  emittedStubs,
  processClaims,
} from '@shipmate/core';
import type {
  ControlPlaneStore,
  EventProcessor,
  IntegrationRegistryStore,
  RegistrySweepResult,
  SecretCipher,
  SecretStore,
  TaskLeaseStore,
  TaskWaiters,
  ApiTokenStore,
  StepClaims,
} from '@shipmate/core';
import { createTokenVerifier } from './auth/token-verifier.js';
import { followOtherReplicas } from './replicas/follow-other-replicas.js';
import { announceUpstreamChanges } from './replicas/announce-upstream.js';
import { countedNoticeBus } from './replicas/counted-notice-bus.js';
import { registerAuth } from './auth/register-auth.js';
import { createAuthFailureLimiter } from './auth/auth-failure-limiter.js';
import { createApiTokenRegistry } from './auth/api-token-registry.js';
import { createIntegrationOwners } from './auth/integration-owners.js';
import { closeSilentConnections, httpLimits } from './http/http-limits.js';
import { checkServerTls, httpsServerOptions } from './http/tls.js';
import { defaultBodyLimit, frameworkErrorHandler, keptnErrorHandler } from './http/keptn-error.js';
import { checkBodyDepth, DEFAULT_MAX_EVENT_DEPTH } from './http/body-depth.js';
import { isDelete, useJsonParser } from './http/json-body-parser.js';
import { createEventIntake } from './intake/event-intake.js';
import { createAnswerWaiters } from './intake/answer-waiters.js';
import { createServerMetrics } from './metrics/server-metrics.js';
import { DebugAccessLogController } from './logging/access-log-controller.js';
import { lazyRequestLogger } from './logging/lazy-request-logger.js';
import { logDeliveryTo } from './logging/delivery-log.js';
import { createProjectService } from './projects/project-service.js';
import { gitProjectConfig, storeProjectConfig } from './projects/project-config.js';
import { bootstrapRepositories } from './projects/bootstrap-repositories.js';
import { createResourceService } from './resources/resource-service.js';
import { registerRoutes } from './routes/register-routes.js';
import { registerSwaggerUiRoutes } from './routes/swagger-ui-routes.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createChangeFeed } from './changes/change-feed.js';
import type { ChangeFeed } from './changes/change-feed.js';
import { announceChanges } from './changes/announced-change-feed.js';
import type { ServerContext } from './server-context.js';
import type { ResolvedServerOptions, ServerOptions } from './server-options.js';
import { SHIPMATE_VERSION } from './version.js';

/** A built control-plane server. */
export interface ControlPlaneServer {
  readonly app: FastifyInstance;
  readonly processor: EventProcessor;
  readonly options: ResolvedServerOptions;
  /** Parked agent long polls (tests and benchmarks look at `size`). */
  readonly waiters: TaskWaiters;
  /** Seals and opens secret blobs with the server's secret key (e.g. project git credentials). */
  readonly secretCipher: SecretCipher;
  /** What the web UI's change streams hear: the changes made through this replica and the others. */
  readonly liveViews: Pick<ChangeFeed, 'subscribe'>;
  /** Starts the orchestrator (resuming stored work) and listens; returns the URL. */
  listen(host: string, port: number): Promise<string>;
  /** Stops accepting requests, lets the running step finish, stops timers. */
  close(): Promise<void>;
  /** Deletes events older than the retention now; returns how many went (0 when retention is off). */
  sweepEventRetention(): Promise<number>;
  /** Removes registrations past `integrationTtlMs` and logs past `logTtlMs` now; returns the counts. */
  sweepExpiredIntegrations(): Promise<RegistrySweepResult>;
  /** Forgets task leases of instances that went away, once their task is closed; returns how many went. */
  sweepOrphanLeases(): Promise<number>;
}

function isRegistryStore(store: ControlPlaneStore): store is ControlPlaneStore & IntegrationRegistryStore {
  return typeof (store as Partial<IntegrationRegistryStore>).saveRegistration === 'function';
}

function isLeaseStore(store: ControlPlaneStore): store is ControlPlaneStore & TaskLeaseStore {
  return typeof (store as Partial<TaskLeaseStore>).claimLease === 'function';
}

function isSecretStore(store: ControlPlaneStore): store is ControlPlaneStore & SecretStore {
  return typeof (store as Partial<SecretStore>).insertSecret === 'function';
}

function apiTokensOf(store: ControlPlaneStore): ApiTokenStore | undefined {
  return typeof (store as Partial<ApiTokenStore>).insertApiToken === 'function' ? (store as ControlPlaneStore & ApiTokenStore) : undefined;
}

/** Stands in for a store without the API token port: nothing stored, creating a token says why. */
const NO_API_TOKEN_STORE: ApiTokenStore = {
  insertApiToken: () =>
    Promise.reject(
      new UnavailableError(ErrorCode.storeUnavailable, 'this store does not keep API tokens; run the server with the SQLite store'),
    ),
  listApiTokens: () => Promise.resolve([]),
  revokeApiToken: () => Promise.resolve(false),
  touchApiToken: () => Promise.resolve(),
};

function secretsOf(store: ControlPlaneStore): SecretStore {
  if (isSecretStore(store)) return store;
  throw new InputError(ErrorCode.invalidField, 'the store does not implement the secret port; pass options.secrets');
}

function secretScopes(scopes: readonly string[]): readonly string[] {
  if (!scopes.includes(DEFAULT_SECRET_SCOPE))
    throw new InputError(ErrorCode.invalidField, `secretScopes must include '${DEFAULT_SECRET_SCOPE}', got ${scopes.join(', ')}`);
  return Object.freeze([...new Set(scopes)]);
}

function leasesOf(store: ControlPlaneStore): TaskLeaseStore {
  if (isLeaseStore(store)) return store;
  throw new InputError(ErrorCode.invalidField, 'the store does not implement the task lease port; pass options.leases');
}

/**
 * How often the only replica writes its agents' heartbeats: every minute, and four times within a
 * registration TTL shorter than 4 minutes (but not more than once a second), so that the sweep
 * after a crash finds the heartbeats of instances that were still polling recent enough.
 */
function heartbeatWriteMs(integrationTtlMs: number): number {
  return integrationTtlMs > 0 ? Math.max(1_000, Math.min(60_000, integrationTtlMs / 4)) : 60_000;
}

function positive(value: number, name: string, unit = 'milliseconds', example = '5000'): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new InputError(ErrorCode.invalidField, `${name} must be a number of ${unit} > 0, got ${value}; e.g. ${example}`);
  return value;
}

function wholeNumber(value: number, name: string, min: number, example: string): number {
  if (!Number.isInteger(value) || value < min)
    throw new InputError(ErrorCode.invalidField, `${name} must be a whole number >= ${min}, got ${value}; e.g. ${example}`);
  return value;
}

/** Applies defaults once. */
export function resolveServerOptions(options: ServerOptions): ResolvedServerOptions {
  return Object.freeze({
    store: options.store,
    registry: options.registry ?? registryOf(options.store),
    leases: options.leases ?? leasesOf(options.store),
    secrets: options.secrets ?? secretsOf(options.store),
    apiTokens: options.apiTokens ?? apiTokensOf(options.store),
    secretKey: options.secretKey ?? randomBytes(32),
    previousSecretKey: options.previousSecretKey,
    secretScopes: secretScopes(options.secretScopes ?? KEPTN_SECRET_SCOPES),
    leaseMs: positive(options.leaseMs ?? 30 * 1000, 'leaseMs'),
    heartbeatIntervalMs: positive(options.heartbeatIntervalMs ?? 5000, 'heartbeatIntervalMs'),
    integrationTtlMs: options.integrationTtlMs ?? 48 * 3600 * 1000,
    logTtlMs: options.logTtlMs ?? 120 * 3600 * 1000,
    registrySweepIntervalMs: positive(options.registrySweepIntervalMs ?? 60 * 1000, 'registrySweepIntervalMs'),
    apiTokenSha256: options.apiTokenSha256,
    builtInTokenSha256: options.builtInTokenSha256,
    resources: options.resources,
    upstream: options.upstream,
    remoteUrlDenylist: options.remoteUrlDenylist ?? [],
    upstreamHosts: Object.freeze({
      allowFile: options.upstreamHosts?.allowFile ?? false,
      allowLoopback: options.upstreamHosts?.allowLoopback ?? false,
    }),
    resolveHost: options.resolveHost ?? resolveHost,
    configuration: options.configuration ?? options.resources ?? createStoreConfigurationSource(options.store),
    maxResourceBytes: positive(options.maxResourceBytes ?? 10 * 1024 * 1024, 'maxResourceBytes', 'bytes', '10485760'),
    clock: options.clock ?? systemClock,
    ids: options.ids ?? uuidGenerator,
    maxBodyBytes: options.maxBodyBytes ?? 64 * 1024,
    maxEventDepth: wholeNumber(options.maxEventDepth ?? DEFAULT_MAX_EVENT_DEPTH, 'maxEventDepth', 2, '64'),
    taskStartedWaitMs: options.taskStartedWaitMs ?? 10 * 60 * 1000,
    validateEvents: options.validateEvents ?? true,
    projectNameMaxLength: options.projectNameMaxLength ?? 200,
    serviceNameMaxLength: options.serviceNameMaxLength ?? 43,
    eventRetentionMs: options.eventRetentionMs ?? 30 * 24 * 3600 * 1000,
    retentionIntervalMs: options.retentionIntervalMs ?? 3600 * 1000,
    logger: options.logger ?? false,
    version: options.version ?? SHIPMATE_VERSION,
    namespace: options.namespace ?? 'shipmate',
    authFailureLimit: positive(options.authFailureLimit ?? 20, 'authFailureLimit', 'failures', '20'),
    authFailureWindowMs: positive(options.authFailureWindowMs ?? 60 * 1000, 'authFailureWindowMs'),
    headersTimeoutMs: positive(options.headersTimeoutMs ?? 10 * 1000, 'headersTimeoutMs'),
    requestTimeoutMs: positive(options.requestTimeoutMs ?? 30 * 1000, 'requestTimeoutMs'),
    keepAliveTimeoutMs: positive(options.keepAliveTimeoutMs ?? 65 * 1000, 'keepAliveTimeoutMs'),
    maxConnections: positive(options.maxConnections ?? 4096, 'maxConnections', 'connections', '4096'),
    trustProxy: options.trustProxy ?? false,
    metricsPublic: options.metricsPublic ?? false,
    tls: options.tls ? checkServerTls(options.tls) : undefined,
    claims: options.claims ?? claimsOf(options.store),
    notices: options.notices ?? createLocalNoticeBus(),
    registryRefreshMs: positive(options.registryRefreshMs ?? 5000, 'registryRefreshMs'),
    onEmitted: options.onEmitted,
    webRoot: options.webRoot,
    changeCoalesceMs: positive(options.changeCoalesceMs ?? 200, 'changeCoalesceMs'),
  });
}

/** The store's claims when it has its own (a store shared by replicas), else one process's. */
function claimsOf(store: ControlPlaneStore): StepClaims {
  const claims = (store as { claims?: StepClaims }).claims;
  return claims ?? processClaims;
}

function registryOf(store: ControlPlaneStore): IntegrationRegistryStore {
  if (isRegistryStore(store)) return store;
  throw new InputError(ErrorCode.invalidField, 'the store does not implement the integration registry port; pass options.registry');
}

/** Builds the server; call `listen` (or `app.ready()` for in-process tests). */
export async function createControlPlaneServer(input: ServerOptions): Promise<ControlPlaneServer> {
  const options = resolveServerOptions(input);
  const { store, clock, ids } = options;
  const app = Fastify({
    bodyLimit: options.maxBodyBytes,
    logger: options.logger,
    ...httpLimits(options),
    // HTTPS when a certificate is given (SHIPMATE_TLS_CERT_FILE); node:https is a node:http server underneath.
    ...(options.tls ? { https: httpsServerOptions(options.tls, options) } : {}),
    // Whose X-Forwarded-For names the client (the failed-authentication limit counts per client).
    trustProxy: typeof options.trustProxy === 'boolean' ? options.trustProxy : [...options.trustProxy],
    frameworkErrors: frameworkErrorHandler,
    // Access lines go out at debug: at info the log follows deliveries.
    logController: new DebugAccessLogController(),
    childLoggerFactory: lazyRequestLogger,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  });
  // Route schemas document the API (OpenAPI) and validate input; responses are plain JSON so
  // that no field a client relies on is ever dropped by a response schema.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.setErrorHandler(keptnErrorHandler(defaultBodyLimit(options.maxBodyBytes)));
  useJsonParser(app, isDelete);
  /** One info line per sequence and task step (logging/delivery-log.ts). */
  const logDelivery = logDeliveryTo(app.log);
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send({ code: 404, message: `no route for ${request.method} ${request.url.split('?')[0]}`, errorCode: 'ERR_ROUTE_NOT_FOUND' });
  });

  // The registry as the server uses it: writes also keep the in-memory index of live subscribers current.
  /** Whether there are other replicas to tell (the hot paths skip building notices for nobody). */
  const announcing = options.notices.kind !== 'local';
  // With other replicas, every notice is counted for /metrics (shipmate_replica_notices_total);
  // `metrics` exists before any notice moves.
  const notices = announcing
    ? countedNoticeBus(options.notices, (kind, direction) => metrics.replicaNotice(kind, direction))
    : options.notices;
  const subscribers = createLiveSubscriberIndex({
    store: options.registry,
    clock,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    onChanged: (integrationId) => notices.publish({ kind: 'registry', ...(integrationId === undefined ? {} : { integrationId }) }),
  });
  await subscribers.load();
  // The only replica on its store writes the heartbeats of its agents in bulk (deferred-heartbeats.ts);
  // with other replicas the store is how they see them, so each is written as it comes.
  const deferredHeartbeats = options.claims.shared
    ? undefined
    : deferHeartbeatWrites({
        store: subscribers.store,
        copy: subscribers,
        writeEveryMs: heartbeatWriteMs(options.integrationTtlMs),
        onError: (error) => app.log.error({ err: error }, 'writing the heartbeats of agent instances failed; retrying with the next write'),
      });
  const registryStore = deferredHeartbeats?.store ?? subscribers.store;
  const orchestrator = createOrchestrator({
    store,
    configuration: options.configuration,
    clock,
    ids,
    taskStartedWaitMs: options.taskStartedWaitMs,
    // A task no live integration subscribes to is noted in the sequence state by the step that triggers it.
    taskHasLiveSubscriber: (task) => subscribers.hasLiveSubscriber(task),
  });
  const waiters = createTaskWaiters();
  const metrics = createServerMetrics({
    store,
    clock,
    registered: () => subscribers.registered(),
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    parkedPolls: () => waiters.size,
    upstream: options.upstream,
  });
  const unserved = createUnservedTaskNotes({ store });
  // "Something changed" for the web UI's live views (GET /api/shipmate/v1/changes): `liveViews`
  // hears every replica's changes; what is written here is noted through `changes`, which also
  // announces it to the other replicas.
  const liveViews = createChangeFeed({ coalesceMs: options.changeCoalesceMs });
  const changes = announcing ? announceChanges(liveViews, notices, { coalesceMs: options.changeCoalesceMs }) : liveViews;
  const processor = createEventProcessor({
    store,
    orchestrator,
    clock,
    // New task .triggered events (and aborted sequences) wake the agents' long polls.
    onEmitted: (events) => {
      wakeOnEmitted(waiters, events);
      const stubs = announcing ? emittedStubs(events) : [];
      if (stubs.length > 0) notices.publish({ kind: 'emitted', events: stubs });
      metrics.emitted(events);
      for (const event of events) logDelivery(event);
      changes.changedBy(events);
      options.onEmitted?.(events);
    },
    onError: (error, what) => app.log.error({ err: error }, `orchestrator step failed: ${what}`),
    claims: options.claims,
  });
  // Changes of a project's upstream settings are announced to the other replicas.
  const upstream = options.upstream && announceUpstreamChanges(options.upstream, notices);
  const answers = createAnswerWaiters();
  const intake = createEventIntake({
    onStored: (event) => {
      logDelivery(event);
      answers.stored(event);
      if (announcing && event.triggeredid && event.type.endsWith('.finished'))
        notices.publish({ kind: 'answer', project: String(event.data.project ?? ''), triggeredId: event.triggeredid, eventId: event.id });
      metrics.stored(event);
      changes.changedBy([event]);
    },
    store,
    processor,
    ids,
    clock,
    validateEvents: options.validateEvents,
    // Before a trigger is stored: pull the upstream (so the pinned commit has its commits) unless the
    // trigger names its commit, then read and parse the shipyard at that commit into the orchestrator's
    // cache, so no git read or YAML parse happens inside the serialised step.
    beforeSequenceStart: async (start) => {
      if (upstream && !start.commit) await upstream.pull(start.project);
      await orchestrator.prepareStart(start.project, start.stage, start.commit);
    },
    ...(options.resources
      ? {
          configureMonitoring: async (project: string, provider: string) => {
            const content = Buffer.from(sliProviderConfigYaml(provider));
            await options.resources?.putResources({ project }, [{ uri: SLI_PROVIDER_CONFIG_URI, content }]);
          },
        }
      : {}),
  });
  const locks = new KeyedMutex();
  const projects = createProjectService({
    store,
    intake,
    clock,
    ids,
    locks,
    config: options.resources ? gitProjectConfig(options.resources) : storeProjectConfig(store),
    ...(upstream ? { upstream } : {}),
    remoteUrlDenylist: options.remoteUrlDenylist,
    upstreamHosts: options.upstreamHosts,
    resolveHost: options.resolveHost,
    projectNameMaxLength: options.projectNameMaxLength,
    serviceNameMaxLength: options.serviceNameMaxLength,
  });
  const registry = createIntegrationRegistry({
    store: registryStore,
    clock,
    ids,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    integrationTtlMs: options.integrationTtlMs,
    logTtlMs: options.logTtlMs,
  });
  const delivery = createTaskDelivery({
    events: store,
    registry: registryStore,
    // Every look reads the integration and the instance from the index's copy, not the store.
    registered: subscribers,
    leases: options.leases,
    clock,
    leaseMs: options.leaseMs,
    // A task given to an agent has a live subscriber after all: its note goes. Run between steps,
    // so no step overwrites the change with a view it read before; the note is advisory, failures are logged.
    onLeased: (tasks) =>
      void processor
        .exclusive(() => unserved.served(tasks))
        .then(() => changes.changedBy(tasks))
        .catch((error: unknown) => app.log.error({ err: error }, 'clearing notes of leased tasks failed')),
  });
  const heartbeats = createParkedHeartbeats({
    renew: (instances) => delivery.renewHeartbeats(instances),
    tickMs: options.heartbeatIntervalMs,
    renewEveryMs: parkedHeartbeatMs(options.heartbeatIntervalMs),
    onError: (error) => app.log.error({ err: error }, 'renewing the heartbeats of parked long polls failed; retrying on the next tick'),
  });
  const secretCipher = createSecretCipher(options.secretKey, options.previousSecretKey);
  const secrets = createSecretService({ store: options.secrets, cipher: secretCipher, scopes: options.secretScopes });
  // A key that does not open the stored secrets stops the start here; a previous key is rotated out.
  const resealed = await secrets.rotateKeys();
  if (resealed > 0) app.log.info(`secret key rotation re-encrypted ${resealed} secrets with the key of id ${secretCipher.keyId}`);
  const taskSecrets = createTaskSecretReader({ registry: options.registry, leases: options.leases, events: store, secrets, clock });
  const apiTokens = createApiTokenRegistry({
    store: options.apiTokens ?? NO_API_TOKEN_STORE,
    clock,
    ids,
    onError: (error) => app.log.warn({ err: error }, 'recording the last use of an API token failed'),
    onChanged: () => notices.publish({ kind: 'tokens' }),
  });
  await apiTokens.load();
  const owners = createIntegrationOwners({
    leases: options.leases,
    events: options.store,
    clock,
    onBound: (integrationId, instanceId, owner) =>
      notices.publish({ kind: 'owner', integrationId, owner, ...(instanceId === undefined ? {} : { instanceId }) }),
  });
  const stopFollowing = followOtherReplicas({
    notices,
    store,
    waiters,
    subscribers,
    apiTokens,
    owners,
    answers,
    upstream: options.upstream,
    changes: liveViews,
    claims: options.claims,
    registryRefreshMs: options.registryRefreshMs,
    onError: (error, what) => app.log.warn({ err: error }, what),
  });
  // Open change streams end before the server waits for its connections to close.
  app.addHook('preClose', (done) => {
    changes.close();
    done();
  });
  const context: ServerContext = {
    options,
    answers,
    store,
    processor,
    intake,
    projects,
    registry,
    delivery,
    waiters,
    heartbeats,
    // One process only: with replicas, a replica killed between its commit and its notice leaves a
    // task no poll elsewhere was woken for, and only a look finds it (docs/architecture.md).
    quietPolls: options.notices.kind === 'local' ? createQuietPolls() : undefined,
    tokens: createTokenVerifier(options.apiTokenSha256, ...(options.builtInTokenSha256 ? [options.builtInTokenSha256] : [])),
    resources: options.resources
      ? createResourceService({
          resources: options.resources,
          projects,
          locks,
          maxResourceBytes: options.maxResourceBytes,
          upstreamURL: (project) => options.upstream?.status(project)?.remoteURL ?? '',
        })
      : undefined,
    secrets,
    taskSecrets,
    secretCipher,
    metrics,
    apiTokens,
    changes,
  };

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Shipmate control plane API',
        version: options.version,
        description: "Keptn v1-compatible API of Shipmate's control plane",
      },
      components: { securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'x-token' } } },
      security: [{ key: [] }],
    },
  });
  registerAuth(app, {
    tokens: context.tokens,
    failures: createAuthFailureLimiter({ clock, maxFailures: options.authFailureLimit, windowMs: options.authFailureWindowMs }),
    apiTokens,
    owners,
  });
  // One check for every JSON route, after the token check and before schema validation and handlers.
  app.addHook('preValidation', async (request) => {
    if (request.body !== null && typeof request.body === 'object') checkBodyDepth(request.body, options.maxEventDepth);
  });
  await registerSwaggerUiRoutes(app);
  await app.register(async (scoped) => registerRoutes(scoped.withTypeProvider<TypeBoxTypeProvider>(), context));

  let retentionTimer: NodeJS.Timeout | undefined;
  async function sweepEventRetention(): Promise<number> {
    if (options.eventRetentionMs <= 0) return 0;
    const cutoff = keptnTime(clock.nowMs() - options.eventRetentionMs);
    const count = await store.deleteEventsBefore(cutoff);
    if (count > 0) app.log.info(`event retention removed ${count} events older than ${cutoff}`);
    return count;
  }
  function startRetention(): void {
    if (options.eventRetentionMs <= 0) return;
    const sweep = () => void sweepEventRetention().catch((error: unknown) => app.log.error({ err: error }, 'event retention failed'));
    sweep();
    retentionTimer = setInterval(sweep, options.retentionIntervalMs);
    retentionTimer.unref();
  }

  let registryTimer: NodeJS.Timeout | undefined;
  async function sweepExpiredIntegrations(): Promise<RegistrySweepResult> {
    const result = await registry.sweepExpired();
    if (result.integrations > 0 || result.logs > 0) {
      app.log.info(`registry sweep removed ${result.integrations} expired integrations and ${result.logs} log entries`);
    }
    return result;
  }
  async function sweepOrphanLeases(): Promise<number> {
    const removed = await delivery.sweepLeases();
    if (removed > 0) app.log.info(`lease sweep removed ${removed} leases of instances that went away`);
    return removed;
  }
  function startRegistrySweep(): void {
    const sweep = () =>
      void sweepExpiredIntegrations()
        .then(sweepOrphanLeases)
        .catch((error: unknown) => app.log.error({ err: error }, 'registry sweep failed'));
    sweep();
    registryTimer = setInterval(sweep, options.registrySweepIntervalMs);
    registryTimer.unref();
  }

  return {
    app,
    processor,
    options,
    waiters,
    secretCipher,
    liveViews,
    sweepEventRetention,
    sweepExpiredIntegrations,
    sweepOrphanLeases,
    async listen(host, port) {
      if (options.resources) {
        const created = await bootstrapRepositories(store, options.resources);
        if (created.length > 0) app.log.info(`created configuration repositories for projects that had none: ${created.join(', ')}`);
      }
      await processor.start();
      startRetention();
      startRegistrySweep();
      closeSilentConnections(app.server, options.headersTimeoutMs);
      const url = await app.listen({ host, port });
      app.server.maxConnections = options.maxConnections;
      return url;
    },
    async close() {
      stopFollowing();
      if (retentionTimer) clearInterval(retentionTimer);
      if (registryTimer) clearInterval(registryTimer);
      // Parked long polls answer (empty) at once instead of holding the close.
      waiters.close();
      heartbeats.close();
      await app.close();
      await deferredHeartbeats
        ?.close()
        .catch((error: unknown) => app.log.error({ err: error }, 'writing the heartbeats of agent instances on shutdown failed'));
      await processor.stop();
      await options.upstream?.close();
    },
  };
}
