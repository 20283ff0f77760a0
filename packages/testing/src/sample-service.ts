/**
 * A sample service for quality-gate tests: an HTTP server whose `GET /work` answers after a fixed
 * latency, with Prometheus metrics on `GET /metrics` (`http_request_duration_seconds`, a histogram
 * by method, route and status code, made with prom-client), that sends itself traffic so the
 * histogram fills without a load generator. Fast (~20 ms) and slow (~600 ms) presets stand for a
 * good and a bad build. Run in process with {@link createSampleService}, or as a program with
 * {@link startSampleServiceProcess} (`node sample-service-main.js --latency fast|slow|<ms>`).
 */
import { spawn } from 'node:child_process';
import { createServer, Agent, get } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Histogram, Registry } from 'prom-client';

/** Latencies of the presets, in milliseconds. */
export const SAMPLE_LATENCY_MS = Object.freeze({ fast: 20, slow: 600 });

/** Buckets (seconds) fine enough around both presets for histogram_quantile to tell them apart. */
export const SAMPLE_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.6, 0.7, 0.8, 1, 2.5, 5]);

/** Options of {@link createSampleService}. */
export interface SampleServiceOptions {
  /** `fast`, `slow` or milliseconds. */
  readonly latency: keyof typeof SAMPLE_LATENCY_MS | number;
  /** @default a free port */
  readonly port?: number;
  /** Requests the service sends itself per second (0: none). @default 20 */
  readonly requestsPerSecond?: number;
}

/** A running sample service. */
export interface SampleService {
  /** e.g. `http://127.0.0.1:40123` */
  readonly url: string;
  readonly port: number;
  /** `127.0.0.1:<port>`, a Prometheus scrape target. */
  readonly target: string;
  /** Its latency now; `GET /latency` answers `{"latencyMs": <ms>}`, `POST /latency` with that body changes it (what a remediation action does). */
  readonly latencyMs: number;
  stop(): Promise<void>;
}

/** The latency of `--latency` / SAMPLE_LATENCY: a preset name or milliseconds. */
export function parseSampleLatency(text: string): number {
  const preset = (SAMPLE_LATENCY_MS as Record<string, number>)[text];
  if (preset !== undefined) return preset;
  const ms = Number(text);
  if (text.trim() === '' || !Number.isFinite(ms) || ms < 0)
    throw new Error(`latency '${text}' is not fast, slow or a number of milliseconds`);
  return ms;
}

/** Starts the sample service in this process. */
export async function createSampleService(options: SampleServiceOptions): Promise<SampleService> {
  let latencyMs = typeof options.latency === 'number' ? options.latency : SAMPLE_LATENCY_MS[options.latency];
  const registry = new Registry();
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Duration of HTTP requests in seconds',
    labelNames: ['method', 'route', 'code'],
    buckets: [...SAMPLE_BUCKETS],
    registers: [registry],
  });
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.url === '/metrics') {
      void registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      });
      return;
    }
    if (req.url === '/latency' && req.method === 'GET') {
      // Which build answers (a deployment test tells versions apart by it, not by timing).
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ latencyMs }));
      return;
    }
    if (req.url === '/latency' && req.method === 'POST') {
      // What a remediation action (e.g. a webhook) changes: {"latencyMs": 20}.
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        let next: unknown;
        try {
          next = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { latencyMs?: unknown }).latencyMs;
        } catch {
          next = undefined;
        }
        if (typeof next !== 'number' || !Number.isFinite(next) || next < 0) {
          res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"body must be {\\"latencyMs\\": <milliseconds>}"}');
          return;
        }
        latencyMs = next;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ latencyMs }));
      });
      return;
    }
    if (req.url === '/work') {
      const end = duration.startTimer({ method: req.method ?? 'GET', route: '/work' });
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('done\n');
        end({ code: '200' });
      }, latencyMs);
      return;
    }
    res.writeHead(404).end();
  };
  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const agent = new Agent({ keepAlive: true });
  const rate = options.requestsPerSecond ?? 20;
  const traffic =
    rate > 0
      ? setInterval(() => {
          get(`${url}/work`, { agent }, (res) => res.resume()).on('error', () => undefined);
        }, 1000 / rate)
      : undefined;
  return {
    url,
    port,
    target: `127.0.0.1:${port}`,
    get latencyMs() {
      return latencyMs;
    },
    async stop() {
      clearInterval(traffic);
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Path of the sample service program (built). */
export const SAMPLE_SERVICE_MAIN = fileURLToPath(new URL('./sample-service-main.js', import.meta.url));

/** Starts the sample service as a child process and resolves once `/metrics` answers. */
export async function startSampleServiceProcess(options: SampleServiceOptions, startTimeoutMs = 10_000): Promise<SampleService> {
  const args = [SAMPLE_SERVICE_MAIN, '--latency', String(options.latency)];
  if (options.port !== undefined) args.push('--port', String(options.port));
  if (options.requestsPerSecond !== undefined) args.push('--rps', String(options.requestsPerSecond));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    const match = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(output);
    if (match) {
      const port = Number(match[2]);
      return { url: match[1]!, port, target: `127.0.0.1:${port}`, latencyMs: parseSampleLatency(String(options.latency)), stop };
    }
    if (child.exitCode !== null) throw new Error(`sample service exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`sample service did not start within ${startTimeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
