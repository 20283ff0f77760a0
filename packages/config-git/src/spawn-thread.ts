/**
 * Runs short-lived git commands from a worker thread, so that starting them does not stop the
 * server's event loop. Starting a process blocks the thread that starts it until the child has
 * been created and has run `exec` (libuv): about 4 ms a start on the 2-vCPU development VM,
 * whatever the server's size, during which every request that arrived waited
 * (docs/architecture.md, "Git off the event loop").
 *
 * One thread serves the whole process, started with the first call. It takes a call, starts the
 * command with piped stdio, writes the input, collects stdout and stderr, and posts back how it
 * ended: {@link SpawnOutcome}. It keeps the process alive only while calls are running. If the
 * thread dies (it should not: every error is caught and posted), the running calls fail with the
 * reason and the next call starts a new thread.
 */
import { Worker } from 'node:worker_threads';

/** One command: what `spawn` needs, the bytes for stdin and an optional time limit. */
export interface SpawnCall {
  readonly binary: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly input: Buffer | string;
  /**
   * Kills the command after this many ms. A command with a limit gets its own process group, so
   * that the helpers it starts (git-remote-http, ssh) are stopped with it and release the pipes.
   */
  readonly timeoutMs?: number;
}

/** The code, errno and syscall of a failed process start, as Node reports them. */
export interface StartFailure {
  readonly message: string;
  readonly code?: string;
  readonly errno?: number;
  readonly syscall?: string;
  readonly path?: string;
}

/** How a command ended. */
export type SpawnOutcome =
  /** It ran and exited (`code` null when a signal ended it; `timedOut` when the limit did). */
  | { readonly kind: 'exited'; readonly code: number | null; readonly stdout: Buffer; readonly stderr: Buffer; readonly timedOut: boolean }
  /** It could not be started (`spawn` threw or reported 'error'). */
  | { readonly kind: 'notStarted'; readonly failure: StartFailure }
  /** Node created it without stdio streams: the descriptor table is full (EMFILE or ENFILE). */
  | { readonly kind: 'noDescriptors' };

/**
 * Plain CommonJS, so that it runs the same from the TypeScript sources (tests) and from dist (as
 * wal-checkpointer.ts does). Node reports a failed start in three ways: `spawn` throws (e.g.
 * ENOMEM), emits 'error' on the next tick (ENOENT, EACCES, EMFILE…), or, with EMFILE/ENFILE, also
 * returns a child without stdio streams; each becomes an outcome here.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { spawn } = require('node:child_process');

function failureOf(error) {
  const e = error || {};
  return { message: String(e.message || e), code: e.code, errno: e.errno, syscall: e.syscall, path: e.path };
}

/** The bytes as a Uint8Array of their own ArrayBuffer (Buffer.concat may use the shared pool), to transfer. */
function own(chunks) {
  const joined = Buffer.concat(chunks);
  return new Uint8Array(joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength));
}

function killGroup(pid) {
  if (pid === undefined) return;
  try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
}

function run(call, post) {
  const limited = call.timeoutMs !== undefined;
  let child;
  try {
    child = spawn(call.binary, call.args, { env: call.env, detached: limited, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    post({ kind: 'notStarted', failure: failureOf(error) });
    return;
  }
  if (!child.stdin || !child.stdout || !child.stderr) {
    child.on('error', () => undefined);
    post({ kind: 'noDescriptors' });
    return;
  }
  const out = [];
  const err = [];
  let timedOut = false;
  let ended = false;
  const timer = limited ? setTimeout(() => { timedOut = true; killGroup(child.pid); }, call.timeoutMs) : undefined;
  const end = (outcome) => {
    if (ended) return;
    ended = true;
    if (timer) clearTimeout(timer);
    post(outcome);
  };
  child.stdout.on('data', (chunk) => out.push(chunk));
  child.stderr.on('data', (chunk) => err.push(chunk));
  child.on('error', (error) => end({ kind: 'notStarted', failure: failureOf(error) }));
  child.on('close', (code) => end({ kind: 'exited', code, stdout: own(out), stderr: own(err), timedOut }));
  // A failed command may close stdin early; its exit code tells what happened.
  child.stdin.on('error', () => undefined);
  child.stdin.end(call.input);
}

parentPort.on('message', (message) => {
  try {
    run(message.call, (outcome) => {
      const transfer = outcome.kind === 'exited' ? [outcome.stdout.buffer, outcome.stderr.buffer] : [];
      parentPort.postMessage({ id: message.id, outcome }, transfer);
    });
  } catch (error) {
    parentPort.postMessage({ id: message.id, outcome: { kind: 'notStarted', failure: failureOf(error) } });
  }
});
`;

interface Pending {
  resolve(outcome: SpawnOutcome): void;
  reject(error: Error): void;
}

/** What crosses the thread boundary: Buffers arrive as plain Uint8Arrays. */
type PostedOutcome =
  | { kind: 'exited'; code: number | null; stdout: Uint8Array; stderr: Uint8Array; timedOut: boolean }
  | Exclude<SpawnOutcome, { kind: 'exited' }>;

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** The process's spawn thread. */
class SpawnThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Calls the thread answered since the process started (for tests). */
  answered = 0;
  /** The thread's id, once started (for tests). */
  threadId: number | undefined;

  run(call: SpawnCall): Promise<SpawnOutcome> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise<SpawnOutcome>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, call });
    });
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    this.worker = worker;
    this.threadId = worker.threadId;
    worker.on('message', (message: { id: number; outcome: PostedOutcome }) => {
      const call = this.pending.get(message.id);
      if (!call) return;
      this.pending.delete(message.id);
      if (this.pending.size === 0) worker.unref();
      this.answered++;
      const outcome = message.outcome;
      call.resolve(
        outcome.kind === 'exited' ? { ...outcome, stdout: asBuffer(outcome.stdout), stderr: asBuffer(outcome.stderr) } : outcome,
      );
    });
    const fail = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const calls = [...this.pending.values()];
      this.pending.clear();
      for (const call of calls)
        call.reject(new Error(`the thread that starts git commands stopped (${reason}); the command may or may not have run`));
    };
    worker.on('error', (error) => fail(error.message));
    worker.on('exit', (code) => fail(`exit code ${code}`));
    return worker;
  }
}

const thread = new SpawnThread();

/** Runs `call` from the spawn thread. Rejects only when that thread died with the call running. */
export function spawnFromThread(call: SpawnCall): Promise<SpawnOutcome> {
  return thread.run(call);
}

/** Test hook: the spawn thread's id (undefined before the first call) and how many calls it answered. */
export function spawnThreadStats(): { threadId: number | undefined; answered: number } {
  return { threadId: thread.threadId, answered: thread.answered };
}
