import type { Clock, ControlPlaneStore, IdGenerator, ConfigurationSource } from '@shipmate/core';

/** Options of the control-plane HTTP server (all but store and token optional). */
export interface ServerOptions {
  store: ControlPlaneStore;
  /** SHA-256 hex of the API token. */
  apiTokenSha256: string;
  /** Where shipyards are read. @default the store (embedded mode) */
  configuration?: ConfigurationSource;
  clock?: Clock;
  ids?: IdGenerator;
  /** Request body limit. @default 65536 (Keptn's MAX_EVENT_SIZE_KB=64) */
  maxBodyBytes?: number;
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
  logger?: boolean | { level: string };
  /** Reported by /api/v1/metadata. @default the package version */
  version?: string;
  /** Reported as `namespace` by /api/v1/metadata. @default 'shipmate' */
  namespace?: string;
}

/** Options with every default applied. */
export interface ResolvedServerOptions extends Readonly<Required<Omit<ServerOptions, 'configuration'>>> {
  readonly configuration: ConfigurationSource;
}
