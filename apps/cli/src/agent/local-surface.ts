/**
 * The distributor's local surface on 127.0.0.1:API_PROXY_PORT (execution-plane.md §3.2), what the
 * integration beside the agent talks to:
 * - `GET /health`: 200 with the agent's state;
 * - `GET /metrics`: the agent's Prometheus metrics (agent-metrics.ts), when given;
 * - `POST /event`: a structured CloudEvent the integration sends (`.started`, `.finished`, …),
 *   passed to the control plane's `POST /v1/event` with retries; an errored `.finished` and
 *   `sh.keptn.log.error` also become error-log entries (`sh.keptn.log.error` is not sent on, as
 *   with Keptn's distributor);
 * - `/controlPlane/…`, `/resource-service/…`, `/mongodb-datastore/…`: the API proxy, with the token.
 * Bodies are capped at API_PROXY_MAX_PAYLOAD_BYTES_KB (413 above). Errors answer Keptn's
 * `{code, message}`.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { parseEventType } from '@shipmate/core';
import { ControlPlaneError } from '@shipmate/agent-sdk';
import type { AgentMetrics } from './agent-metrics.js';
import { sendMetrics } from './metrics-listener.js';
import { listenHttp } from './listen-http.js';
import type { AgentLogger, ControlPlaneClient, EventSender } from '@shipmate/agent-sdk';

/** Options of {@link startLocalSurface}. */
export interface LocalSurfaceOptions {
  port: number;
  /** @default '127.0.0.1' (the surface is for the integration in the same pod or host only) */
  host?: string;
  maxPayloadBytes: number;
  client: Pick<ControlPlaneClient, 'raw' | 'sendLogs'>;
  send: EventSender;
  logger: AgentLogger;
  /** The integration id for log entries (undefined before registration). */
  integrationId: () => string | undefined;
  /** State shown by `/health`. */
  health: () => Record<string, unknown>;
  /** Called after a `.finished` event for a task went to the control plane, or was refused by it for good (4xx). */
  onFinished: (triggeredId: string) => void;
  /** Served on `GET /metrics`, and told of every event sent; without it there is no `/metrics`. */
  metrics?: Pick<AgentMetrics, 'registry' | 'eventSent'>;
}

/** The running surface. */
export interface LocalSurface {
  readonly url: string;
  close(): Promise<void>;
}

const PROXY_PREFIXES = ['/controlPlane/', '/resource-service/', '/mongodb-datastore/'];

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpProblem(413, `body larger than ${limit} bytes: raise API_PROXY_MAX_PAYLOAD_BYTES_KB or send less`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The CloudEvent in a `/event` body, or a 400 naming what is wrong. */
export function parseCloudEvent(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new HttpProblem(400, `body is not JSON (${(error as Error).message}): send a structured-mode CloudEvent`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpProblem(400, 'body must be a JSON object: a structured-mode CloudEvent with specversion, type and data');
  }
  const event = parsed as Record<string, unknown>;
  if (typeof event.specversion !== 'string') {
    throw new HttpProblem(
      400,
      "field 'specversion' is missing: send a structured-mode CloudEvent (binary mode with ce-* headers is not supported)",
    );
  }
  if (typeof event.type !== 'string' || event.type === '')
    throw new HttpProblem(400, "field 'type' is missing: give the event type, e.g. sh.keptn.event.test.finished");
  return event;
}

function dataOf(event: Record<string, unknown>): Record<string, unknown> {
  return typeof event.data === 'object' && event.data !== null ? (event.data as Record<string, unknown>) : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `/resource-service/...resource/<uri>` with the URI escaped as one segment, as Keptn's distributor does. */
export function proxiedPath(path: string): string {
  const marker = '/resource/';
  const at = path.indexOf(marker);
  if (!path.startsWith('/resource-service/') || at < 0) return path;
  const uri = path.slice(at + marker.length);
  let decoded = uri;
  try {
    decoded = decodeURIComponent(uri);
  } catch {
    // keep it as given
  }
  return `${path.slice(0, at + marker.length)}${encodeURIComponent(decoded)}`;
}

/** Starts the surface; resolves once it listens. */
export async function startLocalSurface(options: LocalSurfaceOptions): Promise<LocalSurface> {
  const { client, logger } = options;

  async function logEntryFor(event: Record<string, unknown>): Promise<void> {
    const data = dataOf(event);
    const type = String(event.type);
    const parsed = parseEventType(type);
    const isLogError = type === 'sh.keptn.log.error';
    const isErrored = parsed.category === 'task' && parsed.kind === 'finished' && data.status === 'errored';
    if (!isLogError && !isErrored) return;
    const integrationid = (isLogError ? text(data.integrationid) : undefined) ?? options.integrationId();
    if (integrationid === undefined) return;
    const entry = {
      integrationid,
      message: text(data.message) ?? '',
      ...(text(event.shkeptncontext) ? { shkeptncontext: text(event.shkeptncontext) } : {}),
      ...(text(event.triggeredid) ? { triggeredid: text(event.triggeredid) } : {}),
      ...(text(event.gitcommitid) ? { gitcommitid: text(event.gitcommitid) } : {}),
      ...(parsed.category === 'task' ? { task: parsed.task } : text(data.task) ? { task: text(data.task) } : {}),
    };
    try {
      await client.sendLogs([entry]);
    } catch (error) {
      logger.warn(`could not store an error-log entry: ${(error as Error).message}`);
    }
  }

  async function handleEvent(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const event = parseCloudEvent(await readBody(req, options.maxPayloadBytes));
    await logEntryFor(event);
    if (event.type === 'sh.keptn.log.error') {
      res.writeHead(200).end();
      return;
    }
    delete event.datacontenttype;
    const parsed = parseEventType(String(event.type));
    const finishedTask = parsed.category === 'task' && parsed.kind === 'finished' && typeof event.triggeredid === 'string';
    try {
      await options.send(event);
      options.metrics?.eventSent(true);
    } catch (error) {
      options.metrics?.eventSent(false);
      if (error instanceof ControlPlaneError && error.status >= 400 && error.status < 500) {
        // Refused for good (e.g. the task ended meanwhile): nothing more will come for it, so a
        // drain does not wait for it.
        if (finishedTask) options.onFinished(String(event.triggeredid));
        throw new HttpProblem(error.status, error.message);
      }
      throw new HttpProblem(502, `the control plane did not take the event: ${(error as Error).message}`);
    }
    if (finishedTask) options.onFinished(String(event.triggeredid));
    res.writeHead(200).end();
  }

  async function proxy(req: IncomingMessage, res: ServerResponse, path: string, query: string): Promise<void> {
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req, options.maxPayloadBytes);
    const headers: Record<string, string> = {};
    if (typeof req.headers['content-type'] === 'string') headers['content-type'] = req.headers['content-type'];
    let answer;
    try {
      answer = await client.raw(req.method ?? 'GET', `${proxiedPath(path)}${query}`, { headers, ...(body ? { body } : {}) });
    } catch (error) {
      throw new HttpProblem(502, `the control plane is not reachable: ${(error as Error).message}`);
    }
    const out: Record<string, string> = { 'content-length': String(answer.body.length) };
    if (typeof answer.headers['content-type'] === 'string') out['content-type'] = answer.headers['content-type'];
    res.writeHead(answer.status, out);
    res.end(answer.body);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const path = url.pathname;
    if (path === '/health' && req.method === 'GET') return sendJson(res, 200, { status: 'OK', ...options.health() });
    if (path === '/metrics' && req.method === 'GET' && options.metrics) return sendMetrics(res, options.metrics.registry);
    if (path === '/event') {
      if (req.method !== 'POST') throw new HttpProblem(405, 'POST structured CloudEvents to /event');
      return handleEvent(req, res);
    }
    if (PROXY_PREFIXES.some((prefix) => path.startsWith(prefix))) return proxy(req, res, path, url.search);
    throw new HttpProblem(
      404,
      `no route for ${req.method} ${path}: the agent serves GET /health, GET /metrics, POST /event and the API proxy under ${PROXY_PREFIXES.join(', ')}`,
    );
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      const status = error instanceof HttpProblem ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      if (status >= 500) logger.warn(`${req.method} ${req.url}: ${message}`);
      if (!res.headersSent) sendJson(res, status, { code: status, message });
      else res.end();
    });
  });
  const host = options.host ?? '127.0.0.1';
  const listening = await listenHttp(server, options.port, host, 'API_PROXY_PORT');
  return { url: `http://${host}:${listening.port}`, close: listening.close };
}
