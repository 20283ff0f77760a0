/**
 * Configuration of `shipmate server`: defaults < environment < flags, resolved once into a frozen
 * object. Every variable is listed in docs/configuration.md and the README.
 */
import { ConfigError } from './config-error.js';
import { DEFAULT_SECRET_SCOPE, KEPTN_SECRET_SCOPES, validateSecretName } from '@shipmate/core';
import { booleanValue, durationValue, integerValue, listValue } from './env-values.js';
import { parseSecretKey } from './secret-key.js';
import { DEFAULT_WAL_MAX_BYTES, MIN_WAL_MAX_BYTES } from '@shipmate/store-sqlite';

/** Re-exported so existing imports keep working; the class lives in config-error.ts. */
export { ConfigError };

/** Flags of `shipmate server` (strings as commander gives them). */
export interface ServerFlags {
  port?: string;
  host?: string;
  dataDir?: string;
}

/** Resolved server configuration. */
export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly apiToken: string | undefined;
  readonly taskStartedWaitMs: number;
  readonly maxBodyBytes: number;
  readonly validateEvents: boolean;
  readonly eventRetentionMs: number;
  readonly projectNameMaxLength: number;
  readonly serviceNameMaxLength: number;
  readonly logLevel: string;
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
  /** SHIPMATE_WAL_MAX_BYTES: ceiling of the SQLite WAL file (store option `walMaxBytes`). */
  readonly walMaxBytes: number;
}

/** Resolves configuration from the environment and flags. */
export function resolveServerConfig(env: NodeJS.ProcessEnv, flags: ServerFlags): ServerConfig {
  return Object.freeze({
    port: integerValue(flags.port ?? env.SHIPMATE_PORT, 8080, flags.port ? '--port' : 'SHIPMATE_PORT', 0, 65535),
    host: flags.host ?? env.SHIPMATE_HOST ?? '0.0.0.0',
    dataDir: flags.dataDir ?? env.SHIPMATE_DATA_DIR ?? './.shipmate',
    apiToken: env.SHIPMATE_API_TOKEN || undefined,
    taskStartedWaitMs: durationValue(env.TASK_STARTED_WAIT_DURATION, '10m', 'TASK_STARTED_WAIT_DURATION'),
    maxBodyBytes: integerValue(env.SHIPMATE_MAX_BODY_BYTES, 64 * 1024, 'SHIPMATE_MAX_BODY_BYTES', 1024, 64 * 1024 * 1024),
    validateEvents: booleanValue(env.EVENT_VALIDATION_ENABLED, true, 'EVENT_VALIDATION_ENABLED'),
    eventRetentionMs: durationValue(env.SHIPMATE_EVENT_RETENTION, '720h', 'SHIPMATE_EVENT_RETENTION'),
    projectNameMaxLength: integerValue(env.PROJECT_NAME_MAX_SIZE, 200, 'PROJECT_NAME_MAX_SIZE', 1, 10_000),
    serviceNameMaxLength: integerValue(env.SERVICE_NAME_MAX_SIZE, 43, 'SERVICE_NAME_MAX_SIZE', 1, 10_000),
    logLevel: logLevel(env.SHIPMATE_LOG_LEVEL),
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
    walMaxBytes: integerValue(env.SHIPMATE_WAL_MAX_BYTES, DEFAULT_WAL_MAX_BYTES, 'SHIPMATE_WAL_MAX_BYTES', MIN_WAL_MAX_BYTES, 2 ** 40),
  });
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
