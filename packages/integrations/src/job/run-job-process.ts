/**
 * Runs one job task on a plain host: the command as a child process (no shell: a shell runs only
 * when `cmd` names one) in its own process group, stdout and stderr written to one file (so they
 * interleave as they came, as a container's log), of which the last `maxLogBytes` are returned. The run ends when the process exits; then whatever it left in
 * its group is killed, as a Kubernetes Job's pod ends with its main container. Past `timeoutMs`, or
 * when `signal` aborts, the group gets SIGTERM and, `killGraceMs` later, SIGKILL.
 */
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';

/** What to run. */
export interface JobProcessSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** Where the output goes (created or truncated; the caller removes it). */
  readonly logFile: string;
  /** The whole environment of the process (nothing is inherited besides it). */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly killGraceMs: number;
  readonly maxLogBytes: number;
  readonly signal: AbortSignal;
}

/** How a run ended. */
export const JobProcessEnd = { exited: 'exited', timedOut: 'timedOut', aborted: 'aborted', notStarted: 'notStarted' } as const;
/** One of {@link JobProcessEnd}. */
export type JobProcessEnd = (typeof JobProcessEnd)[keyof typeof JobProcessEnd];

/** The result of a run. */
export interface JobProcessResult {
  readonly end: JobProcessEnd;
  /** The exit code, null when a signal ended the process or it did not start. */
  readonly exitCode: number | null;
  readonly exitSignal: NodeJS.Signals | null;
  /** The last `maxLogBytes` of the output. */
  readonly logs: string;
  /** Bytes of output dropped before {@link logs}. */
  readonly droppedBytes: number;
  /** Why the process could not start (`notStarted`). */
  readonly startError?: string;
}

/** The last `limit` bytes of the file at `path` (not starting inside a UTF-8 character) and how many came before. */
async function readTail(path: string, limit: number): Promise<{ logs: string; droppedBytes: number }> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const length = Math.min(size, limit);
    const buffer = Buffer.alloc(length);
    await file.read(buffer, 0, length, size - length);
    let start = 0;
    while (size > length && start < Math.min(3, length) && (buffer[start]! & 0xc0) === 0x80) start += 1;
    return { logs: buffer.subarray(start).toString('utf8'), droppedBytes: size - length + start };
  } finally {
    await file.close();
  }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

/** Runs `spec` to its end (see the module comment); rejects only when the log file cannot be written or read. */
export async function runJobProcess(spec: JobProcessSpec): Promise<JobProcessResult> {
  const log = await open(spec.logFile, 'w');
  let result: Omit<JobProcessResult, 'logs' | 'droppedBytes'>;
  try {
    result = await new Promise((resolve) => {
      let end: JobProcessEnd = JobProcessEnd.exited;
      let killTimer: NodeJS.Timeout | undefined;
      let settled = false;
      const child = spawn(spec.command, [...spec.args], {
        cwd: spec.cwd,
        env: { ...spec.env },
        detached: true,
        stdio: ['ignore', log.fd, log.fd],
      });
      const stop = (why: JobProcessEnd): void => {
        if (end !== JobProcessEnd.exited || child.exitCode !== null || child.signalCode !== null) return;
        end = why;
        killGroup(child.pid, 'SIGTERM');
        killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), spec.killGraceMs);
      };
      const timer = setTimeout(() => stop(JobProcessEnd.timedOut), spec.timeoutMs);
      const onAbort = (): void => stop(JobProcessEnd.aborted);
      if (spec.signal.aborted) queueMicrotask(onAbort);
      else spec.signal.addEventListener('abort', onAbort, { once: true });
      const finish = (outcome: Omit<JobProcessResult, 'logs' | 'droppedBytes'>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(killTimer);
        spec.signal.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      child.on('error', (error) => finish({ end: JobProcessEnd.notStarted, exitCode: null, exitSignal: null, startError: error.message }));
      child.on('exit', (code, exitSignal) => {
        // The leader exited: end what it left behind in its group, as its pod would end.
        killGroup(child.pid, 'SIGKILL');
        finish({ end, exitCode: code, exitSignal });
      });
    });
  } finally {
    await log.close();
  }
  return { ...result, ...(await readTail(spec.logFile, spec.maxLogBytes)) };
}
