/**
 * One running version of a service: a child started without a shell, in its own process group
 * (so stopping it stops what it started), its port in `portEnv`, its output kept (the last lines
 * for messages) and appended to a log file.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import type { LaunchSpec } from './launch-spec.js';

/** How a child ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when it could not be started at all (e.g. the program does not exist). */
  readonly error?: string;
}

/** A started version. */
export interface ManagedProcess {
  readonly pid: number | undefined;
  readonly port: number;
  readonly spec: LaunchSpec;
  /** Resolves when the child has exited (or could not start). */
  readonly exited: Promise<ProcessExit>;
  /** How it ended, once it has. */
  readonly exit: ProcessExit | undefined;
  /** Its last lines of output (stdout and stderr), oldest first. */
  lastLines(count?: number): string[];
  /** SIGTERM to its process group, SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs: number): Promise<void>;
  /** SIGKILL to its process group now, without waiting (process exit). */
  killNow(): void;
}

const KEPT_LINES = 40;

/** Describes an exit for messages: `exited with code 1`, `was killed by SIGKILL`, `could not start: …`. */
export function describeExit(exit: ProcessExit): string {
  if (exit.error !== undefined) return `could not start: ${exit.error}`;
  if (exit.signal !== null) return `was stopped by ${exit.signal}`;
  return `exited with code ${String(exit.code)}`;
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

/** Starts `spec` with `port` in its `portEnv`; output also goes to `logFile` when given. */
export function startManagedProcess(spec: LaunchSpec, port: number, logFile?: string): ManagedProcess {
  const lines: string[] = [];
  let partial = '';
  let log: WriteStream | undefined;
  if (logFile !== undefined) {
    log = createWriteStream(logFile, { flags: 'a' });
    log.on('error', () => (log = undefined));
    log.write(`--- ${new Date().toISOString()} starting ${[spec.file, ...spec.args].join(' ')} on port ${port}\n`);
  }
  const keep = (chunk: Buffer): void => {
    log?.write(chunk);
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    if (partial.length > 4096) {
      lines.push(partial);
      partial = '';
    }
    if (lines.length > KEPT_LINES) lines.splice(0, lines.length - KEPT_LINES);
  };
  const child = spawn(spec.file, [...spec.args], {
    cwd: spec.cwd,
    env: { ...spec.env, [spec.portEnv]: String(port) },
    detached: true,
    shell: false,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exit: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      // A spawn failure: no 'exit' follows.
      if (child.pid === undefined) {
        exit = {
          code: null,
          signal: null,
          error: error.code === 'ENOENT' ? `program '${spec.file}' was not found (ENOENT)` : error.message,
        };
        resolve(exit);
      }
    });
    child.once('close', (code, signal) => {
      if (partial !== '') lines.push(partial);
      partial = '';
      log?.end(`--- exited (code ${String(code)}, signal ${String(signal)})\n`);
      exit ??= { code, signal };
      resolve(exit);
    });
  });
  const pid = child.pid;
  return {
    pid,
    port,
    spec,
    exited,
    get exit() {
      return exit;
    },
    lastLines(count = 20) {
      const all = partial === '' ? lines : [...lines, partial];
      return all.slice(-count);
    },
    async stop(graceMs) {
      if (exit === undefined) {
        signalGroup(pid, 'SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const graceOver = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), graceMs);
        });
        await Promise.race([exited, graceOver]);
        clearTimeout(timer);
      }
      // Whatever the leader left behind in its group goes too.
      signalGroup(pid, 'SIGKILL');
      await exited;
    },
    killNow() {
      signalGroup(pid, 'SIGKILL');
    },
  };
}
