/**
 * A real Prometheus for tests of SLI providers: `prometheus` on 127.0.0.1 and a free port, with its
 * own config and TSDB in a temporary folder, scraping the given targets every second. Needs the
 * `prometheus` binary (Debian's `prometheus` package, which CI installs);
 * {@link prometheusUnavailable} says why it cannot run.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { waitFor } from './keptn-api-client.js';
import { freePort } from './server-process.js';

/** Where Debian installs the binary; PATH is searched too. */
const DEBIAN_PROMETHEUS = '/usr/bin/prometheus';

function findPrometheus(): string | undefined {
  if (existsSync(DEBIAN_PROMETHEUS)) return DEBIAN_PROMETHEUS;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, 'prometheus'))) return join(dir, 'prometheus');
  }
  return undefined;
}

/** Why Prometheus cannot be started here, or undefined. */
export function prometheusUnavailable(): string | undefined {
  const bin = findPrometheus();
  if (bin === undefined) return 'the prometheus binary is not installed (apt-get install prometheus; CI installs it)';
  const version = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (version.status !== 0) return `${bin} --version failed: ${(version.stderr || String(version.error ?? '')).trim().slice(0, 300)}`;
  return undefined;
}

/** One scrape job: its `job` label and `host:port` targets. */
export interface ScrapeJob {
  readonly name: string;
  readonly targets: readonly string[];
}

/** Options of {@link startPrometheus}. */
export interface PrometheusServerOptions {
  readonly jobs?: readonly ScrapeJob[];
  /** @default 1000 */
  readonly scrapeIntervalMs?: number;
  /** How long to wait for `/-/ready`. @default 30000 */
  readonly startTimeoutMs?: number;
}

/** A running Prometheus. */
export interface PrometheusServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly port: number;
  /** Everything it logged so far. */
  output(): string;
  /** Runs an instant query now and returns Prometheus' `data` (throws on a query error). */
  query(promql: string): Promise<{ resultType: string; result: unknown }>;
  /** SIGTERM, wait for exit, remove the temporary folder. */
  stop(): Promise<void>;
}

function configYaml(jobs: readonly ScrapeJob[], intervalMs: number): string {
  const lines = ['global:', `  scrape_interval: ${intervalMs}ms`, `  evaluation_interval: ${intervalMs}ms`, 'scrape_configs:'];
  for (const job of jobs) {
    lines.push(`  - job_name: ${JSON.stringify(job.name)}`, '    static_configs:', `      - targets: ${JSON.stringify(job.targets)}`);
  }
  if (jobs.length === 0) lines.push('  []');
  return `${lines.join('\n')}\n`;
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts Prometheus scraping `jobs` and resolves once `/-/ready` answers 200. */
export async function startPrometheus(options: PrometheusServerOptions = {}): Promise<PrometheusServer> {
  const bin = findPrometheus();
  if (bin === undefined) throw new Error(prometheusUnavailable());
  const dir = mkdtempSync(join(tmpdir(), 'shipmate-prometheus-'));
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, configYaml(options.jobs ?? [], options.scrapeIntervalMs ?? 1000));
  const child = spawn(
    bin,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited with ${child.exitCode} before it was ready:\n${log.slice(-2000)}`);
    }
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus was not ready within ${options.startTimeoutMs ?? 30_000} ms:\n${log.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    port,
    output: () => log,
    async query(promql) {
      const answer = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: promql }).toString()}`);
      const body = (await answer.json()) as { status: string; error?: string; data: { resultType: string; result: unknown } };
      if (body.status !== 'success') throw new Error(`query ${promql} failed: ${body.error ?? answer.status}`);
      return body.data;
    },
    stop,
  };
}

/**
 * Waits until Prometheus has scraped every sample-service job in `jobs` for at least `windowMs` (a `rate()` over
 * the window then has samples of each), polling every 200 ms for at most `timeoutMs`.
 */
export async function waitForScrapedWindow(
  prometheus: PrometheusServer,
  jobs: readonly string[],
  windowMs: number,
  timeoutMs = 60_000,
): Promise<void> {
  const sinceMs = Date.now();
  const selector = `{job=~"${jobs.join('|')}"}`;
  await waitFor(
    `a full window of samples of ${jobs.join(', ')}`,
    async () => {
      if (Date.now() - sinceMs < windowMs) return undefined;
      const data = await prometheus.query(
        `count(rate(http_request_duration_seconds_count${selector}[${Math.ceil(windowMs / 1000)}s]) > 0)`,
      );
      const result = data.result as Array<{ value: [number, string] }>;
      return result[0]?.value[1] === String(jobs.length) ? true : undefined;
    },
    timeoutMs,
    200,
  );
}
