/**
 * Runs one workload against a URL with autocannon, in this process (its programmatic API), and
 * returns one {@link Sample} per request.
 *
 * How Keptn's workload keys map onto autocannon: `vuser` → connections; `loopcount` → each
 * connection goes through the request list that often (autocannon's `amount` spread evenly over
 * the connections); `duration` → run for that long instead; `thinktime` → a rate of
 * `1000 / thinktime` requests per second per connection (autocannon paces per second, so at least
 * one request a second and bursts within a second).
 */
import type autocannon from 'autocannon';
import { checkResponse } from './test-figures.js';
import type { Sample } from './test-figures.js';
import type { Workload, WorkloadRequest } from './parse-workloads.js';

/** What a run measured. */
export interface WorkloadRun {
  /** Epoch ms when the first request went out and when the last answer (or failure) came. */
  readonly startMs: number;
  readonly endMs: number;
  readonly samples: readonly Sample[];
  /** The first failed request, described (method, URL, why). */
  readonly firstFailure: string | undefined;
}

/** Options of {@link runWorkload}. */
export interface RunWorkloadOptions {
  /** How long one request may take before it counts as failed. */
  readonly requestTimeoutMs: number;
  /** Stops the run (what was measured so far is returned). */
  readonly signal?: AbortSignal;
}

const DEFAULT_REQUEST: WorkloadRequest = Object.freeze({ method: 'GET', path: undefined, headers: {}, body: undefined, checks: [] });

/** The request target of `path` against `base` (its own path when `path` is undefined). */
export function requestTarget(base: URL, path: string | undefined): URL {
  return path === undefined ? base : new URL(path, base);
}

/** Runs `workload` against `base`. */
export async function runWorkload(base: URL, workload: Workload, options: RunWorkloadOptions): Promise<WorkloadRun> {
  const requests = workload.requests.length > 0 ? workload.requests : [DEFAULT_REQUEST];
  const targets = requests.map((r) => requestTarget(base, r.path));
  const samples: Sample[] = [];
  let firstFailure: string | undefined;
  let lastMs = Date.now();
  const record = (sample: Sample, label: string): void => {
    samples.push(sample);
    lastMs = Date.now();
    if (sample.failure !== undefined) firstFailure ??= `${label}: ${sample.failure}`;
  };

  // autocannon calls a request's onResponse and then, synchronously on the same connection, emits
  // 'response' with the response time: `answered` carries the first to the second.
  let answered: { index: number; status: number; body: string } | undefined;
  const cannonRequests = requests.map((request, index) => ({
    method: request.method as autocannon.Request['method'],
    path: `${targets[index]!.pathname}${targets[index]!.search}`,
    headers: { ...request.headers },
    ...(request.body === undefined ? {} : { body: request.body }),
    onResponse: (status: number, body: string) => {
      answered = { index, status, body };
    },
  }));
  const rate = workload.thinktimeMs > 0 ? Math.max(1, Math.round(1000 / workload.thinktimeMs)) : undefined;
  // Loaded on first use: it costs ~150 ms (WebAssembly histograms) that processes running other
  // built-ins (shipmate server) need not pay.
  const { default: load } = await import('autocannon');
  const startMs = Date.now();
  const result = new Promise<void>((resolve, reject) => {
    // autocannon calls back synchronously (and has no stop()) when it refuses the options.
    const running = { stop: (): void => undefined };
    const stop = (): void => running.stop();
    const instance = load(
      {
        url: base.origin,
        connections: workload.vuser,
        requests: cannonRequests,
        timeout: Math.max(1, Math.ceil(options.requestTimeoutMs / 1000)),
        ...(workload.durationMs === undefined
          ? { amount: workload.vuser * workload.loopcount * requests.length }
          : { duration: workload.durationMs / 1000 }),
        ...(rate === undefined ? {} : { connectionRate: rate }),
      },
      (error: unknown) => {
        options.signal?.removeEventListener('abort', stop);
        if (error) reject(error instanceof Error ? error : new Error(`autocannon failed: ${JSON.stringify(error)}`));
        else resolve();
      },
    );
    if (typeof instance.stop === 'function') running.stop = () => instance.stop();
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop, { once: true });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      const index = answered?.index ?? 0;
      const request = requests[index]!;
      const failure = checkResponse([...workload.checks, ...request.checks], {
        status: statusCode,
        body: answered?.body ?? '',
        latencyMs: responseTime,
      });
      answered = undefined;
      record({ latencyMs: responseTime, ...(failure === undefined ? {} : { failure }) }, `${request.method} ${targets[index]!.href}`);
    });
    instance.on('reqError', (error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      record({ failure: `no response (${reason})` }, `a request to ${base.origin}`);
    });
  });
  await result;
  return { startMs, endMs: Math.max(lastMs, startMs + 1), samples, firstFailure };
}
