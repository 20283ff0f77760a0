/**
 * Figure (b): `POST /api/v1/event` acknowledged per second, as a share of what a bare `node:http`
 * server answers to the same load. The load is `wrk` (C, keep-alive connections, closed loop), so the
 * generator is not the bottleneck; every request posts the same small `test.finished` whose
 * triggeredid matches no task, so the orchestrator has little to do with it beyond storing it.
 */
import { randomUUID } from 'node:crypto';
import { PROJECT, STAGE } from './bench-project.js';
import { pinProcess } from './cpu-affinity.js';
import type { ServerProcess } from './server-process.js';
import { round } from './stats.js';
import { runWrk } from './wrk.js';
import type { WrkReport } from './wrk-output.js';
import { wrkRunProblems } from './wrk-output.js';

/** The path every request of (b) posts to. */
const INTAKE_PATH = '/api/v1/event';

/** Which CPUs the server under load and wrk get, when the run pins them. */
export interface IntakePinning {
  server: readonly number[];
  wrk: readonly number[];
  /** The shipmate server's CPUs before (b), restored after it. */
  shipmateBefore: readonly number[];
}

export interface IntakeOptions {
  shipmate: ServerProcess;
  bare: ServerProcess;
  token: string;
  service: string;
  /** The Lua script that POSTs `WRK_BODY` (bench/wrk/post-body.lua). */
  wrkScript: string;
  threads: number;
  connections: number;
  /** Whole seconds measured per target and round. */
  durationSeconds: number;
  /** Whole seconds of unmeasured load before each measured run (0: none). */
  warmupSeconds: number;
  /** Alternating bare/shipmate rounds; the best round of each counts. */
  rounds: number;
  /** Unset: no pinning. */
  pinning?: IntakePinning;
  /** Prefix of the log lines. @default '(b)' */
  label?: string;
  log(line: string): void;
}

/** One measured wrk run against one target. */
export interface IntakeRun {
  requestsPerSecond: number;
  requests: number;
  durationSeconds: number;
  latencyMs: WrkReport['latencyMs'];
  non2xxOr3xx: number;
  socketErrors: WrkReport['socketErrors'];
  /** CPU of the server under load during the run, all threads, % of one core. */
  serverCpuPercent: number;
  /**
   * CPU of the server's main thread (its event loop) during the run, % of one core. Near 100 the
   * event loop is the ceiling; well below it, the server waited for requests between its batches.
   */
  serverMainThreadPercent: number;
  /**
   * The server's CPU (all threads) per answered request, in µs: what one request costs, which moves
   * less from run to run than the request rates on a shared machine.
   */
  serverCpuMicrosPerRequest: number;
  /** CPU of wrk during the run, % of one core. */
  wrkCpuPercent: number;
  /** Why the run is not a figure (non-2xx responses, socket errors); empty when valid. */
  problems: string[];
}

export interface IntakeResult {
  /** Best valid round of each target. */
  shipmate: IntakeRun;
  bare: IntakeRun;
  /** Every round, in order. */
  rounds: Array<{ bare: IntakeRun; shipmate: IntakeRun }>;
  /** shipmate req/s as a percentage of bare req/s. */
  ratioPercent: number;
  /** How wrk ran. */
  wrk: { threads: number; connections: number; pinning: { server: readonly number[]; wrk: readonly number[] } | null };
}

/** The small `test.finished` event answering no open task, posted by every request. */
function unmatchedFinished(service: string): string {
  return JSON.stringify({
    type: 'sh.keptn.event.test.finished',
    source: 'bench',
    triggeredid: randomUUID(),
    data: { project: PROJECT, stage: STAGE, service, result: 'pass', status: 'succeeded' },
  });
}

/** One POST of `body` with node's fetch: status and the start of the answer, to explain a failed run. */
async function probe(url: string, token: string, body: string): Promise<string> {
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-token': token }, body });
    return `a single POST answers HTTP ${response.status} ${(await response.text()).slice(0, 300)}`;
  } catch (error) {
    return `a single POST fails: ${String(error)}`;
  }
}

function describe(run: IntakeRun): string {
  const figures =
    `${Math.round(run.requestsPerSecond)} req/s, p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms; ` +
    `CPU server ${Math.round(run.serverCpuPercent)} % (${run.serverCpuMicrosPerRequest} µs per request; main thread ${Math.round(run.serverMainThreadPercent)} %), wrk ${Math.round(run.wrkCpuPercent)} %`;
  return run.problems.length ? `INVALID (${run.problems.join('; ')}); ${figures}` : figures;
}

/**
 * Per round, loads the bare server first (shipmate idle), then shipmate, each with an unmeasured
 * warm-up run of wrk before the measured one. With `pinning`, the target and wrk run on their own
 * CPUs and shipmate gets its CPUs back at the end. Throws when a measured run had non-2xx responses
 * or socket errors: such a run is no figure.
 */
export async function runIntake(options: IntakeOptions): Promise<IntakeResult> {
  const body = unmatchedFinished(options.service);
  const load = async (target: ServerProcess, seconds: number): Promise<IntakeRun> => {
    const cpuBefore = target.cpuSeconds();
    const mainBefore = target.mainThreadCpuSeconds();
    const run = await runWrk({
      url: `${target.url}${INTAKE_PATH}`,
      script: options.wrkScript,
      env: { WRK_BODY: body },
      headers: { 'x-token': options.token },
      threads: options.threads,
      connections: options.connections,
      durationSeconds: seconds,
      ...(options.pinning ? { cpus: options.pinning.wrk } : {}),
    });
    const { report } = run;
    const serverCpuSeconds = target.cpuSeconds() - cpuBefore;
    const mainThreadCpuSeconds = target.mainThreadCpuSeconds() - mainBefore;
    return {
      requestsPerSecond: report.requestsPerSecond,
      requests: report.requests,
      durationSeconds: report.durationSeconds,
      latencyMs: report.latencyMs,
      non2xxOr3xx: report.non2xxOr3xx,
      socketErrors: report.socketErrors,
      serverCpuPercent: round((serverCpuSeconds * 100_000) / run.elapsedMs, 1),
      serverMainThreadPercent: round((mainThreadCpuSeconds * 100_000) / run.elapsedMs, 1),
      serverCpuMicrosPerRequest: report.requests > 0 ? round((serverCpuSeconds * 1_000_000) / report.requests, 1) : 0,
      wrkCpuPercent: round(run.cpuPercent, 1),
      problems: wrkRunProblems(report),
    };
  };
  const measure = async (target: ServerProcess) => {
    if (options.warmupSeconds > 0) await load(target, options.warmupSeconds);
    return load(target, options.durationSeconds);
  };

  const { pinning } = options;
  if (pinning) {
    pinProcess(options.bare.pid, pinning.server);
    pinProcess(options.shipmate.pid, pinning.server);
  }
  const rounds: IntakeResult['rounds'] = [];
  try {
    for (let round = 1; round <= options.rounds; round++) {
      const label = options.label ?? '(b)';
      const prefix = options.rounds > 1 ? `  ${label} round ${round}/${options.rounds}` : `  ${label}`;
      const bare = await measure(options.bare);
      options.log(`${prefix} bare node:http: ${describe(bare)}`);
      const shipmate = await measure(options.shipmate);
      options.log(`${prefix} shipmate: ${describe(shipmate)}`);
      rounds.push({ bare, shipmate });
    }
  } finally {
    if (pinning && options.shipmate.running()) pinProcess(options.shipmate.pid, pinning.shipmateBefore);
  }

  const invalid = rounds.flatMap((r, i) =>
    (['bare', 'shipmate'] as const).filter((t) => r[t].problems.length).map((t) => `${t} round ${i + 1}: ${r[t].problems.join('; ')}`),
  );
  if (invalid.length) {
    const target = rounds.some((r) => r.shipmate.problems.length) ? options.shipmate : options.bare;
    const why = await probe(`${target.url}${INTAKE_PATH}`, options.token, body);
    throw new Error(`(b) is no figure: wrk saw errors (${invalid.join(' | ')}); ${why}`);
  }
  const best = (pick: (r: IntakeResult['rounds'][number]) => IntakeRun) =>
    rounds.map(pick).reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
  const bare = best((r) => r.bare);
  const shipmate = best((r) => r.shipmate);
  return {
    shipmate,
    bare,
    rounds,
    ratioPercent: (shipmate.requestsPerSecond / bare.requestsPerSecond) * 100,
    wrk: {
      threads: options.threads,
      connections: options.connections,
      pinning: pinning ? { server: pinning.server, wrk: pinning.wrk } : null,
    },
  };
}
