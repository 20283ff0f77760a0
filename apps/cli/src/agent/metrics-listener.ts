/**
 * The agent's scrape port (SHIPMATE_METRICS_PORT): `GET /metrics` and `GET /health` on an address
 * Prometheus and the kubelet can reach, unlike the local surface, which binds to 127.0.0.1 only
 * because it also takes events and proxies the API with the token. Nothing else is served here.
 */
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { AgentLogger } from '@shipmate/agent-sdk';
import { listenHttp } from './listen-http.js';

/** Writes the registry in Prometheus' text format. */
export async function sendMetrics(res: ServerResponse, registry: Registry): Promise<void> {
  const text = await registry.metrics();
  res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Options of {@link startMetricsListener}. */
export interface MetricsListenerOptions {
  port: number;
  /** @default '0.0.0.0' */
  host?: string;
  registry: Registry;
  /** State shown by `/health` (always 200 while the process runs). */
  health: () => Record<string, unknown>;
}

/** The running listener. */
export interface MetricsListener {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the listener; a port in use is a ConfigError naming SHIPMATE_METRICS_PORT. */
export async function startMetricsListener(options: MetricsListenerOptions): Promise<MetricsListener> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendJson(res, 405, { code: 405, message: `${req.method} is not served here: GET /metrics or GET /health` });
    }
    if (path === '/health') return sendJson(res, 200, { status: 'OK', ...options.health() });
    if (path === '/metrics') {
      sendMetrics(res, options.registry).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { code: 500, message: error instanceof Error ? error.message : String(error) });
      });
      return;
    }
    sendJson(res, 404, { code: 404, message: `no route for ${path}: the metrics port serves GET /metrics and GET /health` });
  });
  const host = options.host ?? '0.0.0.0';
  const listening = await listenHttp(server, options.port, host, 'SHIPMATE_METRICS_PORT');
  return { url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${listening.port}`, close: listening.close };
}

/**
 * The agent's scrape port when SHIPMATE_METRICS_PORT is set (`port`), logged with its URL;
 * undefined when it is not.
 */
export async function startAgentMetricsPort(
  port: number | undefined,
  options: Omit<MetricsListenerOptions, 'port' | 'host'> & { logger: Pick<AgentLogger, 'info'> },
): Promise<MetricsListener | undefined> {
  if (port === undefined) return undefined;
  const listener = await startMetricsListener({ port, registry: options.registry, health: options.health });
  options.logger.info(`metrics on ${listener.url}/metrics (SHIPMATE_METRICS_PORT, all interfaces)`);
  return listener;
}
