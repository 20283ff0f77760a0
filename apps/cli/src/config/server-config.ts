/**
 * Configuration of `shipmate server`: defaults < environment < flags, resolved once into a frozen
 * object. Every variable is listed in docs/configuration.md and the README.
 */
import { ConfigError } from './config-error.js';
import { DEFAULT_SECRET_SCOPE, KEPTN_SECRET_SCOPES, validateSecretName } from '@shipmate/core';
import { booleanValue, durationValue, integerValue, listValue } from './env-values.js';
import { parseSecretKey } from './secret-key.js';
import { parseBuiltIns } from '../builtins/built-in-integrations.js';
import { prometheusUrlOf } from '../builtins/built-in-integrations.js';
import { DEFAULT_WAL_MAX_BYTES, MIN_WAL_MAX_BYTES } from '@shipmate/store-sqlite';
import { parsePostgresUrl } from '@shipmate/store-postgres/url';
import { parseNatsUrl } from '@shipmate/bus-nats/url';
import { checkStreamName } from '@shipmate/bus-nats/names';
import type { ServerTls } from '@shipmate/server';
import { resolveTlsFiles } from './tls-files.js';

/** Re-exported so existing imports keep working; the class lives in config-error.ts. */
export { ConfigError };

/** Flags of `shipmate server` (strings as commander gives them). */
export interface ServerFlags {
  port?: string;
  host?: string;
  dataDir?: string;
  logFormat?: string;
  store?: string;
  bus?: string;
}

/**
 * Where the control plane keeps its store: the embedded SQLite file in the data dir (the default),
 * or a PostgreSQL database (`--store` / SHIPMATE_STORE_URL).
 */
export type StoreChoice =
  | { readonly kind: 'sqlite' }
  | {
      readonly kind: 'postgres';
      /** The URL as given (it may hold a password: never print it; print `redactedUrl`). */
      readonly url: string;
      readonly redactedUrl: string;
      /** Where the URL came from, for messages: `--store` or `SHIPMATE_STORE_URL`. */
      readonly source: '--store' | 'SHIPMATE_STORE_URL';
    };

/** The bus that carries notices between control-plane replicas (`--bus` / SHIPMATE_BUS_URL): NATS. */
export interface BusChoice {
  readonly kind: 'nats';
  /** The URL as given (it may hold a password: never print it; print `redactedUrl`). */
  readonly url: string;
  readonly redactedUrl: string;
  /** Where the URL came from, for messages: `--bus` or `SHIPMATE_BUS_URL`. */
  readonly source: '--bus' | 'SHIPMATE_BUS_URL';
  /** SHIPMATE_TASK_STREAM: the JetStream stream the task `.triggered` events are published to, or undefined for none. */
  readonly taskStream: string | undefined;
}

/** Resolved server configuration. */
export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** --store / SHIPMATE_STORE_URL: SQLite in the data dir unless a postgres:// URL is given. */
  readonly store: StoreChoice;
  /** --bus / SHIPMATE_BUS_URL: a nats:// URL, or undefined for a single replica (no bus). */
  readonly bus: BusChoice | undefined;
  readonly apiToken: string | undefined;
  readonly taskStartedWaitMs: number;
  readonly maxBodyBytes: number;
  /** SHIPMATE_MAX_EVENT_DEPTH: deepest nesting of objects and arrays in an event or other JSON body. */
  readonly maxEventDepth: number;
  readonly validateEvents: boolean;
  readonly eventRetentionMs: number;
  readonly projectNameMaxLength: number;
  readonly serviceNameMaxLength: number;
  readonly logLevel: string;
  /** SHIPMATE_LOG_FORMAT / --log-format: `text` (for people) or `json`; default text on a terminal. */
  readonly logFormat: LogFormat;
  readonly heartbeatIntervalMs: number;
  readonly integrationTtlMs: number;
  readonly logTtlMs: number;
  readonly leaseMs: number;
  /** Largest decoded file of the resource API (SHIPMATE_MAX_RESOURCE_BYTES). */
  readonly maxResourceBytes: number;
  /** Commit author of the configuration repositories (Keptn's GIT_KEPTN_USER / GIT_KEPTN_EMAIL). */
  readonly gitAuthor: { readonly name: string; readonly email: string };
  /** SHIPMATE_SECRET_KEY; when unset the key file in the data dir is used (secret-key.ts). */
  readonly secretKey: Buffer | undefined;
  /** SHIPMATE_SECRET_KEY_PREVIOUS: the key before a rotation. */
  readonly previousSecretKey: Buffer | undefined;
  /** SHIPMATE_SECRET_SCOPES. */
  readonly secretScopes: readonly string[];
  /** SHIPMATE_AUTH_FAILURE_LIMIT: wrong tokens per client address and minute before 429. */
  readonly authFailureLimit: number;
  /** SHIPMATE_HEADERS_TIMEOUT. */
  readonly headersTimeoutMs: number;
  /** SHIPMATE_REQUEST_TIMEOUT. */
  readonly requestTimeoutMs: number;
  /** SHIPMATE_KEEPALIVE_TIMEOUT. */
  readonly keepAliveTimeoutMs: number;
  /** SHIPMATE_MAX_CONNECTIONS. */
  readonly maxConnections: number;
  /** SHIPMATE_TRUST_PROXY: false, true, or the proxies' addresses/CIDRs. */
  readonly trustProxy: boolean | readonly string[];
  /** SHIPMATE_METRICS_PUBLIC: `GET /metrics` answers without the API token. */
  readonly metricsPublic: boolean;
  /** SHIPMATE_BUILT_IN_INTEGRATIONS: the built-in integrations this server runs itself. */
  readonly builtInIntegrations: readonly string[];
  /** SHIPMATE_PROMETHEUS_URL: Prometheus of the built-in prometheus-service where no prometheus/config.yaml names one. */
  readonly prometheusUrl: string | undefined;
  /** SHIPMATE_WAL_MAX_BYTES: ceiling of the SQLite WAL file (store option `walMaxBytes`). */
  readonly walMaxBytes: number;
  /** SHIPMATE_TLS_CERT_FILE and SHIPMATE_TLS_KEY_FILE, read: serve HTTPS; undefined serves plain HTTP. */
  readonly tls: ServerTls | undefined;
}

/** Resolves configuration from the environment and flags. */
export function resolveServerConfig(env: NodeJS.ProcessEnv, flags: ServerFlags, isTerminal = false): ServerConfig {
  return Object.freeze({
    port: integerValue(flags.port ?? env.SHIPMATE_PORT, 8080, flags.port ? '--port' : 'SHIPMATE_PORT', 0, 65535),
    host: flags.host ?? env.SHIPMATE_HOST ?? '0.0.0.0',
    dataDir: flags.dataDir ?? env.SHIPMATE_DATA_DIR ?? './.shipmate',
    store: storeChoice(flags.store, env.SHIPMATE_STORE_URL),
    bus: busChoice(flags.bus, env.SHIPMATE_BUS_URL, env.SHIPMATE_TASK_STREAM),
    apiToken: env.SHIPMATE_API_TOKEN || undefined,
    taskStartedWaitMs: durationValue(env.TASK_STARTED_WAIT_DURATION, '10m', 'TASK_STARTED_WAIT_DURATION'),
    maxBodyBytes: integerValue(env.SHIPMATE_MAX_BODY_BYTES, 64 * 1024, 'SHIPMATE_MAX_BODY_BYTES', 1024, 64 * 1024 * 1024),
    maxEventDepth: integerValue(env.SHIPMATE_MAX_EVENT_DEPTH, 64, 'SHIPMATE_MAX_EVENT_DEPTH', 8, 1000),
    validateEvents: booleanValue(env.EVENT_VALIDATION_ENABLED, true, 'EVENT_VALIDATION_ENABLED'),
    eventRetentionMs: durationValue(env.SHIPMATE_EVENT_RETENTION, '720h', 'SHIPMATE_EVENT_RETENTION'),
    projectNameMaxLength: integerValue(env.PROJECT_NAME_MAX_SIZE, 200, 'PROJECT_NAME_MAX_SIZE', 1, 10_000),
    serviceNameMaxLength: integerValue(env.SERVICE_NAME_MAX_SIZE, 43, 'SERVICE_NAME_MAX_SIZE', 1, 10_000),
    logLevel: logLevel(env.SHIPMATE_LOG_LEVEL),
    logFormat: logFormat(
      flags.logFormat ?? env.SHIPMATE_LOG_FORMAT,
      flags.logFormat === undefined ? 'SHIPMATE_LOG_FORMAT' : '--log-format',
      isTerminal,
    ),
    heartbeatIntervalMs: durationValue(env.SHIPMATE_HEARTBEAT_INTERVAL, '5s', 'SHIPMATE_HEARTBEAT_INTERVAL'),
    integrationTtlMs: durationValue(env.UNIFORM_INTEGRATION_TTL, '48h', 'UNIFORM_INTEGRATION_TTL'),
    logTtlMs: durationValue(env.LOG_TTL, '120h', 'LOG_TTL'),
    leaseMs: durationValue(env.SHIPMATE_TASK_LEASE, '30s', 'SHIPMATE_TASK_LEASE'),
    maxResourceBytes: integerValue(
      env.SHIPMATE_MAX_RESOURCE_BYTES,
      10 * 1024 * 1024,
      'SHIPMATE_MAX_RESOURCE_BYTES',
      1024,
      1024 * 1024 * 1024,
    ),
    gitAuthor: Object.freeze({ name: env.GIT_KEPTN_USER || 'keptn', email: env.GIT_KEPTN_EMAIL || 'keptn@keptn.sh' }),
    secretKey: env.SHIPMATE_SECRET_KEY ? parseSecretKey(env.SHIPMATE_SECRET_KEY, 'SHIPMATE_SECRET_KEY') : undefined,
    previousSecretKey: env.SHIPMATE_SECRET_KEY_PREVIOUS
      ? parseSecretKey(env.SHIPMATE_SECRET_KEY_PREVIOUS, 'SHIPMATE_SECRET_KEY_PREVIOUS')
      : undefined,
    secretScopes: secretScopes(env.SHIPMATE_SECRET_SCOPES),
    authFailureLimit: integerValue(env.SHIPMATE_AUTH_FAILURE_LIMIT, 20, 'SHIPMATE_AUTH_FAILURE_LIMIT', 1, 1_000_000),
    headersTimeoutMs: durationValue(env.SHIPMATE_HEADERS_TIMEOUT, '10s', 'SHIPMATE_HEADERS_TIMEOUT'),
    requestTimeoutMs: durationValue(env.SHIPMATE_REQUEST_TIMEOUT, '30s', 'SHIPMATE_REQUEST_TIMEOUT'),
    keepAliveTimeoutMs: durationValue(env.SHIPMATE_KEEPALIVE_TIMEOUT, '65s', 'SHIPMATE_KEEPALIVE_TIMEOUT'),
    maxConnections: integerValue(env.SHIPMATE_MAX_CONNECTIONS, 4096, 'SHIPMATE_MAX_CONNECTIONS', 1, 1_000_000),
    trustProxy: trustProxy(env.SHIPMATE_TRUST_PROXY),
    metricsPublic: booleanValue(env.SHIPMATE_METRICS_PUBLIC, false, 'SHIPMATE_METRICS_PUBLIC'),
    builtInIntegrations: parseBuiltIns(env.SHIPMATE_BUILT_IN_INTEGRATIONS),
    prometheusUrl: prometheusUrlOf(env.SHIPMATE_PROMETHEUS_URL),
    walMaxBytes: integerValue(env.SHIPMATE_WAL_MAX_BYTES, DEFAULT_WAL_MAX_BYTES, 'SHIPMATE_WAL_MAX_BYTES', MIN_WAL_MAX_BYTES, 2 ** 40),
    tls: resolveTlsFiles(env),
  });
}

/** --store, else SHIPMATE_STORE_URL: a postgres:// URL, or unset/empty for the embedded SQLite store. */
function storeChoice(flag: string | undefined, env: string | undefined): StoreChoice {
  const source = flag !== undefined ? '--store' : 'SHIPMATE_STORE_URL';
  const value = (flag ?? env ?? '').trim();
  if (value === '') return { kind: 'sqlite' };
  try {
    const { url, redacted } = parsePostgresUrl(value);
    return { kind: 'postgres', url, redactedUrl: redacted, source };
  } catch (error) {
    const embedded = source === '--store' ? 'leave out --store' : 'leave SHIPMATE_STORE_URL unset';
    throw new ConfigError(
      `${source} is not valid: ${(error as Error).message}; or ${embedded} for the embedded SQLite store in the data dir`,
    );
  }
}

/**
 * --bus, else SHIPMATE_BUS_URL: a nats:// URL, or unset/empty for no bus (one replica);
 * SHIPMATE_TASK_STREAM (a JetStream stream name) needs one.
 */
function busChoice(flag: string | undefined, env: string | undefined, taskStreamValue: string | undefined): BusChoice | undefined {
  const source = flag !== undefined ? '--bus' : 'SHIPMATE_BUS_URL';
  const value = (flag ?? env ?? '').trim();
  const taskStream = taskStreamValue?.trim() || undefined;
  if (value === '') {
    if (taskStream !== undefined)
      throw new ConfigError(
        `SHIPMATE_TASK_STREAM='${taskStream}' needs a NATS server: set SHIPMATE_BUS_URL (or --bus) to a nats:// URL, or leave SHIPMATE_TASK_STREAM unset`,
      );
    return undefined;
  }
  try {
    if (taskStream !== undefined) checkStreamName(taskStream, 'SHIPMATE_TASK_STREAM');
    const { redacted } = parseNatsUrl(value, source);
    return { kind: 'nats', url: value, redactedUrl: redacted, source, taskStream };
  } catch (error) {
    const none = source === '--bus' ? 'leave out --bus' : 'leave SHIPMATE_BUS_URL unset';
    throw new ConfigError(`${(error as Error).message}; or ${none} to run a single replica without a bus`);
  }
}

/** SHIPMATE_TRUST_PROXY: Go boolean spellings, or a comma-separated list of proxy addresses/CIDRs. */
function trustProxy(value: string | undefined): boolean | readonly string[] {
  if (value === undefined || value.trim() === '') return false;
  if (/^(1|t|true|0|f|false)$/i.test(value.trim())) return booleanValue(value.trim().toLowerCase(), false, 'SHIPMATE_TRUST_PROXY');
  const proxies = listValue(value);
  const bad = proxies.find((entry) => !/^[0-9A-Fa-f.:]+(\/\d{1,3})?$/.test(entry));
  if (bad !== undefined)
    throw new ConfigError(
      `SHIPMATE_TRUST_PROXY='${value}' is not valid: '${bad}' is not an address or CIDR; give true, false or a list such as 10.0.0.0/8,fd00::/8`,
    );
  return proxies;
}

/** How log lines are written. */
export type LogFormat = 'text' | 'json';

function logFormat(value: string | undefined, source: string, isTerminal: boolean): LogFormat {
  if (value === undefined || value === '') return isTerminal ? 'text' : 'json';
  if (value !== 'text' && value !== 'json') throw new ConfigError(`${source}='${value}' is not valid: give text or json`);
  return value;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function logLevel(value: string | undefined): string {
  if (value === undefined || value === '') return 'info';
  if (!LOG_LEVELS.includes(value))
    throw new ConfigError(`SHIPMATE_LOG_LEVEL='${value}' is not valid: give one of ${LOG_LEVELS.join(', ')}`);
  return value;
}

/** SHIPMATE_SECRET_SCOPES: comma-separated scope names that must include keptn-default; default Keptn's four. */
function secretScopes(value: string | undefined): readonly string[] {
  const scopes = listValue(value);
  if (scopes.length === 0) return KEPTN_SECRET_SCOPES;
  for (const scope of scopes) {
    try {
      validateSecretName(scope, 'scope');
    } catch (error) {
      throw new ConfigError(`SHIPMATE_SECRET_SCOPES='${value}' is not valid: ${(error as Error).message}`);
    }
  }
  if (!scopes.includes(DEFAULT_SECRET_SCOPE)) {
    throw new ConfigError(
      `SHIPMATE_SECRET_SCOPES='${value}' lacks ${DEFAULT_SECRET_SCOPE}, the scope of secrets created without one: add it, e.g. ${DEFAULT_SECRET_SCOPE},${scopes.join(',')}`,
    );
  }
  return scopes;
}
