/**
 * Figure (i): server CPU per sequence with few and with many parked agent instances of other
 * integrations (issue 13 point 7: per-task CPU independent of the number of parked agents). The
 * parked instances (`parked-<n>`, 10 replicas each) subscribe to a task type of their own that
 * nothing triggers, as in (e); the sequences are (a)'s, answered by (a)'s polling executor, so no
 * parked instance is subscribed to their tasks. Rounds: a warm-up round, then `few` instances
 * parked, `many` parked, and `few` again (the extra instances unregistered), so a steady drift of
 * the machine weighs on both sides alike; the few figure is the mean of its two rounds. A round's
 * figure is the server's CPU time (utime + stime, all threads) over the round ÷ the sequences
 * completed in it. The parked instances' own idle cost (their re-sent polls and heartbeat
 * renewals) is measured over a quiet window before each round and reported beside it.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { eachLimited } from './each-limited.js';
import type { KeptnApi } from './keptn-api.js';
import { openFileLimit } from './machine.js';
import { runSequenceThroughput } from './scenario-sequences.js';
import { createProblemLog, startIdleAgent } from './sdk-agents.js';
import type { ControlPlaneTarget, IdleAgent } from './sdk-agents.js';
import { readOpenSockets } from './server-process.js';
import type { ServerProcess } from './server-process.js';
import { round } from './stats.js';

/** Registrations (and closes) in flight at once. */
const CONCURRENCY = 25;
/** Instances per parked integration, as in (e). */
const REPLICAS = 10;
/** File descriptors the bench needs besides one socket per instance. */
const SPARE_FDS = 200;
/** The quiet window before each round that measures the parked instances' own CPU. */
const IDLE_WINDOW_MS = 5000;

export interface ParkedCpuOptions {
  api: KeptnApi;
  target: ControlPlaneTarget;
  server: ServerProcess;
  services: readonly string[];
  /** Parked instances in the few rounds. */
  few: number;
  /** Parked instances in the many round. */
  many: number;
  /** Sequences per round. */
  sequences: number;
  log: (line: string) => void;
}

/** One measured round. */
export interface ParkedCpuRound {
  parked: number;
  sequences: number;
  failed: number;
  sequencesPerSecond: number;
  /** Server CPU time over the round ÷ sequences completed, ms. */
  cpuMsPerSequence: number;
  /** Server CPU over the quiet window before the round, % of one core: the parked instances' own cost. */
  idleCpuPercent: number;
  /** That idle cost spread over the round's sequences, ms (already part of cpuMsPerSequence). */
  idleCpuMsPerSequence: number;
  /** Requests of (a)'s executor per sequence (triggered-event and sequence-state polls): part of the CPU. */
  executorPollsPerSequence: number;
}

export interface ParkedCpuResult {
  rounds: ParkedCpuRound[];
  /** Mean of the two few rounds, ms per sequence. */
  fewCpuMsPerSequence: number;
  manyCpuMsPerSequence: number;
  /** many ÷ few, %. */
  ratioPercent: number;
  agentProblems: { count: number; recent: string[] };
}

export async function runParkedCpu(options: ParkedCpuOptions): Promise<ParkedCpuResult> {
  const { server, log } = options;
  const limit = openFileLimit();
  if (limit !== undefined && limit < options.many + SPARE_FDS) {
    throw new Error(
      `the open-file limit (ulimit -n) is ${limit}, too low for ${options.many} agent sockets: raise it (e.g. ulimit -n 8192) before npm run bench, or lower BENCH_PARKED_MANY`,
    );
  }
  const problems = createProblemLog();
  const parked: IdleAgent[] = [];
  const socketsBefore = readOpenSockets(server.pid);

  /** Parks instances up to `count` (replica-major, like (e)), or unregisters those beyond it. */
  async function parkExactly(count: number): Promise<void> {
    if (count < parked.length) {
      const leaving = parked.splice(count);
      await eachLimited(leaving, CONCURRENCY, (agent) => agent.session.close({ unregister: true }));
    } else {
      const integrations = Math.ceil(options.many / REPLICAS);
      const plan = Array.from({ length: count - parked.length }, (_, k) => parked.length + k).map((index) => ({
        integration: (index % integrations) + 1,
        replica: Math.floor(index / integrations) + 1,
      }));
      await eachLimited(plan, CONCURRENCY, async ({ integration, replica }) => {
        const name = `parked-${integration}`;
        parked.push(await startIdleAgent(options.target, { name, podname: `${name}-${replica}` }, name, problems));
      });
    }
    // Every instance polls right after registering; wait until the server holds their sockets.
    const deadline = Date.now() + 10_000;
    while (readOpenSockets(server.pid) - socketsBefore < parked.length && Date.now() < deadline) await sleep(100);
    await sleep(1000);
  }

  async function measure(parkedNow: number): Promise<ParkedCpuRound> {
    const idleBefore = server.cpuSeconds();
    const idleStart = performance.now();
    await sleep(IDLE_WINDOW_MS);
    const idleCpuPerMs = (server.cpuSeconds() - idleBefore) / (performance.now() - idleStart);
    const cpuBefore = server.cpuSeconds();
    const result = await runSequenceThroughput({ api: options.api, services: options.services, sequences: options.sequences, log });
    const cpuMs = (server.cpuSeconds() - cpuBefore) * 1000;
    const completed = Math.max(1, result.completed);
    const measured: ParkedCpuRound = {
      parked: parkedNow,
      sequences: result.completed,
      failed: result.failed,
      sequencesPerSecond: round(result.sequencesPerSecond, 1),
      cpuMsPerSequence: round(cpuMs / completed, 3),
      idleCpuPercent: round(idleCpuPerMs * 100_000, 2),
      idleCpuMsPerSequence: round((idleCpuPerMs * 1000 * result.elapsedMs) / completed, 3),
      executorPollsPerSequence: round((result.triggeredPolls + result.statePolls) / completed, 1),
    };
    log(
      `  (i) ${parkedNow} parked: ${measured.cpuMsPerSequence} ms server CPU per sequence over ${result.completed} sequences at ${measured.sequencesPerSecond} seq/s (idle ${measured.idleCpuPercent} % of a core before)`,
    );
    return measured;
  }

  const rounds: ParkedCpuRound[] = [];
  try {
    await parkExactly(options.few);
    log(`  (i) warm-up round with ${parked.length} parked`);
    await runSequenceThroughput({ api: options.api, services: options.services, sequences: options.sequences, log });
    rounds.push(await measure(parked.length));
    await parkExactly(options.many);
    rounds.push(await measure(parked.length));
    await parkExactly(options.few);
    rounds.push(await measure(parked.length));
  } finally {
    await eachLimited(parked.splice(0), CONCURRENCY, (agent) => agent.session.close({ unregister: true }));
  }
  const few = (rounds[0]!.cpuMsPerSequence + rounds[2]!.cpuMsPerSequence) / 2;
  const many = rounds[1]!.cpuMsPerSequence;
  return {
    rounds,
    fewCpuMsPerSequence: round(few, 3),
    manyCpuMsPerSequence: many,
    ratioPercent: round((many * 100) / few, 1),
    agentProblems: { count: problems.count, recent: problems.recent() },
  };
}
