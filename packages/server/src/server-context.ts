import type { ResourceService } from './resources/resource-service.js';
import type {
  ControlPlaneStore,
  EventProcessor,
  IntegrationRegistry,
  ParkedHeartbeats,
  QuietPolls,
  SecretCipher,
  SecretService,
  TaskDelivery,
  TaskSecretReader,
  TaskWaiters,
} from '@shipmate/core';
import type { TokenVerifier } from './auth/token-verifier.js';
import type { AnswerWaiters } from './intake/answer-waiters.js';
import type { ApiTokenRegistry } from './auth/api-token-registry.js';
import type { EventIntake } from './intake/event-intake.js';
import type { ProjectService } from './projects/project-service.js';
import type { ResolvedServerOptions } from './server-options.js';
import type { ServerMetrics } from './metrics/server-metrics.js';
import type { ChangeFeed } from './changes/change-feed.js';

/** What route modules get: the wired use cases and the resolved options. */
export interface ServerContext {
  readonly options: ResolvedServerOptions;
  readonly store: ControlPlaneStore;
  readonly processor: EventProcessor;
  readonly intake: EventIntake;
  readonly projects: ProjectService;
  readonly tokens: TokenVerifier;
  readonly registry: IntegrationRegistry;
  /** Task delivery to agent instances (leases). */
  readonly delivery: TaskDelivery;
  /** Parked long polls, woken when the orchestrator emits events. */
  readonly waiters: TaskWaiters;
  /** The heartbeats of parked long polls, renewed together. */
  readonly heartbeats: ParkedHeartbeats;
  /** Polls that ended quiet: the next poll of an idle instance skips its first look (one process only). */
  readonly quietPolls: QuietPolls | undefined;
  /** The resource API, when the server has configuration repositories. */
  readonly resources: ResourceService | undefined;
  /** The secrets API use case. */
  readonly secrets: SecretService;
  /** Secret values for running tasks (the agent call). */
  readonly taskSecrets: TaskSecretReader;
  /** Requests waiting for the `.finished` answering a `.triggered` (answer-routes.ts). */
  readonly answers: AnswerWaiters;
  /** Seals and opens secret blobs with the server's key (for other secrets, e.g. git credentials). */
  readonly secretCipher: SecretCipher;
  /** The Prometheus metrics `/metrics` exposes. */
  readonly metrics: ServerMetrics;
  /** Created (execution-plane) tokens. */
  readonly apiTokens: ApiTokenRegistry;
  /** Which projects changed, for the web UI's live views (change-routes.ts). */
  readonly changes: ChangeFeed;
}
