/**
 * Child server processes for the bench: start one, wait for its health URL, sample its memory
 * from `/proc/<pid>/status`, stop it with SIGTERM (SIGKILL after a grace period).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Memory of a process in bytes, from `/proc/<pid>/status`. */
export interface ProcessMemory {
  /** Current resident set (VmRSS). */
  rssBytes: number;
  /** Peak resident set so far (VmHWM). */
  peakRssBytes: number;
}

/** A running child server. */
export interface ServerProcess {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** True until the process exits. */
  running(): boolean;
  /** Reads VmRSS and VmHWM now; undefined once the process is gone. */
  memory(): ProcessMemory | undefined;
  /** Largest VmRSS seen by the periodic sampler (and by {@link memory} calls). */
  maxSampledRssBytes(): number;
  /** CPU time (user + system) used so far, in seconds; NaN once the process is gone. */
  cpuSeconds(): number;
  /**
   * CPU time of the main thread alone (Node's event loop: every request and store call), in
   * seconds; NaN once the process is gone. Over a run, divided by the wall time, it says whether
   * the event loop was the ceiling (near 100 %) or waited for work.
   */
  mainThreadCpuSeconds(): number;
  /** Time its threads spent runnable but waiting for a CPU, in seconds; NaN once the process is gone. */
  runQueueWaitSeconds(): number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code or signal. */
  stop(graceMs?: number): Promise<string>;
}

/** Options of {@link startServerProcess}. */
export interface StartOptions {
  /** Name used in messages. */
  name: string;
  /** Arguments after `node`. */
  args: string[];
  /** Base URL of the server, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Path polled until it answers 200. @default '/health' */
  healthPath?: string;
  /** @default 30000 */
  startTimeoutMs?: number;
  /** Interval of the VmRSS sampler. @default 200 */
  sampleEveryMs?: number;
}

/** USER_HZ of Linux /proc accounting (100 on every mainstream architecture). */
const CLOCK_TICKS_PER_SECOND = 100;

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Reads VmRSS and VmHWM of `pid`; undefined if the process is gone. */
export function readProcessMemory(pid: number): ProcessMemory | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssBytes: kib('VmRSS') * 1024, peakRssBytes: kib('VmHWM') * 1024 };
}

/** CPU time (user + system) of `pid` in seconds, from `/proc/<pid>/stat`; NaN if the process is gone. */
export function readProcessCpuSeconds(pid: number): number {
  return readStatCpuSeconds(`/proc/${pid}/stat`);
}

/** CPU time of the main thread of `pid` (the thread whose id is the process id); NaN if it is gone. */
export function readMainThreadCpuSeconds(pid: number): number {
  return readStatCpuSeconds(`/proc/${pid}/task/${pid}/stat`);
}

/** utime + stime of a `stat` file of /proc, in seconds; NaN when it cannot be read. */
function readStatCpuSeconds(path: string): number {
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of those.
    const fields = readFileSync(path, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/**
 * Bytes `pid` caused to be written to storage so far (`write_bytes` of `/proc/<pid>/io`: the
 * database and its WAL, not sockets); NaN if the process is gone or the field is unreadable.
 */
export function readProcessWriteBytes(pid: number): number {
  try {
    return Number(/^write_bytes:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

/** Open sockets of `pid` (its file descriptors that are sockets); NaN if the process is gone. */
export function readOpenSockets(pid: number): number {
  try {
    let sockets = 0;
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) sockets++;
      } catch {
        // closed meanwhile
      }
    }
    return sockets;
  } catch {
    return Number.NaN;
  }
}

/**
 * Time the threads of `pid` spent runnable but waiting for a CPU, in seconds (sum of the second
 * field of `/proc/<pid>/task/<tid>/schedstat`): high values mean other work competed for the CPUs.
 * Threads that already exited are not counted. NaN if the process is gone or schedstat is absent.
 */
export function readRunQueueWaitSeconds(pid: number): number {
  try {
    let nanoseconds = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        nanoseconds += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
      } catch {
        // the thread exited meanwhile
      }
    }
    return nanoseconds / 1e9;
  } catch {
    return Number.NaN;
  }
}

/** Starts `node <args>` and resolves once `<url><healthPath>` answers 200. */
export async function startServerProcess(options: StartOptions): Promise<ServerProcess> {
  let output = '';
  const child: ChildProcess = spawn(process.execPath, options.args, {
    // The control plane alone: the built-in integrations (approval-service, …) would answer the
    // approval tasks the scenarios keep open, and their work would be measured with it.
    env: { ...process.env, SHIPMATE_BUILT_IN_INTEGRATIONS: 'none', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `exit code ${String(code)}`)));
  const spawnFailed = new Promise<Error>((resolve) => child.once('error', resolve));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name}: could not spawn: ${String(await spawnFailed)}`);

  let maxRss = 0;
  const sample = () => {
    const memory = readProcessMemory(pid);
    if (memory && memory.rssBytes > maxRss) maxRss = memory.rssBytes;
    return memory;
  };
  const sampler = setInterval(sample, options.sampleEveryMs ?? 200);
  sampler.unref();
  void exited.then(() => clearInterval(sampler));

  const running = () => child.exitCode === null && child.signalCode === null;
  const healthUrl = `${options.url}${options.healthPath ?? '/health'}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  for (;;) {
    if (!running()) throw new Error(`${options.name} exited (${await exited}) before it was healthy:\n${output}`);
    try {
      const response = await fetch(healthUrl);
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} did not answer ${healthUrl} within ${options.startTimeoutMs ?? 30_000} ms:\n${output}`);
    }
    await sleep(50);
  }

  let stopping: Promise<string> | undefined;
  return {
    name: options.name,
    url: options.url,
    pid,
    output: () => output,
    running,
    memory: sample,
    maxSampledRssBytes: () => maxRss,
    cpuSeconds: () => readProcessCpuSeconds(pid),
    mainThreadCpuSeconds: () => readMainThreadCpuSeconds(pid),
    runQueueWaitSeconds: () => readRunQueueWaitSeconds(pid),
    stop(graceMs = 10_000) {
      if (!stopping) {
        if (running()) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          void exited.then(() => clearTimeout(timer));
        }
        stopping = exited;
      }
      return stopping;
    },
  };
}

/**
 * What a shipmate server's startup line says of its SQLite WAL writes: `coalesced` (through the
 * store's wal-coalesce extension) or `not coalesced: <why>`; undefined when the line does not say.
 */
export function walWritesOf(output: string): string | undefined {
  return /WAL writes (coalesced|not coalesced: [^)\n]*)\)/.exec(output)?.[1];
}
