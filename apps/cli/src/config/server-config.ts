/**
 * Configuration of `shipmate server`: defaults < environment < flags, resolved once into a frozen
 * object. Every variable is listed in docs/configuration.md and the README.
 */
import { parseGoDuration } from '@shipmate/core';

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
}

/** Thrown for a configuration value that cannot be used; the CLI prints it and exits 2. */
export class ConfigError extends Error {}

/** Resolves configuration from the environment and flags. */
export function resolveServerConfig(env: NodeJS.ProcessEnv, flags: ServerFlags): ServerConfig {
  return Object.freeze({
    port: integer(flags.port ?? env.SHIPMATE_PORT, 8080, flags.port ? '--port' : 'SHIPMATE_PORT', 0, 65535),
    host: flags.host ?? env.SHIPMATE_HOST ?? '0.0.0.0',
    dataDir: flags.dataDir ?? env.SHIPMATE_DATA_DIR ?? './.shipmate',
    apiToken: env.SHIPMATE_API_TOKEN || undefined,
    taskStartedWaitMs: duration(env.TASK_STARTED_WAIT_DURATION, '10m', 'TASK_STARTED_WAIT_DURATION'),
    maxBodyBytes: integer(env.SHIPMATE_MAX_BODY_BYTES, 64 * 1024, 'SHIPMATE_MAX_BODY_BYTES', 1024, 64 * 1024 * 1024),
    validateEvents: boolean(env.EVENT_VALIDATION_ENABLED, true, 'EVENT_VALIDATION_ENABLED'),
    eventRetentionMs: duration(env.SHIPMATE_EVENT_RETENTION, '720h', 'SHIPMATE_EVENT_RETENTION'),
    projectNameMaxLength: integer(env.PROJECT_NAME_MAX_SIZE, 200, 'PROJECT_NAME_MAX_SIZE', 1, 10_000),
    serviceNameMaxLength: integer(env.SERVICE_NAME_MAX_SIZE, 43, 'SERVICE_NAME_MAX_SIZE', 1, 10_000),
    logLevel: logLevel(env.SHIPMATE_LOG_LEVEL),
  });
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function logLevel(value: string | undefined): string {
  if (value === undefined || value === '') return 'info';
  if (!LOG_LEVELS.includes(value)) throw new ConfigError(`SHIPMATE_LOG_LEVEL='${value}' is not valid: give one of ${LOG_LEVELS.join(', ')}`);
  return value;
}

function integer(value: string | undefined, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(`${name}='${value}' is not valid: give a whole number from ${min} to ${max}`);
  }
  return parsed;
}

function duration(value: string | undefined, fallback: string, name: string): number {
  try {
    return parseGoDuration(value === undefined || value === '' ? fallback : value, name);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

function boolean(value: string | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined || value === '') return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ConfigError(`${name}='${value}' is not valid: give true or false`);
}
