/**
 * Figure (e): a fleet of connected agent instances (5,000 by default: 500 integrations × 10 replicas)
 * each holding the long poll. Once all are registered and parked, the server's VmRSS is sampled
 * every 200 ms and its CPU time (utime + stime) taken over an idle window; no other request reaches
 * the server then, so the CPU is the fleet's own cost: polls that end after their 55 s wait and are
 * sent again, and the heartbeats the server renews for parked polls. Then, with the fleet still
 * parked, a few sequences measure `.triggered` stored → handler start on one of the 10 replicas of
 * the probe integration. Finally every instance stops and unregisters.
 *
 * The probe integration `fleet-probe` answers the tasks of `bench-agents`; the others
 * (`fleet-2` … `fleet-500`) subscribe to a task type of their own that nothing triggers, the way
 * different services subscribe to different tasks.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Integration } from '@shipmate/agent-sdk';
import { agentServiceNames } from './agent-project.js';
import { LATENCY_EDGES, createHandlerSamples, driveSequences } from './handler-samples.js';
import type { KeptnApi } from './keptn-api.js';
import { openFileLimit } from './machine.js';
import { createProblemLog, startIdleAgent, startTimedIntegration } from './sdk-agents.js';
import type { ControlPlaneTarget, IdleAgent } from './sdk-agents.js';
import { readOpenSockets, readProcessMemory, readProcessWriteBytes } from './server-process.js';
import type { ServerProcess } from './server-process.js';
import { histogram, round, summarize } from './stats.js';
import { eachLimited } from './each-limited.js';

const MIB = 1024 * 1024;
/** Registrations (and closes) in flight at once. */
const CONCURRENCY = 25;
/** File descriptors the bench needs besides one socket per instance. */
const SPARE_FDS = 200;

export interface FleetOptions {
  api: KeptnApi;
  target: ControlPlaneTarget;
  server: ServerProcess;
  /** Instances in total. */
  instances: number;
  /** Instances per integration. */
  replicas: number;
  /** Pause after the last registration before the window. */
  settleSeconds: number;
  /** The idle window. */
  idleSeconds: number;
  /** Sequences (5 tasks each) timed one at a time with the fleet parked; 0 skips. */
  latencySequences: number;
  log: (line: string) => void;
}

export interface FleetResult {
  instances: number;
  integrations: number;
  replicas: number;
  registerSeconds: number;
  /** Sockets the server held before registration, and once the fleet was parked. */
  serverSockets: { before: number; parked: number };
  /** VmRSS before the fleet registered, and over the window (MiB). */
  rssMiB: { beforeFleet: number; windowMin: number; windowMean: number; windowMax: number; windowEnd: number };
  /** (mean window VmRSS − VmRSS before) ÷ instances, in KiB. */
  rssPerInstanceKiB: number;
  /** VmHWM at the end of the window (the whole run so far), MiB. */
  vmHwmMiB: number;
  idleWindowSeconds: number;
  /** Server CPU over the window, % of one core. */
  idleCpuPercent: number;
  serverRunQueueWaitPercent: number;
  /** CPU of the bench process (the fleet's clients) over the window, % of one core. */
  benchCpuPercent: number;
  /** Long polls sent by the idle instances during the window (each answered poll is sent again). */
  pollsInWindow: number;
  /** What the server wrote to storage (database + WAL) during the window, KiB/s. */
  serverDiskWriteKiBPerSecond: number;
  /** Trigger → handler on the probe integration with the fleet parked, ms. */
  latencyMs: ReturnType<typeof summarize>;
  latencyHistogramMs: Record<string, number>;
  closeSeconds: number;
  agentProblems: { count: number; recent: string[] };
}

export async function runFleet(options: FleetOptions): Promise<FleetResult> {
  const { server, log } = options;
  const limit = openFileLimit();
  if (limit !== undefined && limit < options.instances + SPARE_FDS) {
    throw new Error(
      `the open-file limit (ulimit -n) is ${limit}, too low for ${options.instances} agent sockets: raise it (e.g. ulimit -n 8192) before npm run bench, or lower BENCH_AGENT_INSTANCES`,
    );
  }
  const integrations = Math.ceil(options.instances / options.replicas);
  // Replica-major order: the registrations in flight at once belong to different integrations.
  const plan: { integration: number; replica: number }[] = [];
  for (let replica = 1; plan.length < options.instances; replica++) {
    for (let integration = 1; integration <= integrations && plan.length < options.instances; integration++) {
      plan.push({ integration, replica });
    }
  }

  const problems = createProblemLog();
  const samples = createHandlerSamples();
  const probes: Integration[] = [];
  const idle: IdleAgent[] = [];
  const socketsBefore = readOpenSockets(server.pid);
  const rssBefore = (server.memory()?.rssBytes ?? Number.NaN) / MIB;
  const registerStart = performance.now();
  let closeSeconds = Number.NaN;
  let result: Omit<FleetResult, 'closeSeconds'>;
  try {
    await eachLimited(plan, CONCURRENCY, async ({ integration, replica }) => {
      if (integration === 1) {
        probes.push(
          await startTimedIntegration(options.target, { name: 'fleet-probe', podname: `fleet-probe-${replica}` }, samples, problems),
        );
      } else {
        const name = `fleet-${integration}`;
        idle.push(await startIdleAgent(options.target, { name, podname: `${name}-${replica}` }, name, problems));
      }
    });
    const registerSeconds = (performance.now() - registerStart) / 1000;
    log(`  (e) ${plan.length} instances of ${integrations} integrations registered in ${registerSeconds.toFixed(1)} s`);

    // Every instance polls right after registering; wait until the server holds their sockets, then settle.
    const deadline = Date.now() + 10_000;
    while (readOpenSockets(server.pid) - socketsBefore < options.instances && Date.now() < deadline) await sleep(100);
    await sleep(options.settleSeconds * 1000);
    const socketsParked = readOpenSockets(server.pid);
    log(`  (e) server holds ${socketsParked} sockets (${socketsBefore} before); idle window of ${options.idleSeconds} s`);

    const rss: number[] = [];
    const sampleRss = () => {
      const memory = readProcessMemory(server.pid);
      if (memory) rss.push(memory.rssBytes / MIB);
    };
    const pollsBefore = idle.reduce((sum, agent) => sum + agent.polls, 0);
    const writtenBefore = readProcessWriteBytes(server.pid);
    const cpuBefore = server.cpuSeconds();
    const waitBefore = server.runQueueWaitSeconds();
    const benchBefore = process.cpuUsage();
    const windowStart = performance.now();
    sampleRss();
    const sampler = setInterval(sampleRss, 200);
    await sleep(options.idleSeconds * 1000);
    clearInterval(sampler);
    sampleRss();
    const windowSeconds = (performance.now() - windowStart) / 1000;
    const percent = (seconds: number) => round((seconds * 100) / windowSeconds, 2);
    const bench = process.cpuUsage(benchBefore);
    const idleCpuPercent = percent(server.cpuSeconds() - cpuBefore);
    const serverRunQueueWaitPercent = percent(server.runQueueWaitSeconds() - waitBefore);
    const benchCpuPercent = percent((bench.user + bench.system) / 1e6);
    const pollsInWindow = idle.reduce((sum, agent) => sum + agent.polls, 0) - pollsBefore;
    const serverDiskWriteKiBPerSecond = round((readProcessWriteBytes(server.pid) - writtenBefore) / 1024 / windowSeconds, 1);
    const vmHwmMiB = (server.memory()?.peakRssBytes ?? Number.NaN) / MIB;
    const windowMean = rss.reduce((sum, v) => sum + v, 0) / rss.length;
    log(
      `  (e) idle: server CPU ${idleCpuPercent} % of a core, VmRSS max ${Math.max(...rss).toFixed(1)} MiB (${rssBefore.toFixed(1)} MiB before the fleet), ${pollsInWindow} polls re-sent by the idle instances, server wrote ${serverDiskWriteKiBPerSecond} KiB/s to disk`,
    );

    let latencies: number[] = [];
    if (options.latencySequences > 0) {
      latencies = await driveSequences({
        api: options.api,
        samples,
        services: agentServiceNames(1),
        sequences: options.latencySequences,
        inFlight: 1,
      });
    }
    const latencyMs = summarize(latencies);
    if (latencies.length)
      log(`  (e) trigger → handler with the fleet parked: p50 ${latencyMs.p50} ms, p99 ${latencyMs.p99} ms, max ${latencyMs.max} ms`);

    result = {
      instances: plan.length,
      integrations,
      replicas: options.replicas,
      registerSeconds: round(registerSeconds, 2),
      serverSockets: { before: socketsBefore, parked: socketsParked },
      rssMiB: {
        beforeFleet: round(rssBefore, 1),
        windowMin: round(Math.min(...rss), 1),
        windowMean: round(windowMean, 1),
        windowMax: round(Math.max(...rss), 1),
        windowEnd: round(rss[rss.length - 1]!, 1),
      },
      rssPerInstanceKiB: round(((windowMean - rssBefore) * 1024) / plan.length, 1),
      vmHwmMiB: round(vmHwmMiB, 1),
      idleWindowSeconds: round(windowSeconds, 2),
      idleCpuPercent,
      serverRunQueueWaitPercent,
      benchCpuPercent,
      pollsInWindow,
      serverDiskWriteKiBPerSecond,
      latencyMs,
      latencyHistogramMs: histogram(latencies, LATENCY_EDGES),
      agentProblems: { count: problems.count, recent: problems.recent() },
    };
  } finally {
    const closeStart = performance.now();
    await eachLimited(
      [...probes.map((p) => () => p.stop()), ...idle.map((a) => () => a.session.close({ unregister: true }))],
      CONCURRENCY,
      (stop) => stop(),
    );
    log(
      `  (e) ${probes.length + idle.length} instances stopped and unregistered in ${((performance.now() - closeStart) / 1000).toFixed(1)} s`,
    );
    closeSeconds = round((performance.now() - closeStart) / 1000, 2);
  }
  return { ...result, closeSeconds };
}
