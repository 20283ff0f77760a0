/**
 * Runs `wrk` (the C load generator of figure (b)) as a child process, optionally pinned to CPUs with
 * `taskset`, and returns its parsed report together with the CPU time wrk used.
 *
 * wrk's CPU time is read exactly, not sampled: wrk runs under `sh`, which waits for it and then prints
 * its own `/proc/<pid>/stat`, whose `cutime`/`cstime` fields then hold the CPU of the reaped wrk.
 */
import { spawn, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { parseWrkOutput } from './wrk-output.js';
import type { WrkReport } from './wrk-output.js';

/** The hint every "wrk is missing" error carries. */
export const WRK_INSTALL_HINT = 'apt-get install wrk';

/** USER_HZ of Linux /proc accounting. */
const CLOCK_TICKS_PER_SECOND = 100;
const STAT_MARKER = 'bench-wrk-parent-stat:';

/** Throws when `wrk` is not on the PATH, naming the package to install. */
export function requireWrk(): void {
  const probe = spawnSync('wrk', ['--version'], { stdio: 'ignore' });
  if (probe.error) {
    throw new Error(
      `wrk is not installed (${probe.error.message}): figure (b) measures HTTP throughput with it; ${WRK_INSTALL_HINT} (Debian/Ubuntu)`,
    );
  }
}

/** Options of {@link runWrk}. */
export interface WrkOptions {
  /** Full URL requests go to. */
  url: string;
  /** Lua script given to `-s`. */
  script: string;
  /** Extra environment of wrk (read by the script). */
  env?: Record<string, string>;
  /** Headers sent with every request (`-H`). */
  headers?: Record<string, string>;
  threads: number;
  connections: number;
  /** Whole seconds (wrk's `-d` takes no fractions). */
  durationSeconds: number;
  /** CPUs wrk may run on (`taskset -c`); unset leaves it to the scheduler. */
  cpus?: readonly number[];
}

/** One finished wrk run. */
export interface WrkRun {
  report: WrkReport;
  /** Wall time from spawn to exit. */
  elapsedMs: number;
  /** CPU (user + system) wrk used, as % of one core over {@link elapsedMs}. */
  cpuPercent: number;
  /** wrk's stdout, as printed. */
  output: string;
}

/** The `cutime + cstime` of a `/proc/<pid>/stat` line, in seconds. */
function childrenCpuSeconds(statLine: string): number {
  // Fields after the parenthesised command name; cutime and cstime are the 14th and 15th of those.
  const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  const seconds = (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_SECOND;
  if (!Number.isFinite(seconds)) throw new Error(`cannot read cutime/cstime from '${statLine}'`);
  return seconds;
}

/** Runs wrk once with `--latency`; throws when it exits non-zero, writes to stderr, or prints no report. */
export async function runWrk(options: WrkOptions): Promise<WrkRun> {
  if (!Number.isInteger(options.durationSeconds) || options.durationSeconds < 1) {
    throw new Error(`wrk runs whole seconds: got a duration of ${options.durationSeconds} s`);
  }
  const wrkArgs = [
    'wrk',
    `--threads=${options.threads}`,
    `--connections=${options.connections}`,
    `--duration=${options.durationSeconds}s`,
    '--latency',
    `--script=${options.script}`,
    ...Object.entries(options.headers ?? {}).flatMap(([name, value]) => ['--header', `${name}: ${value}`]),
    options.url,
  ];
  const command = options.cpus ? ['taskset', '-c', options.cpus.join(','), ...wrkArgs] : wrkArgs;
  const wrapper = `"$@"; status=$?; echo "${STAT_MARKER} $(cat /proc/$$/stat)" >&2; exit $status`;
  const started = performance.now();
  const child = spawn('sh', ['-c', wrapper, 'sh', ...command], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const elapsedMs = performance.now() - started;
  const statLine = stderr.split('\n').find((line) => line.startsWith(STAT_MARKER));
  const wrkStderr = stderr
    .split('\n')
    .filter((line) => !line.startsWith(STAT_MARKER))
    .join('\n')
    .trim();
  if (code !== 0) throw new Error(`${command.join(' ')} exited with ${String(code)}: ${wrkStderr || stdout}`);
  // wrk reports a failing Lua script on stderr and still runs (GETs without the body): no figure then.
  if (wrkStderr) throw new Error(`wrk complained, so its run is no figure: ${wrkStderr}`);
  if (!statLine) throw new Error(`the wrk wrapper printed no CPU line; stderr: ${stderr}`);
  const cpuSeconds = childrenCpuSeconds(statLine.slice(STAT_MARKER.length).trim());
  return { report: parseWrkOutput(stdout), elapsedMs, cpuPercent: (cpuSeconds * 100_000) / elapsedMs, output: stdout };
}
