/**
 * Figures (f): project configuration in git, off the hot path.
 *
 * Sequence starts: three runs of (a)'s throughput loop on project `bench`, `sequences` each, that
 * differ only in the commit each trigger pins (Keptn's `gitcommitid` extension):
 * - cached: no `gitcommitid`, so every sequence pins the stage's tip, whose shipyard is cached;
 * - recent: each trigger pins its own recent commit; the git store kept the shipyard text of each
 *   when it was written, but the orchestrator has parsed none of them;
 * - cold: each trigger pins its own commit, old enough to have left both caches (256 entries each),
 *   so every start runs `git cat-file` for `shipyard.yaml` and parses it.
 * The commits are made before the runs (untimed): one stage-level file write each, `sequences` for
 * the cold pool, then `sequences + 260` more, the newest `sequences` of which are the recent pool
 * (so `sequences` must stay under 256 for the recent pool to be cached). An untimed warm-up run of
 * `sequences` comes first.
 *
 * Resource GET: sequential GETs of a service-level file of 2 KiB at the branch tip and at its
 * commit (`?gitCommitID=`), and of a 100 KiB file at the tip.
 */
import { performance } from 'node:perf_hooks';
import { PROJECT, STAGE } from './bench-project.js';
import type { KeptnApi } from './keptn-api.js';
import { runSequenceThroughput } from './scenario-sequences.js';
import type { SequenceThroughputResult } from './scenario-sequences.js';
import { round, summarize } from './stats.js';

/** Entries of the server's shipyard caches (git store text LRU and orchestrator), plus a margin. */
const CACHE_EVICTION_WRITES = 260;

export interface ConfigScenarioOptions {
  api: KeptnApi;
  services: readonly string[];
  /** Sequences per start mode (and commits per pool). */
  sequences: number;
  /** GETs per resource figure. */
  gets: number;
  log: (line: string) => void;
}

export interface ConfigScenarioResult {
  starts: Record<'cached' | 'recent' | 'cold', Pick<SequenceThroughputResult, 'completed' | 'failed' | 'elapsedMs' | 'sequencesPerSecond'>>;
  /** recent and cold as % of cached. */
  recentRatioPercent: number;
  coldRatioPercent: number;
  commitsWritten: number;
  commitWriteMs: ReturnType<typeof summarize>;
  resourceGetMs: Record<'smallAtTip' | 'smallAtCommit' | 'largeAtTip', ReturnType<typeof summarize>>;
}

const STAGE_LEVEL = `project/${PROJECT}/stage/${STAGE}`;

/** Writes `count` commits on the stage branch; returns their ids, oldest first. */
async function writeCommits(api: KeptnApi, count: number, label: string, timings: number[]): Promise<string[]> {
  const commits: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = performance.now();
    commits.push(await api.putResource(STAGE_LEVEL, `bench-config/${label}.txt`, Buffer.from(`${label} ${i}\n`)));
    timings.push(performance.now() - at);
  }
  return commits;
}

async function timeGets(api: KeptnApi, count: number, read: () => Promise<number>): Promise<ReturnType<typeof summarize>> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = performance.now();
    await read();
    samples.push(performance.now() - at);
  }
  return summarize(samples);
}

export async function runConfigScenario(options: ConfigScenarioOptions): Promise<ConfigScenarioResult> {
  const { api, services, sequences, log } = options;
  const writeTimings: number[] = [];
  log(`(f) writing ${sequences * 2 + CACHE_EVICTION_WRITES} commits on ${STAGE_LEVEL} (untimed for the start rates)`);
  const coldPool = await writeCommits(api, sequences, 'cold', writeTimings);
  const newer = await writeCommits(api, sequences + CACHE_EVICTION_WRITES, 'recent', writeTimings);
  const recentPool = newer.slice(-sequences);

  const run = async (mode: 'cached' | 'recent' | 'cold', pool?: readonly string[]) => {
    const result = await runSequenceThroughput({
      api,
      services,
      sequences,
      log: () => undefined,
      ...(pool ? { commitOf: (n: number) => pool[n] } : {}),
    });
    log(
      `(f) ${mode}: ${result.completed} sequences in ${(result.elapsedMs / 1000).toFixed(2)} s → ${result.sequencesPerSecond.toFixed(1)} seq/s`,
    );
    const { completed, failed, elapsedMs, sequencesPerSecond } = result;
    return { completed, failed, elapsedMs: round(elapsedMs, 1), sequencesPerSecond: round(sequencesPerSecond, 2) };
  };
  // Untimed warm-up (JIT, SQLite page cache), so the first measured mode does not pay for it.
  await runSequenceThroughput({ api, services, sequences, log: () => undefined });
  const cached = await run('cached');
  const recent = await run('recent', recentPool);
  const cold = await run('cold', coldPool);

  const serviceLevel = `${STAGE_LEVEL}/service/${services[0]}`;
  const smallCommit = await api.putResource(serviceLevel, 'bench/small.bin', Buffer.alloc(2 * 1024, 7));
  await api.putResource(serviceLevel, 'bench/large.bin', Buffer.alloc(100 * 1024, 9));
  log(`(f) ${options.gets} GETs each: 2 KiB at the tip, 2 KiB at its commit, 100 KiB at the tip`);
  const resourceGetMs = {
    smallAtTip: await timeGets(api, options.gets, () => api.getResource(serviceLevel, 'bench/small.bin')),
    smallAtCommit: await timeGets(api, options.gets, () => api.getResource(serviceLevel, 'bench/small.bin', smallCommit)),
    largeAtTip: await timeGets(api, options.gets, () => api.getResource(serviceLevel, 'bench/large.bin')),
  };
  return {
    starts: { cached, recent, cold },
    recentRatioPercent: (recent.sequencesPerSecond / cached.sequencesPerSecond) * 100,
    coldRatioPercent: (cold.sequencesPerSecond / cached.sequencesPerSecond) * 100,
    commitsWritten: writeTimings.length,
    commitWriteMs: summarize(writeTimings),
    resourceGetMs,
  };
}
