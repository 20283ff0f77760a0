/**
 * Figures (f): project configuration in git, off the hot path.
 *
 * Sequence starts. A start is `POST /api/v1/event` of `dev.start.triggered` in project
 * `bench-config` (config-project.ts: a sockshop-sized shipyard whose `start` sequence begins with
 * `approval`, which does not hold the service's queue slot, so starts never queue): the server
 * answers once the start step committed, and that step records the first task's `.triggered`. A
 * round is `roundStarts` starts on one service, `inFlight` at a time, each pinned with Keptn's
 * `gitcommitid`; after it (untimed) every start must have its open `approval.triggered`, pinned to
 * its commit. Three modes:
 * - cached: every start pins the stage's tip, whose shipyard the server has read and parsed;
 * - newCommit: before the round (untimed) `roundStarts` commits are written to the stage branch
 *   (a stage-level file each); start i pins commit i, a version the orchestrator never saw: it asks
 *   the git store (which kept the text when the commit was written) and finds the parse by text;
 * - fromGit: start i pins its own commit, written before every other commit of the scenario and
 *   followed by 260 more, so it has left the store's and the orchestrator's 256-entry caches: the
 *   shipyard is read from git (`cat-file --batch`) when the trigger arrives.
 * Rounds run in cycles of cached, newCommit, fromGit, fromGit, newCommit, cached (`cycles` times),
 * each after a 250 ms pause, so a slow-down over the run weighs on every mode alike; an untimed
 * warm-up round comes first. A mode's figure is the median of its rounds' rates (a round is short,
 * about 0.1 s, so one hiccup such as a GC pause would otherwise move the figure); the JSON has every
 * round and the overall rate.
 *
 * Resource GET: sequential GETs of a service-level file of 2 KiB at the branch tip and at its
 * commit (`?gitCommitID=`), and of a 100 KiB file at the tip.
 */
import { performance } from 'node:perf_hooks';
import {
  CONFIG_FIRST_TASK,
  CONFIG_PROJECT,
  CONFIG_SEQUENCE,
  CONFIG_STAGE,
  configServiceNames,
  createConfigProject,
} from './config-project.js';
import { eachLimited } from './each-limited.js';
import type { KeptnApi } from './keptn-api.js';
import { percentile, round, summarize } from './stats.js';
import { setTimeout as sleep } from 'node:timers/promises';

/** Writes after the fromGit pool that push it out of the server's 256-entry shipyard caches. */
const CACHE_EVICTION_WRITES = 260;
const MODES = ['cached', 'newCommit', 'fromGit'] as const;
type Mode = (typeof MODES)[number];
/** One cycle of rounds; mirrored so that a drift over the run weighs on every mode alike. */
const CYCLE: readonly Mode[] = ['cached', 'newCommit', 'fromGit', 'fromGit', 'newCommit', 'cached'];
/** Pause before each timed round, so the writes before it (and their WAL checkpoint) are done. */
const SETTLE_MS = 250;
const STAGE_LEVEL = `project/${CONFIG_PROJECT}/stage/${CONFIG_STAGE}`;

export interface ConfigScenarioOptions {
  api: KeptnApi;
  /** Starts per round (at most 250: a newCommit round's commits must fit the caches). */
  roundStarts: number;
  /** Cycles of six rounds (two per mode). */
  cycles: number;
  inFlight: number;
  /** GETs per resource figure. */
  gets: number;
  log: (line: string) => void;
}

export interface StartModeResult {
  starts: number;
  elapsedMs: number;
  /** All starts ÷ all rounds' time. */
  overallStartsPerSecond: number;
  /** The figure: median of the rounds' rates. */
  medianStartsPerSecond: number;
  roundStartsPerSecond: number[];
  /** POST round trip of one start, ms. */
  ackMs: ReturnType<typeof summarize>;
}

export interface ConfigScenarioResult {
  roundStarts: number;
  inFlight: number;
  starts: Record<Mode, StartModeResult>;
  /** newCommit and fromGit starts/s as % of cached. */
  newCommitRatioPercent: number;
  fromGitRatioPercent: number;
  commitsWritten: number;
  commitWriteMs: ReturnType<typeof summarize>;
  resourceGetMs: Record<'smallAtTip' | 'smallAtCommit' | 'largeAtTip', ReturnType<typeof summarize>>;
}

interface Round {
  starts: number;
  elapsedMs: number;
  ackMs: number[];
}

/** Writes `count` commits on the stage branch (untimed for the start rates); returns their ids, oldest first. */
async function writeCommits(api: KeptnApi, count: number, label: string, timings: number[]): Promise<string[]> {
  const commits: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = performance.now();
    commits.push(await api.putResource(STAGE_LEVEL, `bench-config/${label}.txt`, Buffer.from(`${label} ${i}\n`)));
    timings.push(performance.now() - at);
  }
  return commits;
}

/** Starts one sequence per pin on `service`, `inFlight` at a time, then checks each first task and its pin. */
async function startRound(api: KeptnApi, service: string, pins: readonly string[], inFlight: number): Promise<Round> {
  const contexts: string[] = [];
  const ackMs: number[] = [];
  const started = performance.now();
  await eachLimited(
    pins.map((pin, index) => ({ pin, index })),
    inFlight,
    async ({ pin, index }) => {
      const at = performance.now();
      contexts[index] = await api.triggerSequence(CONFIG_PROJECT, CONFIG_STAGE, CONFIG_SEQUENCE, service, pin);
      ackMs.push(performance.now() - at);
    },
  );
  const elapsedMs = performance.now() - started;
  const open = await api.openTriggered(CONFIG_FIRST_TASK, { project: CONFIG_PROJECT, stage: CONFIG_STAGE, service }, 500);
  const byContext = new Map(open.map((task) => [task.shkeptncontext, task]));
  contexts.forEach((context, i) => {
    const task = byContext.get(context);
    if (task?.gitcommitid !== pins[i]) {
      throw new Error(
        `start ${i} on ${service} (context ${context}): expected an open ${CONFIG_FIRST_TASK}.triggered pinned to ${pins[i]}, got ${task ? String(task.gitcommitid) : 'none'}`,
      );
    }
  });
  return { starts: pins.length, elapsedMs, ackMs };
}

function summarizeMode(rounds: readonly Round[]): StartModeResult {
  const starts = rounds.reduce((sum, r) => sum + r.starts, 0);
  const elapsedMs = rounds.reduce((sum, r) => sum + r.elapsedMs, 0);
  const rates = rounds.map((r) => (r.starts * 1000) / r.elapsedMs);
  return {
    starts,
    elapsedMs: round(elapsedMs, 1),
    overallStartsPerSecond: round((starts * 1000) / elapsedMs, 1),
    medianStartsPerSecond: round(percentile(rates, 50), 1),
    roundStartsPerSecond: rates.map((rate) => round(rate, 0)),
    ackMs: summarize(rounds.flatMap((r) => r.ackMs)),
  };
}

async function timeGets(count: number, read: () => Promise<number>): Promise<ReturnType<typeof summarize>> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = performance.now();
    await read();
    samples.push(performance.now() - at);
  }
  return summarize(samples);
}

export async function runConfigScenario(options: ConfigScenarioOptions): Promise<ConfigScenarioResult> {
  const { api, roundStarts: size, inFlight, log } = options;
  const order = Array.from({ length: options.cycles }, () => CYCLE).flat();
  const services = configServiceNames(order.length + 1);
  await createConfigProject(api, services);
  const writeMs: number[] = [];
  const fromGitRounds = order.filter((mode) => mode === 'fromGit').length;
  log(`(f) writing ${size * fromGitRounds + CACHE_EVICTION_WRITES} commits for the fromGit rounds (untimed)`);
  const fromGitPool = await writeCommits(api, size * fromGitRounds, 'old', writeMs);
  const [tip] = (await writeCommits(api, CACHE_EVICTION_WRITES, 'evict', writeMs)).slice(-1);

  await startRound(api, services[0]!, Array<string>(size).fill(tip!), inFlight); // warm-up
  const rounds = new Map<Mode, Round[]>(MODES.map((mode) => [mode, []]));
  for (const [index, mode] of order.entries()) {
    let pins: string[];
    if (mode === 'cached') pins = Array<string>(size).fill(tip!);
    else if (mode === 'newCommit') pins = await writeCommits(api, size, `new-${index}`, writeMs);
    else pins = fromGitPool.splice(0, size);
    await sleep(SETTLE_MS);
    const result = await startRound(api, services[index + 1]!, pins, inFlight);
    rounds.get(mode)!.push(result);
    log(
      `(f) round ${index + 1} ${mode}: ${size} starts in ${result.elapsedMs.toFixed(0)} ms → ${((size * 1000) / result.elapsedMs).toFixed(0)} starts/s`,
    );
  }
  const starts = {
    cached: summarizeMode(rounds.get('cached')!),
    newCommit: summarizeMode(rounds.get('newCommit')!),
    fromGit: summarizeMode(rounds.get('fromGit')!),
  };

  const serviceLevel = `${STAGE_LEVEL}/service/${services[0]}`;
  const smallCommit = await api.putResource(serviceLevel, 'bench/small.bin', Buffer.alloc(2 * 1024, 7));
  await api.putResource(serviceLevel, 'bench/large.bin', Buffer.alloc(100 * 1024, 9));
  log(`(f) ${options.gets} GETs each: 2 KiB at the tip, 2 KiB at its commit, 100 KiB at the tip`);
  const resourceGetMs = {
    smallAtTip: await timeGets(options.gets, () => api.getResource(serviceLevel, 'bench/small.bin')),
    smallAtCommit: await timeGets(options.gets, () => api.getResource(serviceLevel, 'bench/small.bin', smallCommit)),
    largeAtTip: await timeGets(options.gets, () => api.getResource(serviceLevel, 'bench/large.bin')),
  };
  return {
    roundStarts: size,
    inFlight,
    starts,
    newCommitRatioPercent: round((starts.newCommit.medianStartsPerSecond / starts.cached.medianStartsPerSecond) * 100, 1),
    fromGitRatioPercent: round((starts.fromGit.medianStartsPerSecond / starts.cached.medianStartsPerSecond) * 100, 1),
    commitsWritten: writeMs.length,
    commitWriteMs: summarize(writeMs),
    resourceGetMs,
  };
}
