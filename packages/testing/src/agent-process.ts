/**
 * Starts the real `shipmate agent` process for end-to-end tests and benchmarks, waits until its
 * local `/health` says it registered, and stops it with SIGTERM (drain) or SIGKILL.
 */
import { freePort } from './server-process.js';
import { spawnShipmate, waitUntilReady } from './shipmate-process.js';
import type { ShipmateProcess } from './shipmate-process.js';

/** Options of {@link startAgentProcess}. */
export interface AgentProcessOptions {
  /** The control plane's API URL ending in `/api`. */
  endpoint: string;
  token: string;
  /** K8S_DEPLOYMENT_NAME. */
  name: string;
  /** PUBSUB_TOPIC items. */
  topics: string[];
  /** Port of the recipient the agent forwards to (PUBSUB_RECIPIENT is 127.0.0.1). */
  recipientPort: number;
  /** Extra environment (filters, LOCATION, K8S_POD_NAME, …). */
  env?: Record<string, string>;
  /** Wait until registered. @default true */
  waitRegistered?: boolean;
  /** @default 20000 */
  startTimeoutMs?: number;
}

/** A running agent process. */
export interface AgentProcess extends ShipmateProcess {
  /** Its local surface, e.g. `http://127.0.0.1:41234` (POST `/event` there). */
  readonly surfaceUrl: string;
  /** `GET /health` of the local surface. */
  health(): Promise<{ status: string; registered: boolean; connected: boolean; openTasks: number }>;
}

/** Starts `shipmate agent`. */
export async function startAgentProcess(options: AgentProcessOptions): Promise<AgentProcess> {
  const proxyPort = await freePort();
  const process = spawnShipmate(['agent'], {
    KEPTN_API_ENDPOINT: options.endpoint,
    KEPTN_API_TOKEN: options.token,
    K8S_DEPLOYMENT_NAME: options.name,
    K8S_NAMESPACE: 'e2e',
    PUBSUB_TOPIC: options.topics.join(','),
    PUBSUB_RECIPIENT: '127.0.0.1',
    PUBSUB_RECIPIENT_PORT: String(options.recipientPort),
    API_PROXY_PORT: String(proxyPort),
    ...options.env,
  });
  const surfaceUrl = `http://127.0.0.1:${proxyPort}`;
  const health = async () => (await (await fetch(`${surfaceUrl}/health`)).json()) as Awaited<ReturnType<AgentProcess['health']>>;
  await waitUntilReady(
    process,
    `shipmate agent ${options.name}`,
    async () => ((options.waitRegistered ?? true) ? (await health()).registered : (await fetch(`${surfaceUrl}/health`)).ok),
    options.startTimeoutMs ?? 20_000,
  );
  return { ...process, surfaceUrl, health };
}
