/**
 * What an HTTP test measured and whether it passed. Pure: no I/O.
 *
 * A request fails when no response came (connection error, timeout) or its response breaks a check
 * (without a `status` check: a status of 400 or more, as JMeter counts errors). The figures are
 * Keptn-style: latency percentiles of the responses (nearest rank), throughput over the run, the
 * failed fraction. The criteria are jmeter-service's (§6.2 step 8): `functional` fails on any
 * failed request, every strategy on an error rate above `acceptederrorrate` and on an average
 * response time above `avgrtvalidation` (when set).
 */
import { CheckKind } from './parse-workloads.js';
import type { Check, Workload } from './parse-workloads.js';

/** One request of a run: its response time when a response came, and why it failed when it did. */
export interface Sample {
  readonly latencyMs?: number;
  readonly failure?: string;
}

/** The figures `test.finished` carries (and the test-results SLI provider serves). */
export interface TestFigures {
  /** Latencies of the responses, ms; absent when no response came. */
  readonly latencyP50Ms?: number;
  readonly latencyP95Ms?: number;
  readonly latencyP99Ms?: number;
  readonly latencyAvgMs?: number;
  /** Requests per second over the run. */
  readonly throughputRps: number;
  /** Failed requests / requests (0..1). */
  readonly errorRate: number;
  readonly requests: number;
  readonly errors: number;
}

/** A response, as the checks see it. */
export interface CheckedResponse {
  readonly status: number;
  readonly body: string;
  readonly latencyMs: number;
}

/** Keeps figures readable: two decimals. */
const round = (n: number): number => Math.round(n * 100) / 100;

/** The nearest-rank percentile `p` (0..100) of ascending `sorted`; undefined when empty. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** The figures of `samples` over a run of `durationMs`. */
export function computeFigures(samples: readonly Sample[], durationMs: number): TestFigures {
  const latencies = samples.flatMap((s) => (s.latencyMs === undefined ? [] : [s.latencyMs])).sort((a, b) => a - b);
  const errors = samples.filter((s) => s.failure !== undefined).length;
  const requests = samples.length;
  const pick = (p: number): number | undefined => {
    const value = percentile(latencies, p);
    return value === undefined ? undefined : round(value);
  };
  const p50 = pick(50);
  const p95 = pick(95);
  const p99 = pick(99);
  return {
    ...(p50 === undefined ? {} : { latencyP50Ms: p50 }),
    ...(p95 === undefined ? {} : { latencyP95Ms: p95 }),
    ...(p99 === undefined ? {} : { latencyP99Ms: p99 }),
    ...(latencies.length === 0 ? {} : { latencyAvgMs: round(latencies.reduce((a, b) => a + b, 0) / latencies.length) }),
    throughputRps: durationMs > 0 ? round((requests * 1000) / durationMs) : 0,
    errorRate: requests === 0 ? 0 : Math.round((errors / requests) * 10_000) / 10_000,
    requests,
    errors,
  };
}

/** Why `response` breaks `checks`, or undefined when it passes them all. */
export function checkResponse(checks: readonly Check[], response: CheckedResponse): string | undefined {
  const problems: string[] = [];
  if (!checks.some((c) => c.kind === CheckKind.status) && response.status >= 400) problems.push(`status ${response.status}`);
  for (const check of checks) {
    switch (check.kind) {
      case CheckKind.status:
        if (!check.statuses.includes(response.status)) problems.push(`status ${response.status}, expected ${check.statuses.join(' or ')}`);
        break;
      case CheckKind.bodyContains:
        if (!response.body.includes(check.text)) problems.push(`body does not contain '${check.text}'`);
        break;
      case CheckKind.maxLatencyMs:
        if (response.latencyMs > check.ms) problems.push(`took ${round(response.latencyMs)} ms, more than maxLatencyMs ${check.ms}`);
        break;
      default: {
        const never: never = check;
        throw new Error(`unhandled check ${JSON.stringify(never)}`);
      }
    }
  }
  return problems.length === 0 ? undefined : problems.join(', ');
}

/** A test's verdict: Keptn's `result` and a message saying which criterion failed. */
export interface Verdict {
  readonly result: 'pass' | 'fail';
  readonly message: string;
}

/** The verdict of `workload` (run as `strategy`) on `figures`; `firstFailure` describes one failed request. */
export function judge(workload: Workload, strategy: string, figures: TestFigures, firstFailure: string | undefined): Verdict {
  const name = `workload '${workload.teststrategy}'`;
  if (figures.requests === 0) return { result: 'fail', message: `${name} sent no request (the run was stopped before the first)` };
  const failed: string[] = [];
  const first = firstFailure === undefined ? '' : `; first failure: ${firstFailure}`;
  if (strategy.toLowerCase() === 'functional' && figures.errors > 0) {
    failed.push(`functional test failed: ${figures.errors} of ${figures.requests} request(s) failed${first}`);
  } else if (figures.errorRate > workload.acceptedErrorRate) {
    failed.push(
      `error rate ${figures.errorRate} (${figures.errors} of ${figures.requests} requests) is above acceptederrorrate ${workload.acceptedErrorRate} of ${name}${first}`,
    );
  }
  if (workload.avgRtValidationMs > 0 && figures.latencyAvgMs !== undefined && figures.latencyAvgMs > workload.avgRtValidationMs)
    failed.push(`average response time ${figures.latencyAvgMs} ms is above avgrtvalidation ${workload.avgRtValidationMs} ms of ${name}`);
  if (failed.length > 0) return { result: 'fail', message: failed.join('; ') };
  const latency = figures.latencyP95Ms === undefined ? '' : `, p50 ${figures.latencyP50Ms} ms, p95 ${figures.latencyP95Ms} ms`;
  return {
    result: 'pass',
    message: `${name} passed: ${figures.requests} request(s), error rate ${figures.errorRate}${latency}, ${figures.throughputRps} requests/s`,
  };
}
