/**
 * Figures p1–p5: the control plane on PostgreSQL, measured with the code of the SQLite figures.
 * On a fresh database and data dir, replica A (`shipmate server` with `SHIPMATE_STORE_URL`) gets
 * the projects of (a) and (d); then, in this order so that the intake flood of p3 does not grow the
 * store under the others:
 * - p1: (a)'s sequences/s against replica A alone;
 * - p4: (c)'s task latency against replica A;
 * - p2: the same load as p1 through a round-robin TCP proxy in front of `replicas` replicas on the
 *   same database and data dir (B, C, … join A);
 * - p5: pickup across replicas (scenario-pickup.ts): poller on B, tasks made through A; then the
 *   same with the poller on A, the baseline without a notice;
 * - p3: (b)'s wrk intake against replica A (the others stopped) as a % of the bare server.
 * Every replica, the proxy, the data dir and the database go at the end, also on failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startRoundRobinProxy } from '@shipmate/testing/round-robin-proxy';
import type { RoundRobinProxy } from '@shipmate/testing/round-robin-proxy';
import { agentServiceNames, createAgentProject } from './agent-project.js';
import { withBenchDatabase } from './bench-postgres.js';
import { createBenchProject } from './bench-project.js';
import type { Scenario } from './config.js';
import { createHttpClient } from './http-client.js';
import type { HttpClient } from './http-client.js';
import { createKeptnApi } from './keptn-api.js';
import type { IntakeResult } from './scenario-intake.js';
import { runTaskLatency } from './scenario-latency.js';
import type { TaskLatencyResult } from './scenario-latency.js';
import { runPickup } from './scenario-pickup.js';
import type { PickupResult } from './scenario-pickup.js';
import { createScenarioRunner } from './scenario-runner.js';
import type { ScenarioCpu } from './scenario-runner.js';
import { runSequenceThroughput } from './scenario-sequences.js';
import type { SequenceThroughputResult } from './scenario-sequences.js';
import type { ServerProcess } from './server-process.js';
import { round } from './stats.js';

/** The figures this module sets (keys of figures.ts). */
export type PostgresFigure =
  | 'pgSequencesPerSecond'
  | 'pgReplicasSequencesPerSecond'
  | 'pgIntakeRatioPercent'
  | 'pgIntakeRequestsPerSecond'
  | 'pgIntakeServerCpuMicrosPerRequest'
  | 'pgTaskLatencyP50Ms'
  | 'pgTaskLatencyP99Ms'
  | 'pgPickupAcrossReplicasP50Ms'
  | 'pgPickupAcrossReplicasP99Ms';

export interface PostgresScenariosOptions {
  /** Which of p1–p5 to run. */
  selected: readonly Scenario[];
  /** Admin URL of the PostgreSQL server; the scenarios create and drop their own database on it. */
  adminUrl: string;
  dataParent: string | undefined;
  keepData: boolean;
  /** Replicas of p2 (and the poller's replica of p5 is the second). */
  replicas: number;
  /** Services of project `bench` (p1, p2, p4). */
  services: readonly string[];
  /** p1 and p2: sequences completed in total. */
  sequences: number;
  /** p4: sequences measured. */
  latencySequences: number;
  /** p5: sequences of 5 tasks per placement of the poller. */
  pickupSequences: number;
  token: string;
  /** Starts `shipmate server` on `dataDir` with `env` (tracked by the caller for shutdown). */
  startReplica: (dataDir: string, env: Record<string, string>) => Promise<ServerProcess>;
  stopServer: (server: ServerProcess) => Promise<string>;
  /** (b)'s measurement against `shipmate` (wrk, bare server, rounds and pinning as configured). */
  measureIntake: (shipmate: ServerProcess) => Promise<IntakeResult>;
  figure: (key: PostgresFigure, value: number) => void;
  interrupted: () => boolean;
  log: (line: string) => void;
}

/** What the scenarios measured, for the JSON's details. */
export interface PostgresDetails {
  replicas: number;
  sequences?: SequenceThroughputResult;
  replicaSequences?: SequenceThroughputResult & {
    /** Connections the proxy handed to each replica port. */
    proxyConnections: Record<string, number>;
    /** CPU of each replica during p2, % of one core. */
    replicaCpuPercent: number[];
  };
  taskLatency?: TaskLatencyResult;
  pickup?: { acrossReplicas: PickupResult; sameReplica: PickupResult };
  intake?: IntakeResult;
}

/** The outcome: details, and per scenario its failure or its CPU picture (as the main runner's). */
export interface PostgresOutcome {
  details: PostgresDetails;
  errors: Record<string, string>;
  cpu: Record<string, ScenarioCpu>;
}

/** Runs the selected scenarios of p1–p5 on a database of their own. */
export function runPostgresScenarios(options: PostgresScenariosOptions): Promise<PostgresOutcome> {
  return withBenchDatabase(options.adminUrl, async (database) => {
    const { log } = options;
    const dataDir = mkdtempSync(join(options.dataParent ?? tmpdir(), 'shipmate-bench-pg-'));
    const replicas: ServerProcess[] = [];
    const clients: HttpClient[] = [];
    let proxy: RoundRobinProxy | undefined;
    const startReplica = async () => {
      const replica = await options.startReplica(dataDir, { SHIPMATE_STORE_URL: database.url });
      replicas.push(replica);
      log(`(p) replica ${replicas.length} healthy at ${replica.url} (pid ${replica.pid})`);
      return replica;
    };
    const apiOn = (baseUrl: string) => {
      const client = createHttpClient({ baseUrl, token: options.token, maxSockets: 128 });
      clients.push(client);
      return createKeptnApi(client);
    };
    try {
      log(`(p) database ${database.name}, data dir ${dataDir}`);
      const primary = await startReplica();
      const runner = createScenarioRunner(primary, log, options.interrupted);
      const details: PostgresDetails = { replicas: options.replicas };
      const outcome: PostgresOutcome = { details, errors: runner.errors, cpu: runner.cpu };
      const api = apiOn(primary.url);
      const wants = (s: Scenario) => options.selected.includes(s);
      await createBenchProject(api, options.services);
      const pickupService = agentServiceNames(1);
      await createAgentProject(api, pickupService);

      if (wants('p1')) {
        await runner.run('p1', async () => {
          log(
            `(p1) PostgreSQL, 1 replica: ${options.sequences} sequences, ${Math.min(options.services.length, options.sequences)} in flight`,
          );
          const result = await runSequenceThroughput({ api, services: options.services, sequences: options.sequences, log });
          details.sequences = result;
          options.figure('pgSequencesPerSecond', result.sequencesPerSecond);
          log(`(p1) ${result.completed} finished, ${result.failed} failed → ${result.sequencesPerSecond.toFixed(1)} seq/s`);
        });
      }
      if (wants('p4')) {
        await runner.run('p4', async () => {
          log(`(p4) PostgreSQL: ${options.latencySequences} sequences one at a time`);
          const result = await runTaskLatency({ api, services: options.services, sequences: options.latencySequences, log });
          details.taskLatency = result;
          options.figure('pgTaskLatencyP50Ms', result.latencyMs.p50);
          options.figure('pgTaskLatencyP99Ms', result.latencyMs.p99);
          log(`(p4) p50 ${result.latencyMs.p50.toFixed(2)} ms, p99 ${result.latencyMs.p99.toFixed(2)} ms`);
        });
      }
      if (wants('p2') || wants('p5')) {
        while (replicas.length < options.replicas) await startReplica();
      }
      if (wants('p2')) {
        await runner.run('p2', async () => {
          proxy = await startRoundRobinProxy(replicas.map((r) => Number(new URL(r.url).port)));
          log(`(p2) ${replicas.length} replicas behind a round-robin proxy at ${proxy.url}: ${options.sequences} sequences`);
          const cpuBefore = replicas.map((r) => r.cpuSeconds());
          const startedAt = performance.now();
          const result = await runSequenceThroughput({
            api: apiOn(proxy.url),
            services: options.services,
            sequences: options.sequences,
            log,
          });
          const elapsedMs = performance.now() - startedAt;
          const replicaCpuPercent = replicas.map((r, i) => round(((r.cpuSeconds() - cpuBefore[i]!) * 100_000) / elapsedMs, 1));
          const proxyConnections = Object.fromEntries([...proxy.connections].map(([port, n]) => [String(port), n]));
          details.replicaSequences = { ...result, proxyConnections, replicaCpuPercent };
          options.figure('pgReplicasSequencesPerSecond', result.sequencesPerSecond);
          log(
            `(p2) ${result.completed} finished, ${result.failed} failed → ${result.sequencesPerSecond.toFixed(1)} seq/s; ` +
              `replica CPU ${replicaCpuPercent.join(' / ')} % of a core; proxy connections per replica ${JSON.stringify(proxyConnections)}`,
          );
        });
      }
      if (wants('p5')) {
        await runner.run('p5', async () => {
          const [a, b] = replicas;
          log(
            `(p5) ${options.pickupSequences} sequences of 5 tasks: poller parked on replica 2, tasks made through replica 1; then both on replica 1`,
          );
          const target = (server: ServerProcess) => ({ serverUrl: server.url, token: options.token });
          const common = { triggerApi: api, sequences: options.pickupSequences, service: pickupService[0]! };
          const acrossReplicas = await runPickup({ ...common, pollTarget: target(b!), pollerName: 'bench-pickup-across' });
          log(describePickup('poller on replica 2', acrossReplicas));
          const sameReplica = await runPickup({ ...common, pollTarget: target(a!), pollerName: 'bench-pickup-same' });
          log(describePickup('poller on replica 1 (baseline)', sameReplica));
          details.pickup = { acrossReplicas, sameReplica };
          options.figure('pgPickupAcrossReplicasP50Ms', acrossReplicas.fromAckMs.p50);
          options.figure('pgPickupAcrossReplicasP99Ms', acrossReplicas.fromAckMs.p99);
        });
      }
      if (wants('p3')) {
        // Replica A alone, as (b) loads the single SQLite server.
        await proxy?.close();
        proxy = undefined;
        for (const replica of replicas.slice(1)) await options.stopServer(replica);
        await runner.run('p3', async () => {
          log('(p3) PostgreSQL, 1 replica: wrk POST /api/v1/event against the bare server and replica 1');
          const result = await options.measureIntake(primary);
          details.intake = result;
          options.figure('pgIntakeRatioPercent', result.ratioPercent);
          options.figure('pgIntakeRequestsPerSecond', result.shipmate.requestsPerSecond);
          options.figure('pgIntakeServerCpuMicrosPerRequest', result.shipmate.serverCpuMicrosPerRequest);
        });
      }
      return outcome;
    } finally {
      for (const client of clients) client.close();
      await proxy?.close();
      for (const replica of replicas) await options.stopServer(replica);
      if (options.keepData) log(`(p) data dir kept: ${dataDir}`);
      else rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

function describePickup(where: string, result: PickupResult): string {
  const ms = (value: number) => round(value, 2);
  return (
    `(p5) ${where}: ack → poller p50 ${ms(result.fromAckMs.p50)} ms, p99 ${ms(result.fromAckMs.p99)} ms, max ${ms(result.fromAckMs.max)} ms; ` +
    `stored → poller p99 ${ms(result.fromStoredMs.p99)} ms; ${result.handedBeforeAck} of ${result.fromAckMs.count} in hand before the ack`
  );
}
