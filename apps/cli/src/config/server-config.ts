/**
 * Configuration of `shipmate server`: defaults < environment < flags, resolved once into a frozen
 * object. Every variable is listed in docs/configuration.md and the README.
 */
import { ConfigError } from './config-error.js';
import { booleanValue, durationValue, integerValue } from './env-values.js';

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
  });
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function logLevel(value: string | undefined): string {
  if (value === undefined || value === '') return 'info';
  if (!LOG_LEVELS.includes(value))
    throw new ConfigError(`SHIPMATE_LOG_LEVEL='${value}' is not valid: give one of ${LOG_LEVELS.join(', ')}`);
  return value;
}
