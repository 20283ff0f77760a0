/**
 * Starts the real `shipmate agent` process for end-to-end tests and benchmarks, waits until its
 * local `/health` says it registered, and stops it with SIGTERM (drain) or SIGKILL.
 * {@link spawnAgentProcess} starts it without waiting (for a test that acts during its start-up).
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
  /** Wait until registered (else until its surface answers). Not used by {@link spawnAgentProcess}. @default true */
  waitRegistered?: boolean;
  /** Not used by {@link spawnAgentProcess}. @default 20000 */
  startTimeoutMs?: number;
}

/** A running agent process. */
export interface AgentProcess extends ShipmateProcess {
  /** Its local surface, e.g. `http://127.0.0.1:41234` (POST `/event` there). */
  readonly surfaceUrl: string;
  /** `GET /health` of the local surface. */
  health(): Promise<{ status: string; registered: boolean; connected: boolean; openTasks: number }>;
}

/** Starts `shipmate agent` and returns at once: its surface may not answer yet. */
export async function spawnAgentProcess(options: AgentProcessOptions): Promise<AgentProcess> {
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
  return { ...process, surfaceUrl, health };
}

/** Starts `shipmate agent` and waits until it registered (or, with `waitRegistered: false`, until its surface answers). */
export async function startAgentProcess(options: AgentProcessOptions): Promise<AgentProcess> {
  const agent = await spawnAgentProcess(options);
  await waitUntilReady(
    agent,
    `shipmate agent ${options.name}`,
    async () => ((options.waitRegistered ?? true) ? (await agent.health()).registered : (await fetch(`${agent.surfaceUrl}/health`)).ok),
    options.startTimeoutMs ?? 20_000,
  );
  return agent;
}
