/**
 * A stand-in integration behind an agent, for end-to-end tests and benchmarks: an HTTP server that
 * records the CloudEvents the agent forwards and, when told where the agent is, answers each task
 * the way a Keptn integration does: `.started`, then `.finished` to the agent's `/event`.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';

/** A CloudEvent as received. */
export interface ReceivedEvent {
  id: string;
  type: string;
  shkeptncontext?: string;
  triggeredid?: string;
  data: Record<string, unknown> & { project?: string; stage?: string; service?: string };
  /** When it arrived (performance.timeOrigin-based ms). */
  receivedAtMs: number;
  [key: string]: unknown;
}

/** Options of {@link startRecipient}. */
export interface RecipientOptions {
  /** The agent's local surface; when set, each task is answered through its `/event`. */
  agentUrl?: string;
  /** Wait before sending `.finished`. @default 0 */
  workMs?: number;
  /** Name used as `source`. @default 'e2e-recipient' */
  source?: string;
  /** Port to listen on. @default a free one */
  port?: number;
}

/** The running recipient. */
export interface Recipient {
  readonly port: number;
  /** Everything received, in order. */
  readonly events: ReceivedEvent[];
  /** Received task `.triggered` events. */
  tasks(): ReceivedEvent[];
  /** Answers to the agent; set after start when the agent starts later. */
  setAgentUrl(url: string): void;
  close(): Promise<void>;
}

function taskOf(type: string): string | undefined {
  const parts = type.split('.');
  return parts.length === 5 && parts[4] === 'triggered' ? parts[3] : undefined;
}

/** Starts a recipient on 127.0.0.1. */
export async function startRecipient(options: RecipientOptions = {}): Promise<Recipient> {
  const events: ReceivedEvent[] = [];
  let agentUrl = options.agentUrl;
  const source = options.source ?? 'e2e-recipient';

  async function answer(event: ReceivedEvent, task: string): Promise<void> {
    if (!agentUrl) return;
    const base = { specversion: '1.0', source, shkeptncontext: event.shkeptncontext, triggeredid: event.id };
    const scope = { project: event.data.project, stage: event.data.stage, service: event.data.service };
    const post = (body: unknown) =>
      fetch(`${agentUrl}/event`, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents+json' },
        body: JSON.stringify(body),
      });
    await post({ ...base, type: `sh.keptn.event.${task}.started`, data: scope });
    if (options.workMs) await new Promise((r) => setTimeout(r, options.workMs));
    await post({ ...base, type: `sh.keptn.event.${task}.finished`, data: { ...scope, status: 'succeeded', result: 'pass' } });
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const event = {
        ...(JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedEvent),
        receivedAtMs: performance.timeOrigin + performance.now(),
      };
      events.push(event);
      res.writeHead(200).end();
      const task = taskOf(event.type);
      if (task) void answer(event, task).catch(() => undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    events,
    tasks: () => events.filter((e) => taskOf(e.type) !== undefined),
    setAgentUrl(url) {
      agentUrl = url;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
