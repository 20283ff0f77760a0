/**
 * A `shipmate` child process for end-to-end tests and benchmarks: spawned with its output
 * captured, waited on until an HTTP health probe passes, stopped with SIGTERM or SIGKILL.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Path of the `shipmate` launcher in this repository. */
export const SHIPMATE_BIN = resolve(fileURLToPath(new URL('../../../apps/cli/bin/shipmate.js', import.meta.url)));

/** A running `shipmate` process. */
export interface ShipmateProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** Peak resident set size in bytes (VmHWM), read from /proc. */
  peakRssBytes(): number;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

/** How a `shipmate` process is started. */
export interface SpawnShipmateOptions {
  /** Soft and hard limit of open file descriptors (`ulimit -n` in a shell that then execs node). @default inherited */
  readonly maxOpenFiles?: number;
  /** A command that runs the process, e.g. `['ip', 'netns', 'exec', '<ns>']` (it must exec, so signals reach the process). @default none */
  readonly prefix?: readonly string[];
}

/** Spawns `shipmate <args>` with `env` added to this process's environment. */
export function spawnShipmate(args: readonly string[], env: Record<string, string>, options: SpawnShipmateOptions = {}): ShipmateProcess {
  let output = '';
  const command = [...(options.prefix ?? []), process.execPath, SHIPMATE_BIN, ...args];
  const [file, argv] =
    options.maxOpenFiles === undefined
      ? [command[0]!, command.slice(1)]
      : // The limit goes in as $0 and the command as "$@": nothing is parsed by the shell.
        ['/bin/sh', ['-c', 'ulimit -n "$0" && exec "$@"', String(options.maxOpenFiles), ...command]];
  const child = spawn(file, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  return {
    child,
    output: () => output,
    peakRssBytes() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const match = /VmHWM:\s+(\d+) kB/.exec(status);
      return match ? Number(match[1]) * 1024 : 0;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Polls `probe` every 50 ms until it resolves true; fails (killing the process) when the process
 * exits first or `timeoutMs` passes, with the process's output in the message.
 */
export async function waitUntilReady(
  process: ShipmateProcess,
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (process.child.exitCode !== null)
      throw new Error(`${what} exited with ${process.child.exitCode} before it was ready:\n${process.output()}`);
    try {
      if (await probe()) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await process.kill();
      throw new Error(`${what} was not ready within ${timeoutMs} ms:\n${process.output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves with the exit code of `process`, or 'still running' after `timeoutMs`. */
export function exitOf(process: ShipmateProcess, timeoutMs: number): Promise<number | null | 'still running'> {
  const { child } = process;
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('still running'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}
