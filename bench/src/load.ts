/**
 * Closed-loop load generator: `connections` workers, each sending one request at a time over a
 * keep-alive connection for a fixed duration, after an unmeasured warm-up.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHttpClient } from './http-client.js';

/** One request of the load: method, path and pre-encoded JSON body. */
export interface LoadRequest {
  method: string;
  path: string;
  body?: Buffer;
}

/** Options of {@link runLoad}. */
export interface LoadOptions {
  baseUrl: string;
  token?: string;
  connections: number;
  durationMs: number;
  /** Unmeasured run before the measured one. @default 0 */
  warmupMs?: number;
  /** Status that counts as success. @default 200 */
  expectStatus?: number;
  /** CPU seconds used so far by the target process, to report its CPU share while measured. */
  targetCpuSeconds?: () => number;
  /** Builds the next request; called once per request. */
  next(): LoadRequest;
}

/** Outcome of a measured load run. */
export interface LoadResult {
  ok: number;
  failed: number;
  elapsedMs: number;
  requestsPerSecond: number;
  /** CPU used during the measured phase, as % of one core: the target (if known) and this process. */
  targetCpuPercent?: number;
  clientCpuPercent: number;
  /** First failure seen (status and body, or error message), if any. */
  firstFailure?: string;
}

/** Runs the warm-up, then the measured load; counts only successful answers as throughput. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const client = createHttpClient({ baseUrl: options.baseUrl, token: options.token, maxSockets: options.connections });
  const expected = options.expectStatus ?? 200;
  try {
    if (options.warmupMs) await phase(options.warmupMs);
    return await phase(options.durationMs);
  } finally {
    client.close();
  }

  async function phase(durationMs: number): Promise<LoadResult> {
    let ok = 0;
    let failed = 0;
    let firstFailure: string | undefined;
    const targetCpu = options.targetCpuSeconds;
    const targetCpuBefore = targetCpu?.();
    const clientCpuBefore = process.cpuUsage();
    const started = performance.now();
    const until = started + durationMs;
    const worker = async () => {
      while (performance.now() < until) {
        const { method, path, body } = options.next();
        try {
          const response = await client.send(method, path, body);
          if (response.status === expected) ok++;
          else {
            failed++;
            firstFailure ??= `HTTP ${response.status} ${response.text.slice(0, 300)}`;
          }
        } catch (error) {
          if (client.closed) return; // interrupted
          failed++;
          firstFailure ??= String(error);
          await sleep(1);
        }
      }
    };
    await Promise.all(Array.from({ length: options.connections }, worker));
    const elapsedMs = performance.now() - started;
    const clientCpu = process.cpuUsage(clientCpuBefore);
    const targetCpuPercent =
      targetCpu && targetCpuBefore !== undefined ? ((targetCpu() - targetCpuBefore) * 100_000) / elapsedMs : undefined;
    return {
      ok,
      failed,
      elapsedMs,
      requestsPerSecond: (ok * 1000) / elapsedMs,
      ...(targetCpuPercent === undefined ? {} : { targetCpuPercent }),
      clientCpuPercent: (clientCpu.user + clientCpu.system) / 10 / elapsedMs,
      ...(firstFailure ? { firstFailure } : {}),
    };
  }
}
