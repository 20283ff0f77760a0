/**
 * Figure (b): `POST /api/v1/event` acknowledged per second, as a share of what a bare `node:http`
 * server answers under the same load generator. The event is a `test.finished` whose triggeredid
 * matches no task, so the orchestrator has little to do with it beyond storing it.
 */
import { randomUUID } from 'node:crypto';
import { PROJECT, STAGE } from './bench-project.js';
import type { LoadRequest, LoadResult } from './load.js';
import { runLoad } from './load.js';
import type { ServerProcess } from './server-process.js';

export interface IntakeOptions {
  shipmate: ServerProcess;
  bare: ServerProcess;
  token: string;
  service: string;
  connections: number;
  durationMs: number;
  warmupMs: number;
  /** Alternating bare/shipmate rounds; the best round of each counts. */
  rounds: number;
  log(line: string): void;
}

export interface IntakeResult {
  /** Best round of each target. */
  shipmate: LoadResult;
  bare: LoadResult;
  /** Every round, in order. */
  rounds: Array<{ bare: LoadResult; shipmate: LoadResult }>;
  /** shipmate req/s as a percentage of bare req/s. */
  ratioPercent: number;
}

/** A fresh small `test.finished` event answering no open task. */
function unmatchedFinished(service: string): LoadRequest {
  const event = {
    type: 'sh.keptn.event.test.finished',
    source: 'bench',
    triggeredid: randomUUID(),
    data: { project: PROJECT, stage: STAGE, service, result: 'pass', status: 'succeeded' },
  };
  return { method: 'POST', path: '/api/v1/event', body: Buffer.from(JSON.stringify(event)) };
}

/**
 * Per round, loads the bare server first (shipmate idle), then shipmate. Several rounds make the
 * ratio less sensitive to other work on the machine: the best round of each target is compared.
 */
export async function runIntake(options: IntakeOptions): Promise<IntakeResult> {
  const load = (target: ServerProcess) =>
    runLoad({
      baseUrl: target.url,
      targetCpuSeconds: () => target.cpuSeconds(),
      token: options.token,
      connections: options.connections,
      durationMs: options.durationMs,
      warmupMs: options.warmupMs,
      next: () => unmatchedFinished(options.service),
    });
  const describe = (r: LoadResult) =>
    `${Math.round(r.requestsPerSecond)} req/s, ${r.failed} failed; CPU server ${Math.round(r.targetCpuPercent ?? Number.NaN)} %, load generator ${Math.round(r.clientCpuPercent)} %`;
  const rounds: IntakeResult['rounds'] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const prefix = options.rounds > 1 ? `  (b) round ${round}/${options.rounds}` : '  (b)';
    const bare = await load(options.bare);
    options.log(`${prefix} bare node:http: ${describe(bare)}`);
    const shipmate = await load(options.shipmate);
    options.log(`${prefix} shipmate: ${describe(shipmate)}`);
    if (shipmate.firstFailure) options.log(`${prefix} first shipmate failure: ${shipmate.firstFailure}`);
    rounds.push({ bare, shipmate });
  }
  const best = (pick: (r: IntakeResult['rounds'][number]) => LoadResult) =>
    rounds.map(pick).reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
  const bare = best((r) => r.bare);
  const shipmate = best((r) => r.shipmate);
  return { shipmate, bare, rounds, ratioPercent: (shipmate.requestsPerSecond / bare.requestsPerSecond) * 100 };
}
