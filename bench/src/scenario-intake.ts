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
  log(line: string): void;
}

export interface IntakeResult {
  shipmate: LoadResult;
  bare: LoadResult;
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

/** Loads the bare server first (shipmate idle), then shipmate. */
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
  const bare = await load(options.bare);
  options.log(`  (b) bare node:http: ${describe(bare)}`);
  const shipmate = await load(options.shipmate);
  options.log(`  (b) shipmate: ${describe(shipmate)}`);
  if (shipmate.firstFailure) options.log(`  (b) first shipmate failure: ${shipmate.firstFailure}`);
  return { shipmate, bare, ratioPercent: (shipmate.requestsPerSecond / bare.requestsPerSecond) * 100 };
}
