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
 * - newCommit: start i pins its own commit, written through the resource API before the timed
 *   part (one stage-level file each), a version the orchestrator never saw: the git store kept its
 *   shipyard text when the commit was written, and the orchestrator finds the parse by text;
 * - fromGit: start i pins its own commit made in the repository by someone else (the bench, with
 *   `git fast-import` on the data dir, children of the tip with the same tree), which no cache of the
 *   server has: the shipyard is read from git (`cat-file --batch`) when the trigger arrives.
 * All commits are made before the timed part (then a 2 s pause), so the rounds measure starts only.
 * Rounds run in cycles of cached, newCommit, fromGit, fromGit, newCommit, cached (`cycles` times),
 * after four untimed warm-up rounds, so a steady drift weighs on every mode alike. A mode's figure is
 * its starts ÷ its rounds' time; the JSON has every round and the median.
 *
 * Resource GET: sequential GETs of a service-level file of 2 KiB at the branch tip and at its
 * commit (`?gitCommitID=`), and of a 100 KiB file at the tip.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

const MODES = ['cached', 'newCommit', 'fromGit'] as const;
type Mode = (typeof MODES)[number];
/** One cycle of rounds; mirrored so that a drift over the run weighs on every mode alike. */
const CYCLE: readonly Mode[] = ['cached', 'newCommit', 'fromGit', 'fromGit', 'newCommit', 'cached'];
/**
 * Untimed rounds first (JIT, SQLite and page caches): the first rounds of a run are the slowest, and
 * so was the first timed round of a mode whose path no warm-up round had run (the first from-git
 * round was the slowest of its mode in 7 of the last 12 full runs). So every mode has one.
 */
const WARMUP: readonly Mode[] = ['cached', 'newCommit', 'fromGit', 'cached'];

/** The timed rounds of a run, in order (the warm-up rounds come before them). */
function timedRounds(cycles: number): Mode[] {
  return Array.from({ length: cycles }, () => CYCLE).flat();
}

/** Rounds of `mode` in a run, warm-up included. */
function roundsOf(mode: Mode, cycles: number): number {
  return [...WARMUP, ...timedRounds(cycles)].filter((m) => m === mode).length;
}

/** Distinct commits a run pins: one per start of every round but the cached ones, warm-up included. */
export function configPinnedCommits(roundStarts: number, cycles: number): number {
  return roundStarts * (roundsOf('newCommit', cycles) + roundsOf('fromGit', cycles));
}
/** Pause after the writes of the setup, so their after-effects (WAL checkpoint, GC) are over. */
const SETTLE_MS = 2000;
const STAGE_LEVEL = `project/${CONFIG_PROJECT}/stage/${CONFIG_STAGE}`;

export interface ConfigScenarioOptions {
  api: KeptnApi;
  /** Starts per round. */
  roundStarts: number;
  /** The server's data dir (the fromGit commits are made in its repository). */
  dataDir: string;
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
  /** The figure: all starts ÷ all rounds' time (the mirrored order cancels a steady drift). */
  overallStartsPerSecond: number;
  /** Median of the rounds' rates. */
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

/**
 * `count` commits made in the bare repository at `gitDir` without the server, as a person pushing
 * would: children of `tip` in a chain, same tree, on the ref `refs/bench/someone-else`. Returns their ids.
 */
async function commitsBySomeoneElse(gitDir: string, tip: string, count: number): Promise<string[]> {
  const stream = Array.from({ length: count }, (_, i) => {
    const message = `commit ${i} by someone else\n`;
    return `commit refs/bench/someone-else\nmark :${i + 1}\ncommitter Someone <someone@example.com> ${1_700_000_000 + i} +0000\ndata ${Buffer.byteLength(message)}\n${message}${i === 0 ? `from ${tip}\n` : ''}\n`;
  }).join('');
  const marksFile = join(gitDir, 'bench-marks');
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_DIR: gitDir, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  await new Promise<void>((resolve, reject) => {
    const child = execFile('git', ['fast-import', '--quiet', `--export-marks=${marksFile}`], { env }, (error) =>
      error ? reject(new Error(`git fast-import failed: ${error.message}`)) : resolve(),
    );
    child.stdin?.end(stream);
  });
  const marks = new Map(
    readFileSync(marksFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' ') as [string, string]),
  );
  return Array.from({ length: count }, (_, i) => marks.get(`:${i + 1}`)!);
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
  const order = timedRounds(options.cycles);
  const services = configServiceNames(WARMUP.length + order.length);
  await createConfigProject(api, services);
  const writeMs: number[] = [];
  const newCommits = size * roundsOf('newCommit', options.cycles);
  const fromGitCommits = size * roundsOf('fromGit', options.cycles);
  log(`(f) writing ${newCommits} commits through the API and making ${fromGitCommits} in the repository (untimed)`);
  const newCommitPool = await writeCommits(api, newCommits, 'new', writeMs);
  const [tip] = await writeCommits(api, 1, 'tip', writeMs);
  const fromGitPool = await commitsBySomeoneElse(join(options.dataDir, 'git', `${CONFIG_PROJECT}.git`), tip!, fromGitCommits);
  const pinsOf = (mode: Mode) =>
    mode === 'cached' ? Array<string>(size).fill(tip!) : (mode === 'newCommit' ? newCommitPool : fromGitPool).splice(0, size);
  for (const [index, mode] of WARMUP.entries()) await startRound(api, services[index]!, pinsOf(mode), inFlight);
  await sleep(SETTLE_MS);

  const rounds = new Map<Mode, Round[]>(MODES.map((mode) => [mode, []]));
  for (const [index, mode] of order.entries()) {
    const result = await startRound(api, services[WARMUP.length + index]!, pinsOf(mode), inFlight);
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
    newCommitRatioPercent: round((starts.newCommit.overallStartsPerSecond / starts.cached.overallStartsPerSecond) * 100, 1),
    fromGitRatioPercent: round((starts.fromGit.overallStartsPerSecond / starts.cached.overallStartsPerSecond) * 100, 1),
    commitsWritten: writeMs.length,
    commitWriteMs: summarize(writeMs),
    resourceGetMs,
  };
}
