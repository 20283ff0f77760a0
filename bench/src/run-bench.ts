/**
 * Shipmate benchmark: starts the real server, runs the scenarios, prints a table of figures
 * against their targets and writes bench/results/. Run with `npm run bench` from the repo root.
 * Scenario order is (a), (f), (c), (d), (e), (i), (b), (g), (h): the intake flood of (b) and the
 * 20,000 sequences of (g) go last so they do not grow the store or leave orchestrator backlog under
 * the others; (h) runs its own server on its own data dir. The peak RSS figure is the server's
 * VmHWM before the agent fleets of (e) and (i), which report their own memory.
 * Then the PostgreSQL figures p1–p5 (replicas on a database of their own, scenario-postgres.ts) and
 * p6 ((h) on PostgreSQL), skipped with one line when the PostgreSQL server does not answer.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createPostgresStore } from '@shipmate/store-postgres';
import { createSqliteStore } from '@shipmate/store-sqlite';
import { agentServiceNames, createAgentProject } from './agent-project.js';
import { vacuumAnalyzeDatabase, postgresUnreachableReason, redactedUrl, withBenchDatabase } from './bench-postgres.js';
import { allowedCpus } from './cpu-affinity.js';
import { createBenchProject, serviceNames } from './bench-project.js';
import { POSTGRES_SCENARIOS, readConfig } from './config.js';
import { closeAllClients, createHttpClient } from './http-client.js';
import { createKeptnApi } from './keptn-api.js';
import { busyWarning, machineLoad, machineLoadOver } from './machine.js';
import { FIGURES, collectFigures } from './figures.js';
import type { FigureKey } from './figures.js';
import { formatTable, isMet, writeResults } from './report.js';
import { runFleet } from './scenario-fleet.js';
import { runParkedCpu } from './scenario-parked-cpu.js';
import { runAgentHandlerLatency, runSdkHandlerLatency } from './scenario-handler-latency.js';
import { runIntake } from './scenario-intake.js';
import type { IntakePinning } from './scenario-intake.js';
import { runTaskLatency } from './scenario-latency.js';
import { createScenarioRunner } from './scenario-runner.js';
import { runConfigScenario } from './scenario-config.js';
import { runSequenceThroughput } from './scenario-sequences.js';
import { runWalScenario } from './scenario-wal.js';
import { HISTORY_READS, runHistoryScenario } from './scenario-history.js';
import type { HistoryOptions, HistoryRead, HistorySizeResult } from './scenario-history.js';
import { runPostgresScenarios } from './scenario-postgres.js';
import { freePort, startServerProcess, walWritesOf } from './server-process.js';
import type { ServerProcess, StartOptions } from './server-process.js';
import { round } from './stats.js';
import { requireWrk } from './wrk.js';
import { entrypointNodeFlags } from './server-node-flags.js';
import { measureRoundTripFloor } from './round-trip-floor.js';

const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REPO_ROOT = resolve(BENCH_DIR, '..');
const SHIPMATE_BIN = join(REPO_ROOT, 'apps/cli/bin/shipmate.js');
/** Node flags of the shipmate image's ENTRYPOINT: the server runs as shipped. */
const SERVER_NODE_FLAGS = entrypointNodeFlags(readFileSync(join(REPO_ROOT, 'images/shipmate/Containerfile'), 'utf8'));
const BARE_SERVER = join(BENCH_DIR, 'dist/bare-server.js');
const WRK_SCRIPT = join(BENCH_DIR, 'wrk/post-body.lua');
const RESULTS_DIR = join(BENCH_DIR, 'results');
const TOKEN = 'bench-token';
/** The server's default SHIPMATE_MAX_CONNECTIONS. */
const SERVER_DEFAULT_MAX_CONNECTIONS = 4096;
/** Connections besides (e)'s fleet: the bench's client (128), wrk (32), the agent of (d), and spare. */
const CONNECTION_HEADROOM = 1024;
const MIB = 1024 * 1024;
/** Timed round trips of (c)'s floor. */
const ROUND_TRIP_SAMPLES = 1000;

const t0 = performance.now();
function log(line: string): void {
  console.log(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}`);
}

/** `key` as a figure key; throws when figures.ts has no such figure (a read added without its figures). */
function historyFigureKey(key: string): FigureKey {
  const found = FIGURES.find((f) => f.key === key);
  if (!found) throw new Error(`figures.ts has no figure '${key}'`);
  return found.key;
}

/** The figures of (h) (`prefix` `history`) or (p6) (`pgHistory`) from the reads at the small and the large size. */
function historyFigures(prefix: 'history' | 'pgHistory', small: HistorySizeResult, large: HistorySizeResult): Array<[FigureKey, number]> {
  const figures: Array<[FigureKey, number]> = [];
  for (const read of Object.keys(HISTORY_READS) as HistoryRead[]) {
    if (read === 'sequenceNoPageSize') continue;
    const name = `${read[0]!.toUpperCase()}${read.slice(1)}`;
    figures.push([historyFigureKey(`${prefix}${name}P99MsAt10k`), small.reads[read].p99]);
    figures.push([historyFigureKey(`${prefix}${name}P99MsAt100k`), large.reads[read].p99]);
  }
  figures.push([historyFigureKey(`${prefix}SequenceNoPageSizeKiBAt100k`), large.reads.sequenceNoPageSize.meanBytes / 1024]);
  figures.push([historyFigureKey(`${prefix}SequenceNoPageSizeP50MsAt100k`), large.reads.sequenceNoPageSize.p50]);
  return figures;
}

/**
 * Starts `shipmate server` on a free port. `maxConnections` (SHIPMATE_MAX_CONNECTIONS) must hold (e)'s
 * fleet: above the default cap the server closes further connections at once. With `cpuProfileDir`
 * the server writes a V8 CPU profile there when it stops (NODE_OPTIONS may not carry `--cpu-prof`).
 */
async function startShipmate(
  dataDir: string,
  maxConnections: number,
  cpuProfileDir?: string,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const profile = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
  return startServerProcess({
    name: env.SHIPMATE_STORE_URL ? 'shipmate server (PostgreSQL)' : 'shipmate server',
    args: [...profile, ...SERVER_NODE_FLAGS, SHIPMATE_BIN, 'server', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir],
    url: `http://127.0.0.1:${port}`,
    env: { SHIPMATE_API_TOKEN: TOKEN, SHIPMATE_LOG_LEVEL: 'warn', SHIPMATE_MAX_CONNECTIONS: String(maxConnections), ...env },
  });
}

async function startBare(): Promise<ServerProcess> {
  const port = await freePort();
  return startServerProcess({
    name: 'bare node:http server',
    args: [BARE_SERVER, '--port', String(port)],
    url: `http://127.0.0.1:${port}`,
  });
}

/**
 * The CPUs of (b): the server under load on the first CPU this process may use, wrk on the second;
 * undefined (with a note) when pinning is off or there is only one CPU.
 */
function intakePinning(pin: boolean, shipmatePid: number, log: (line: string) => void): IntakePinning | undefined {
  if (!pin) return undefined;
  const cpus = allowedCpus();
  if (cpus.length < 2) {
    log(`one CPU only (${cpus.join(',')}): server and wrk are not pinned`);
    return undefined;
  }
  return { server: [cpus[0]!], wrk: [cpus[1]!], shipmateBefore: allowedCpus(shipmatePid) };
}

async function main(): Promise<number> {
  const config = readConfig();
  // Fail before minutes of other scenarios rather than at (b).
  if (config.scenarios.includes('b') || config.scenarios.includes('p3')) requireWrk();
  const date = new Date();
  const services = serviceNames(config.services);
  /** (a)'s services: one per sequence in flight; the first BENCH_SERVICES are the other scenarios' too. */
  const aServices = serviceNames(Math.max(config.services, config.scenarios.includes('a') ? config.inFlight : 0));
  const maxConnections = Math.max(SERVER_DEFAULT_MAX_CONNECTIONS, config.agentInstances + CONNECTION_HEADROOM);
  const values = new Map<FigureKey, number>();
  const details: Record<string, unknown> = {};
  const running = new Set<ServerProcess>();
  /** Stops a server (idempotent) and logs how it ended, once. */
  const stopServer = async (p: ServerProcess) => {
    const how = await p.stop();
    if (running.delete(p)) log(`stopped ${p.name} (pid ${p.pid}): ${how}`);
    return how;
  };
  const stopAll = () => Promise.all([...running].map(stopServer));
  /** Starts a child process (the shipmate agent of d) tracked like the servers. */
  const startTracked = async (options: StartOptions) => {
    const p = await startServerProcess(options);
    running.add(p);
    if (interrupted) await stopServer(p);
    return p;
  };
  const figure = (key: FigureKey, value: number) => values.set(key, round(value, 2));
  /** Starts a bare node:http server, tracked like the others. */
  const startTrackedBare = async () => {
    const bare = await startBare();
    running.add(bare);
    if (interrupted) await stopServer(bare);
    return bare;
  };
  /** (c)'s floor: round trips to a bare server started for it and stopped after. */
  const roundTripFloor = async () => {
    const bare = await startTrackedBare();
    try {
      return await measureRoundTripFloor(bare.url, ROUND_TRIP_SAMPLES);
    } finally {
      await stopServer(bare);
    }
  };
  /** VmHWM before the first fleet scenario: the peak RSS figure leaves the fleets out. */
  let peakBeforeFleetsBytes: number | undefined;
  const notePeakBeforeFleets = () => (peakBeforeFleetsBytes ??= server.memory()?.peakRssBytes);

  // On SIGINT/SIGTERM: close the clients (the scenarios then fail fast and later ones are skipped),
  // stop the servers, and let main clean up and return 130 without writing results. A second
  // signal, or 20 s without finishing, exits at once.
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${signal}: stopping`);
    closeAllClients();
    void stopAll();
    setTimeout(() => process.exit(130), 20_000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const shownConfig = { ...config, postgresUrl: redactedUrl(config.postgresUrl) };
  log(`node ${process.version}; config ${JSON.stringify(shownConfig)}`);
  // Over a second of its own: the 10 s average still holds the build that npm run bench ran first.
  const loadAtStart = await machineLoadOver();
  const warning = busyWarning(loadAtStart);
  if (warning) log(warning);
  const dataDir = mkdtempSync(join(config.dataParent ?? tmpdir(), 'shipmate-bench-'));
  log(`starting shipmate server (data dir ${dataDir})`);
  const server = await startShipmate(dataDir, maxConnections, config.serverCpuProfileDir).catch((error: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  running.add(server);
  if (interrupted) await stopServer(server);
  log(`shipmate server healthy at ${server.url} (pid ${server.pid})`);
  // Whether the store wrote its WAL through wal-coalesce (built by npm run build when a C compiler is there).
  for (let waited = 0; walWritesOf(server.output()) === undefined && waited < 2_000; waited += 50) await sleep(50);
  details.walWrites = walWritesOf(server.output()) ?? 'not said by the startup line';
  log(`SQLite WAL writes: ${String(details.walWrites)}`);
  const client = createHttpClient({ baseUrl: server.url, token: TOKEN, maxSockets: 128 });
  const api = createKeptnApi(client);

  const scenarios = createScenarioRunner(server, log, () => interrupted);
  const { errors } = scenarios;
  details.cpu = scenarios.cpu;

  try {
    await createBenchProject(api, aServices);
    log(`created project bench with ${aServices.length} services`);
    const target = { serverUrl: server.url, token: TOKEN };
    if (config.scenarios.includes('d') || config.scenarios.includes('e') || config.scenarios.includes('i')) {
      await createAgentProject(api, agentServiceNames(config.handlerInFlight));
      log(`created project bench-agents with ${config.handlerInFlight} services`);
    }

    if (config.scenarios.includes('a')) {
      await scenarios.run('a', async () => {
        const run = async (inFlight: number, label: string) => {
          log(`(a) ${label}: ${config.sequences} sequences, ${Math.min(inFlight, config.sequences)} in flight`);
          const result = await runSequenceThroughput({ api, services: aServices.slice(0, inFlight), sequences: config.sequences, log });
          log(
            `(a) ${label}: ${result.completed} finished, ${result.failed} failed in ${(result.elapsedMs / 1000).toFixed(2)} s → ${result.sequencesPerSecond.toFixed(1)} seq/s`,
          );
          return result;
        };
        if (config.sequenceWarmup > 0) {
          log(
            `(a) warm-up: ${config.sequenceWarmup} sequences first, not measured (the server's JIT warms up, as before (b)'s measured seconds)`,
          );
          const warmup = await runSequenceThroughput({ api, services: aServices, sequences: config.sequenceWarmup, log });
          details.sequencesWarmup = { completed: warmup.completed, failed: warmup.failed, sequencesPerSecond: warmup.sequencesPerSecond };
          log(`(a) warm-up: ${warmup.sequencesPerSecond.toFixed(1)} seq/s`);
        }
        const few = await run(config.services, 'few in flight');
        details.sequencesFewInFlight = few;
        figure('sequencesPerSecondFewInFlight', few.sequencesPerSecond);
        const result = await run(config.inFlight, 'target');
        details.sequences = result;
        figure('sequencesPerSecond', result.sequencesPerSecond);
      });
    }
    if (config.scenarios.includes('f')) {
      await scenarios.run('f', async () => {
        log(
          `(f) sequence starts in rounds of ${config.configRoundStarts} (${config.configInFlight} in flight): cached, new commit, shipyard from git; ${config.resourceGets} GETs per resource figure`,
        );
        const result = await runConfigScenario({
          api,
          roundStarts: config.configRoundStarts,
          cycles: config.configCycles,
          dataDir,
          inFlight: config.configInFlight,
          gets: config.resourceGets,
          log,
        });
        details.config = result;
        figure('configStartsCachedPerSecond', result.starts.cached.overallStartsPerSecond);
        figure('configStartsNewCommitPerSecond', result.starts.newCommit.overallStartsPerSecond);
        figure('configStartsNewCommitRatioPercent', result.newCommitRatioPercent);
        figure('configStartsFromGitPerSecond', result.starts.fromGit.overallStartsPerSecond);
        figure('configStartsFromGitRatioPercent', result.fromGitRatioPercent);
        figure('resourceGetP50Ms', result.resourceGetMs.smallAtTip.p50);
        figure('resourceGetP99Ms', result.resourceGetMs.smallAtTip.p99);
        figure('resourceGetAtCommitP99Ms', result.resourceGetMs.smallAtCommit.p99);
        figure('resourceGetLargeP99Ms', result.resourceGetMs.largeAtTip.p99);
      });
    }
    if (config.scenarios.includes('c')) {
      await scenarios.run('c', async () => {
        log(`(c) ${config.latencySequences} sequences one at a time`);
        const result = await runTaskLatency({ api, services, sequences: config.latencySequences, log });
        details.taskLatency = result;
        figure('taskLatencyP50Ms', result.latencyMs.p50);
        figure('taskLatencyP99Ms', result.latencyMs.p99);
        log(
          `(c) p50 ${result.latencyMs.p50.toFixed(2)} ms, p99 ${result.latencyMs.p99.toFixed(2)} ms (ack of .finished p50 ${result.finishedAckMs.p50.toFixed(2)} ms)`,
        );
      });
      // Its own scenario, so that (c)'s CPU picture covers (c) alone.
      await scenarios.run('c floor', async () => {
        const floor = await roundTripFloor();
        details.roundTripFloor = floor;
        figure('roundTripFloorP50Ms', floor.p50);
        figure('roundTripFloorP99Ms', floor.p99);
        log(`(c) floor: one round trip to a bare node:http server: p50 ${floor.p50.toFixed(2)} ms, p99 ${floor.p99.toFixed(2)} ms`);
      });
    }
    if (config.scenarios.includes('d')) {
      await scenarios.run('d', async () => {
        const perPath = config.handlerSequences * 2;
        log(
          `(d) ${perPath} sequences of 5 tasks per path: ${config.handlerSequences} one at a time, then ${config.handlerSequences} with ${config.handlerInFlight} in flight`,
        );
        const options = { api, target, serverPid: server.pid, sequences: config.handlerSequences, inFlight: config.handlerInFlight, log };
        const sdk = await runSdkHandlerLatency(options);
        details.handlerLatency = { sdk };
        figure('sdkHandlerP50Ms', sdk.all.p50);
        figure('sdkHandlerP99Ms', sdk.all.p99);
        figure('sdkHandlerMaxMs', sdk.all.max);
        log(`(d) SDK handler: p50 ${sdk.all.p50} ms, p99 ${sdk.all.p99} ms, max ${sdk.all.max} ms over ${sdk.all.count} tasks`);
        const agent = await runAgentHandlerLatency({
          ...options,
          startProcess: startTracked,
          stopProcess: stopServer,
          shipmateBin: SHIPMATE_BIN,
          surfacePort: await freePort(),
        });
        details.handlerLatency = { sdk, agent };
        figure('agentHandlerP50Ms', agent.all.p50);
        figure('agentHandlerP99Ms', agent.all.p99);
        figure('agentHandlerMaxMs', agent.all.max);
        log(
          `(d) shipmate agent → recipient: p50 ${agent.all.p50} ms, p99 ${agent.all.p99} ms, max ${agent.all.max} ms over ${agent.all.count} tasks`,
        );
      });
    }
    if (config.scenarios.includes('e')) {
      notePeakBeforeFleets();
      await scenarios.run('e', async () => {
        log(`(e) ${config.agentInstances} agent instances (${config.agentReplicas} per integration), ${config.idleSeconds} s idle window`);
        const result = await runFleet({
          api,
          target,
          server,
          instances: config.agentInstances,
          replicas: config.agentReplicas,
          settleSeconds: config.settleSeconds,
          idleSeconds: config.idleSeconds,
          latencySequences: config.fleetSequences,
          log,
        });
        details.fleet = result;
        figure('fleetRssMiB', result.rssMiB.windowMax);
        figure('fleetIdleCpuPercent', result.idleCpuPercent);
        if (result.latencyMs.count > 0) {
          figure('fleetHandlerP50Ms', result.latencyMs.p50);
          figure('fleetHandlerP99Ms', result.latencyMs.p99);
        }
      });
    }
    if (config.scenarios.includes('i')) {
      notePeakBeforeFleets();
      await scenarios.run('i', async () => {
        log(
          `(i) server CPU per sequence: ${config.parkedSequences} sequences per round with ${config.parkedFew}, ${config.parkedMany}, then ${config.parkedFew} instances of other integrations parked`,
        );
        const result = await runParkedCpu({
          api,
          target,
          server,
          services,
          few: config.parkedFew,
          many: config.parkedMany,
          sequences: config.parkedSequences,
          log,
        });
        details.parkedCpu = result;
        figure('parkedFewCpuMsPerSequence', result.fewCpuMsPerSequence);
        figure('parkedManyCpuMsPerSequence', result.manyCpuMsPerSequence);
        figure('parkedCpuRatioPercent', result.ratioPercent);
        log(
          `(i) ${result.fewCpuMsPerSequence} ms per sequence with ${config.parkedFew} parked, ${result.manyCpuMsPerSequence} ms with ${config.parkedMany} (${result.ratioPercent} %)`,
        );
      });
    }
    /** (b)'s measurement of `shipmate` (the SQLite server for b, PostgreSQL replica 1 for p3) against a fresh bare server. */
    const measureIntake = async (shipmate: ServerProcess, label: string) => {
      const pinning = intakePinning(config.pinCpus, shipmate.pid, log);
      log(
        `${label} wrk, ${config.wrkThreads} thread(s), ${config.connections} connections, ${config.warmupSeconds} s warm-up + ${config.intakeSeconds} s per target and round; ` +
          (pinning ? `server on CPU ${pinning.server.join(',')}, wrk on CPU ${pinning.wrk.join(',')}` : 'CPUs not pinned'),
      );
      const bare = await startTrackedBare();
      try {
        return await runIntake({
          shipmate,
          bare,
          token: TOKEN,
          service: services[0]!,
          wrkScript: WRK_SCRIPT,
          threads: config.wrkThreads,
          connections: config.connections,
          durationSeconds: config.intakeSeconds,
          warmupSeconds: config.warmupSeconds,
          rounds: config.intakeRounds,
          ...(pinning ? { pinning } : {}),
          label,
          log,
        });
      } finally {
        await stopServer(bare);
      }
    };
    if (config.scenarios.includes('b')) {
      await scenarios.run('b', async () => {
        const result = await measureIntake(server, '(b)');
        details.intake = result;
        figure('intakeRatioPercent', result.ratioPercent);
        figure('intakeRequestsPerSecond', result.shipmate.requestsPerSecond);
        figure('bareRequestsPerSecond', result.bare.requestsPerSecond);
        figure('intakeServerCpuMicrosPerRequest', result.shipmate.serverCpuMicrosPerRequest);
        figure('bareServerCpuMicrosPerRequest', result.bare.serverCpuMicrosPerRequest);
        figure('intakeMainThreadPercent', result.shipmate.serverMainThreadPercent);
        figure('bareMainThreadPercent', result.bare.serverMainThreadPercent);
      });
    }
    if (config.scenarios.includes('g')) {
      await scenarios.run('g', async () => {
        log(`(g) ${config.walSequences} sequences at full speed, WAL size sampled every 20 ms`);
        const result = await runWalScenario({ api, services, dataDir, sequences: config.walSequences, log });
        details.wal = result;
        figure('walMaxMiB', result.maxWalBytes / MIB);
        figure('walEndMiB', result.endWalBytes / MIB);
        log(
          `(g) ${result.completed} finished at ${result.sequencesPerSecond.toFixed(1)} seq/s; WAL max ${result.maxWalBytes} bytes, at the end ${result.endWalBytes} bytes (${result.samples} samples)`,
        );
      });
    }

    /** (h)'s reads on a server of its own data dir, whose store `env` chooses and `store` preloads. */
    const runHistory = (
      label: string,
      env: Record<string, string>,
      store: Pick<HistoryOptions, 'openStore' | 'preload' | 'afterPreload'>,
    ) =>
      runHistoryScenario({
        label,
        startServer: async (dir) => {
          const p = await startShipmate(dir, maxConnections, config.serverCpuProfileDir, env);
          running.add(p);
          return p;
        },
        ...store,
        stopServer,
        token: TOKEN,
        dataParent: config.dataParent,
        keepData: config.keepData,
        sizes: [config.historySmall, config.historyLarge],
        samples: config.historySamples,
        services: config.services,
        log,
      });
    if (config.scenarios.includes('h')) {
      await scenarios.run('h', async () => {
        const sizes = [config.historySmall, config.historyLarge];
        log(`(h) history of ${sizes.join(' then ')} finished sequences on its own server, ${config.historySamples} GETs per read`);
        const result = await runHistory('(h)', {}, { openStore: async (dir) => createSqliteStore({ path: join(dir, 'shipmate.db') }) });
        details.history = result;
        const [small, large] = result.sizes;
        for (const [key, value] of historyFigures('history', small!, large!)) figure(key, value);
      });
    }

    const postgresScenarios = POSTGRES_SCENARIOS.filter((s) => config.scenarios.includes(s));
    const postgresDown = postgresScenarios.length ? await postgresUnreachableReason(config.postgresUrl) : undefined;
    if (postgresDown) {
      log(
        `(p) PostgreSQL at ${redactedUrl(config.postgresUrl)} does not answer (${postgresDown}): ${postgresScenarios.join(', ')} skipped, ` +
          'their figures absent; start it or set BENCH_POSTGRES_URL',
      );
      details.postgres = { skipped: `PostgreSQL at ${redactedUrl(config.postgresUrl)} does not answer: ${postgresDown}` };
    } else if (postgresScenarios.some((s) => s !== 'p6')) {
      /** Starts one replica on PostgreSQL (env names the database), tracked like the other servers. */
      const startReplica = async (dir: string, env: Record<string, string>) => {
        const p = await startShipmate(dir, maxConnections, config.serverCpuProfileDir, env);
        running.add(p);
        if (interrupted) await stopServer(p);
        return p;
      };
      try {
        const outcome = await runPostgresScenarios({
          selected: postgresScenarios,
          adminUrl: config.postgresUrl,
          dataParent: config.dataParent,
          keepData: config.keepData,
          replicas: config.replicas,
          services,
          sequences: config.sequences,
          latencySequences: config.latencySequences,
          pickupSequences: config.pickupSequences,
          token: TOKEN,
          startReplica,
          stopServer,
          measureIntake: (replica) => measureIntake(replica, '(p3)'),
          figure,
          interrupted: () => interrupted,
          log,
        });
        details.postgres = outcome.details;
        Object.assign(errors, outcome.errors);
        Object.assign(scenarios.cpu, outcome.cpu);
      } catch (error) {
        errors.p = error instanceof Error ? error.message : String(error);
        log(`(p) FAILED: ${errors.p}`);
      }
    }
    if (!postgresDown && postgresScenarios.includes('p6')) {
      await scenarios.run('p6', () =>
        withBenchDatabase(
          config.postgresUrl,
          async (database) => {
            const sizes = [config.historySmall, config.historyLarge];
            log(
              `(p6) history of ${sizes.join(' then ')} finished sequences on PostgreSQL (database ${database.name}), ${config.historySamples} GETs per read`,
            );
            const result = await runHistory(
              '(p6)',
              { SHIPMATE_STORE_URL: database.url },
              {
                openStore: () => createPostgresStore(database.url),
                // 4 transactions at once overlap the PostgreSQL store's round trips.
                preload: { chunk: 500, inFlight: 4 },
                afterPreload: () => vacuumAnalyzeDatabase(database.url),
              },
            );
            details.postgresHistory = result;
            const [small, large] = result.sizes;
            for (const [key, value] of historyFigures('pgHistory', small!, large!)) figure(key, value);
          },
          config.keepData ? { log } : undefined,
        ),
      );
    }

    const memory = server.memory();
    if (memory) {
      figure('peakRssMiB', (peakBeforeFleetsBytes ?? memory.peakRssBytes) / MIB);
      figure('maxSampledRssMiB', server.maxSampledRssBytes() / MIB);
      details.peakRss = {
        beforeFleetsMiB: peakBeforeFleetsBytes === undefined ? null : round(peakBeforeFleetsBytes / MIB, 1),
        wholeRunMiB: round(memory.peakRssBytes / MIB, 1),
      };
    } else {
      errors.rss = 'the server process was gone before its memory could be read';
    }
  } finally {
    client.close();
    await stopAll();
    if (config.keepData) log(`data dir kept: ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }

  if (interrupted) {
    log('interrupted: no results written');
    return 130;
  }
  const list = collectFigures(values);
  console.log(`\n${formatTable(list)}\n`);
  const file = writeResults(RESULTS_DIR, date, list, {
    config: shownConfig,
    machineLoad: { start: loadAtStart, end: machineLoad() },
    durationSeconds: round((performance.now() - t0) / 1000, 1),
    details,
    ...(Object.keys(errors).length ? { errors } : {}),
  });
  log(`wrote ${file} and ${join(RESULTS_DIR, 'latest.json')}`);
  const missed = list.filter((f) => isMet(f) === false).map((f) => f.key);
  if (missed.length) log(`targets missed: ${missed.join(', ')}`);
  if (Object.keys(errors).length) {
    log(`errors: ${Object.keys(errors).join(', ')}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
