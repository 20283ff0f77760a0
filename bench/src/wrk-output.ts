/**
 * Parses the text report of `wrk` 4.x run with `--latency` (the load generator of figure (b)) and
 * tells whether a run is valid: every response 2xx/3xx and no socket errors.
 */

/** Socket errors as wrk counts them: failed connects, reads, writes, and requests over `--timeout`. */
export interface WrkSocketErrors {
  connect: number;
  read: number;
  write: number;
  timeout: number;
}

/** What one wrk run reports. Times are in milliseconds. */
export interface WrkReport {
  threads: number;
  connections: number;
  /** Responses completed in the run, whatever their status. */
  requests: number;
  durationSeconds: number;
  /** `Requests/sec` as wrk prints it: completed responses ÷ run time. */
  requestsPerSecond: number;
  latencyMs: { mean: number; stdev: number; max: number; p50: number; p75: number; p90: number; p99: number };
  socketErrors: WrkSocketErrors;
  /** Responses whose status was neither 2xx nor 3xx. */
  non2xxOr3xx: number;
}

/** Milliseconds per unit of wrk's `format_time_us`. */
const TIME_UNITS_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const TIME = String.raw`(\d+(?:\.\d+)?)(us|ms|s|m|h)`;

/** `value` `unit` in ms, to the µs (wrk prints two decimals, so nothing finer is lost). */
function toMs(value: string, unit: string): number {
  return Math.round(Number(value) * TIME_UNITS_MS[unit]! * 1000) / 1000;
}

/** The first match of `pattern` in `text`; throws naming `what` when wrk's report lacks it. */
function required(text: string, pattern: RegExp, what: string): RegExpExecArray {
  const match = pattern.exec(text);
  if (!match) throw new Error(`not a wrk --latency report: no ${what} line (${pattern.source}) in:\n${text.slice(0, 2000)}`);
  return match;
}

/**
 * Reads a wrk report. Throws when a line every `wrk --latency` report has (threads and connections,
 * the latency stats and distribution, the request count, `Requests/sec`) is missing or not a number.
 */
export function parseWrkOutput(text: string): WrkReport {
  const setup = required(text, /^\s*(\d+) threads? and (\d+) connections?$/m, 'threads and connections');
  const latency = required(text, new RegExp(String.raw`^\s*Latency\s+${TIME}\s+${TIME}\s+${TIME}\s+[\d.]+%$`, 'm'), 'latency stats');
  const percentile = (p: number) => {
    const match = required(text, new RegExp(String.raw`^\s*${p}%\s+${TIME}$`, 'm'), `latency ${p}%`);
    return toMs(match[1]!, match[2]!);
  };
  const total = required(text, new RegExp(String.raw`^\s*(\d+) requests in ${TIME}, `, 'm'), 'request count');
  const rate = required(text, /^Requests\/sec:\s+(\d+(?:\.\d+)?)$/m, 'Requests/sec');
  const socket = /^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)$/m.exec(text);
  const status = /^\s*Non-2xx or 3xx responses: (\d+)$/m.exec(text);
  return {
    threads: Number(setup[1]),
    connections: Number(setup[2]),
    requests: Number(total[1]),
    durationSeconds: toMs(total[2]!, total[3]!) / 1000,
    requestsPerSecond: Number(rate[1]),
    latencyMs: {
      mean: toMs(latency[1]!, latency[2]!),
      stdev: toMs(latency[3]!, latency[4]!),
      max: toMs(latency[5]!, latency[6]!),
      p50: percentile(50),
      p75: percentile(75),
      p90: percentile(90),
      p99: percentile(99),
    },
    socketErrors: {
      connect: Number(socket?.[1] ?? 0),
      read: Number(socket?.[2] ?? 0),
      write: Number(socket?.[3] ?? 0),
      timeout: Number(socket?.[4] ?? 0),
    },
    non2xxOr3xx: Number(status?.[1] ?? 0),
  };
}

/**
 * Why a run's throughput is not a figure: no responses, responses that were not 2xx/3xx, or socket
 * errors (each kind named with its count). Empty when the run is valid.
 */
export function wrkRunProblems(report: WrkReport): string[] {
  const problems: string[] = [];
  if (report.requests === 0) problems.push('no response completed');
  if (report.non2xxOr3xx > 0) problems.push(`${report.non2xxOr3xx} of ${report.requests} responses were not 2xx/3xx`);
  const socket = Object.entries(report.socketErrors).filter(([, count]) => count > 0);
  if (socket.length) problems.push(`socket errors: ${socket.map(([kind, count]) => `${kind} ${count}`).join(', ')}`);
  return problems;
}
