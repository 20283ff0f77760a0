/**
 * The Keptn-style path of (d): the real `shipmate agent` process (the distributor) forwards each
 * task to a recipient, a node:http server in the bench process standing in for the integration.
 * The recipient records the arrival (before reading the body) and acknowledges at once, then
 * answers the task through the agent's `/event`: `.started`, then `.finished` (pass/succeeded).
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { AGENT_PROJECT, AGENT_TASKS } from './agent-project.js';
import type { HandlerSamples, TimedTask } from './handler-samples.js';
import { createHttpClient, expectStatus } from './http-client.js';
import type { HttpClient } from './http-client.js';
import { pollUntil } from './poll.js';
import type { ServerProcess, StartOptions } from './server-process.js';

/** The recipient. */
export interface Recipient {
  readonly port: number;
  /** Tasks received, and answers that failed (with the last failure). */
  readonly stats: { received: number; answerFailures: number; lastFailure?: string };
  /** Where to answer; set once the agent's local surface is known. */
  setAgent(client: HttpClient): void;
  close(): Promise<void>;
}

interface ForwardedTask extends TimedTask {
  id: string;
  data: { project?: string; stage?: string; service?: string };
}

/** Starts the recipient on 127.0.0.1 (a free port). */
export async function startRecipient(samples: HandlerSamples): Promise<Recipient> {
  let agent: HttpClient | undefined;
  const stats: Recipient['stats'] = { received: 0, answerFailures: 0 };

  async function answer(task: ForwardedTask): Promise<void> {
    if (!agent) throw new Error('the recipient got a task before it knew the agent');
    const name = task.type.split('.')[3] ?? '';
    const scope = { project: task.data.project, stage: task.data.stage, service: task.data.service };
    const base = { specversion: '1.0', source: 'bench-recipient', shkeptncontext: task.shkeptncontext, triggeredid: task.id };
    for (const [kind, data] of [
      ['started', scope],
      ['finished', { ...scope, status: 'succeeded', result: 'pass' }],
    ] as const) {
      const response = await agent.json('POST', '/event', { ...base, type: `sh.keptn.event.${name}.${kind}`, data });
      expectStatus(response, 200, `POST /event ${name}.${kind} to the agent`);
    }
  }

  const server: Server = createServer((req, res) => {
    const arrivedAt = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      res.writeHead(200).end();
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ForwardedTask;
      if (!/^sh\.keptn\.event\.[^.]+\.triggered$/.test(event.type)) return;
      stats.received++;
      samples.record(event, arrivedAt);
      answer(event).catch((error: unknown) => {
        stats.answerFailures++;
        stats.lastFailure = error instanceof Error ? error.message : String(error);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    stats,
    setAgent(client) {
      agent = client;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Options of {@link startShipmateAgent}. */
export interface ShipmateAgentOptions {
  /** Starts a child process (the bench's `startServerProcess`, tracked for shutdown). */
  start(options: StartOptions): Promise<ServerProcess>;
  shipmateBin: string;
  serverUrl: string;
  token: string;
  /** Its local surface's port (API_PROXY_PORT). */
  surfacePort: number;
  recipientPort: number;
  /** K8S_DEPLOYMENT_NAME. */
  name: string;
}

/** Starts `shipmate agent` for the tasks of `bench-agents` and waits until it has registered. */
export async function startShipmateAgent(options: ShipmateAgentOptions): Promise<{ agent: ServerProcess; surface: HttpClient }> {
  const url = `http://127.0.0.1:${options.surfacePort}`;
  const agent = await options.start({
    name: 'shipmate agent',
    args: [options.shipmateBin, 'agent'],
    url,
    env: {
      KEPTN_API_ENDPOINT: `${options.serverUrl}/api`,
      KEPTN_API_TOKEN: options.token,
      K8S_DEPLOYMENT_NAME: options.name,
      K8S_NAMESPACE: 'bench',
      K8S_POD_NAME: `${options.name}-1`,
      PUBSUB_TOPIC: AGENT_TASKS.map((task) => `sh.keptn.event.${task}.triggered`).join(','),
      PROJECT_FILTER: AGENT_PROJECT,
      PUBSUB_RECIPIENT: '127.0.0.1',
      PUBSUB_RECIPIENT_PORT: String(options.recipientPort),
      API_PROXY_PORT: String(options.surfacePort),
    },
  });
  const surface = createHttpClient({ baseUrl: url, maxSockets: 8 });
  try {
    await pollUntil(
      'shipmate agent to register',
      async () => {
        const health = await surface.json('GET', '/health');
        return (health.body as { registered?: unknown } | null)?.registered === true ? true : undefined;
      },
      { intervalMs: 20, timeoutMs: 20_000 },
    );
  } catch (error) {
    surface.close();
    await agent.stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}; its output:\n${agent.output().slice(-2000)}`);
  }
  return { agent, surface };
}
