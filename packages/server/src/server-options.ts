import type {
  Clock,
  ConfigUpstream,
  ControlPlaneStore,
  IdGenerator,
  ConfigurationSource,
  IntegrationRegistryStore,
  ResolveHost,
  ResourceStore,
  SecretStore,
  ApiTokenStore,
  KeptnEvent,
  ReplicaNoticeBus,
  TaskLeaseStore,
  UpstreamHostPolicy,
  StepClaims,
} from '@shipmate/core';
import type { ServerTls } from './http/tls.js';

/** Options of the control-plane HTTP server (all but store and token optional). */
export interface ServerOptions {
  store: ControlPlaneStore;
  /** SHA-256 hex of the API token. */
  apiTokenSha256: string;
  /**
   * SHA-256 hex of the token the control plane's own built-in integrations (approval-service, …)
   * use to call the API over loopback; generated per process, never stored. @default none
   */
  builtInTokenSha256?: string;
  /** Integration registry. @default the store, when it implements the registry port (SQLite does) */
  registry?: IntegrationRegistryStore;
  /** Task leases of the delivery to agents. @default the store, when it implements the lease port (SQLite does) */
  leases?: TaskLeaseStore;
  /** Secrets of the secrets API. @default the store, when it implements the secret port (SQLite does) */
  secrets?: SecretStore;
  /** Execution-plane tokens of the token API. @default the store, when it implements the API token port (SQLite does); else none can be created */
  apiTokens?: ApiTokenStore;
  /**
   * AES-256 key (32 bytes) that seals secret values (SHIPMATE_SECRET_KEY or `<data dir>/secret.key`).
   * @default a random key per process: secrets stored with it cannot be read after a restart (tests only)
   */
  secretKey?: Uint8Array;
  /** The key before a rotation (SHIPMATE_SECRET_KEY_PREVIOUS): secrets sealed with it are re-sealed with `secretKey` at start. */
  previousSecretKey?: Uint8Array;
  /** Scopes a secret may have (SHIPMATE_SECRET_SCOPES); must include `keptn-default`. @default Keptn's four default scopes */
  secretScopes?: readonly string[];
  /** How long an agent instance holds a delivered task before `.started` must arrive; then another instance may take it. @default 30000 */
  leaseMs?: number;
  /** Expected heartbeat period of integrations (SHIPMATE_HEARTBEAT_INTERVAL); an instance is offline after 3 missed ones. @default 5000 (the Keptn SDK's ping period) */
  heartbeatIntervalMs?: number;
  /** UNIFORM_INTEGRATION_TTL: registrations without a heartbeat for this long are removed; 0 keeps them. @default 172800000 (48h, Keptn's Helm default) */
  integrationTtlMs?: number;
  /** LOG_TTL: integration error logs older than this are removed; 0 keeps them. @default 432000000 (120h) */
  logTtlMs?: number;
  /** How often the registry sweep (TTL of registrations and logs) runs. @default 60000 (1m) */
  registrySweepIntervalMs?: number;
  /**
   * The configuration repositories (git, one per project): serves the resource API and is where
   * projects, stages and services get their repository, branches and folders. Without it there is
   * no resource API and shipyard versions are kept in the store.
   */
  resources?: ResourceStore;
  /**
   * The upstream mirror of `resources` (pass `resources` already wrapped with `withUpstream`): project
   * `gitCredentials` configure it, GET project shows its status, and a sequence trigger pulls first.
   */
  upstream?: ConfigUpstream;
  /** `gitCredentials.remoteURL` values matching one of these are refused with 422. @default [] */
  remoteUrlDenylist?: readonly RegExp[];
  /**
   * What `gitCredentials.remoteURL` and `gitCredentials.https.proxy.url` may reach; a refusal is 422
   * (SHIPMATE_UPSTREAM_ALLOW_FILE, SHIPMATE_UPSTREAM_ALLOW_LOOPBACK). Give the mirror the same policy.
   * @default { allowFile: false, allowLoopback: false }
   */
  upstreamHosts?: Partial<UpstreamHostPolicy>;
  /** Resolves upstream host names for that check. @default the system resolver (`dns.lookup`, all addresses) */
  resolveHost?: ResolveHost;
  /** Where the orchestrator reads shipyards. @default `resources` when given, else the store */
  configuration?: ConfigurationSource;
  /** Largest decoded file of the resource API (SHIPMATE_MAX_RESOURCE_BYTES). @default 10485760 (10 MiB) */
  maxResourceBytes?: number;
  clock?: Clock;
  ids?: IdGenerator;
  /** Request body limit. @default 65536 (Keptn's MAX_EVENT_SIZE_KB=64) */
  maxBodyBytes?: number;
  /**
   * Deepest nesting of objects and arrays accepted in an event, and in any other JSON request body
   * (SHIPMATE_MAX_EVENT_DEPTH; the body itself is level 1); deeper gets 400 `ERR_BODY_TOO_DEEP`. @default 64
   */
  maxEventDepth?: number;
  /** TASK_STARTED_WAIT_DURATION. @default 600000 (10m) */
  taskStartedWaitMs?: number;
  /** Keptn's EVENT_VALIDATION_ENABLED. @default true */
  validateEvents?: boolean;
  /** @default 200 */
  projectNameMaxLength?: number;
  /** @default 43 */
  serviceNameMaxLength?: number;
  /** Events older than this are deleted; 0 keeps them forever. @default 2592000000 (30 days) */
  eventRetentionMs?: number;
  /** How often retention runs. @default 3600000 (1h) */
  retentionIntervalMs?: number;
  /** Log requests and errors (pino through Fastify). @default false */
  logger?: boolean | { level: string; stream?: NodeJS.WritableStream };
  /** Reported by /api/v1/metadata. @default the package version */
  version?: string;
  /** Reported as `namespace` by /api/v1/metadata. @default 'shipmate' */
  namespace?: string;
  /** Wrong API tokens a client address may send per `authFailureWindowMs` before it gets 429 (SHIPMATE_AUTH_FAILURE_LIMIT). @default 20 */
  authFailureLimit?: number;
  /** The window over which `authFailureLimit` refills. @default 60000 (1m) */
  authFailureWindowMs?: number;
  /** Longest wait for a request's headers (SHIPMATE_HEADERS_TIMEOUT); also closes connections that never send one. @default 10000 */
  headersTimeoutMs?: number;
  /** Longest wait for a whole request, body included (SHIPMATE_REQUEST_TIMEOUT); a long poll's wait for tasks is not part of it. @default 30000 */
  requestTimeoutMs?: number;
  /** How long a kept-alive connection may stay idle between requests (SHIPMATE_KEEPALIVE_TIMEOUT). @default 65000 (above the 60 s idle timeout of most load balancers) */
  keepAliveTimeoutMs?: number;
  /** Open connections at most (SHIPMATE_MAX_CONNECTIONS); further ones are closed at once. Keep it below the process's file descriptor limit. @default 4096 */
  maxConnections?: number;
  /**
   * Which proxies' `X-Forwarded-For` is trusted for the client address (SHIPMATE_TRUST_PROXY;
   * true trusts every proxy, a list trusts those addresses/CIDRs). @default false (the socket's peer is the client)
   */
  trustProxy?: boolean | readonly string[];
  /** `GET /metrics` answers without the API token (SHIPMATE_METRICS_PUBLIC), for scrapers that cannot send one. @default false */
  metricsPublic?: boolean;
  /**
   * Serve HTTPS with this certificate and key (SHIPMATE_TLS_CERT_FILE, SHIPMATE_TLS_KEY_FILE); a
   * pair that does not fit is refused at build time. @default none: plain HTTP
   */
  tls?: ServerTls;
  /**
   * Claims of orchestrator steps across replicas (ports/step-claims.ts).
   * @default the store's own when it has them (PostgreSQL: advisory locks), else one process
   */
  claims?: StepClaims;
  /**
   * Tells the other control-plane replicas what this one changed, and hears theirs
   * (ports/replica-notices.ts): PostgreSQL LISTEN/NOTIFY on the store's database, or NATS (`--bus`,
   * SHIPMATE_BUS_URL, docs/nats.md). @default none: a single replica
   */
  notices?: ReplicaNoticeBus;
  /**
   * With shared claims: how often the registry copy is re-read for the heartbeats other replicas
   * record. @default 5000
   */
  registryRefreshMs?: number;
  /**
   * Called with the events each orchestrator step emitted, after they were committed (e.g. the
   * JetStream task publisher of bus-nats, docs/nats.md); must not throw. @default none
   */
  onEmitted?: (events: readonly KeptnEvent[]) => void;
  /**
   * Directory of the built web UI (apps/web's `dist`: `index.html` and `assets/`), served without a
   * token at `/bridge` (Keptn's path; `/` redirects there); `shipmate server` passes the build beside
   * the CLI. Read at request time, so a rebuild needs no restart. @default none: `/bridge` answers 404
   * saying this server has no web UI
   */
  webRoot?: string;
  /**
   * How long `GET /api/shipmate/v1/changes` (the UI's live updates) gathers changes before it tells
   * its clients, so that a burst of events becomes one message. @default 200
   */
  changeCoalesceMs?: number;
}

/** Options with every default applied. */
export interface ResolvedServerOptions extends Readonly<
  Required<
    Omit<
      ServerOptions,
      | 'builtInTokenSha256'
      | 'configuration'
      | 'registry'
      | 'leases'
      | 'resources'
      | 'secrets'
      | 'previousSecretKey'
      | 'upstream'
      | 'upstreamHosts'
      | 'apiTokens'
      | 'tls'
      | 'onEmitted'
      | 'webRoot'
    >
  >
> {
  readonly upstreamHosts: UpstreamHostPolicy;
  readonly upstream: ConfigUpstream | undefined;
  readonly builtInTokenSha256: string | undefined;
  readonly configuration: ConfigurationSource;
  readonly resources: ResourceStore | undefined;
  readonly secrets: SecretStore;
  readonly previousSecretKey: Uint8Array | undefined;
  readonly registry: IntegrationRegistryStore;
  readonly leases: TaskLeaseStore;
  readonly apiTokens: ApiTokenStore | undefined;
  readonly tls: ServerTls | undefined;
  readonly onEmitted: ((events: readonly KeptnEvent[]) => void) | undefined;
  readonly webRoot: string | undefined;
}
