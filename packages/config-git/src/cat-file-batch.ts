/**
 * A long-lived `git cat-file --batch` per repository: object reads go through its stdin/stdout
 * instead of a new process each, which costs a pipe round trip (tens of µs) instead of a process
 * start (milliseconds of CPU). Requests are answered in order. The process is started on the first
 * read, stopped after `idleMs` without reads or by `close()`, and started again after a crash (the
 * reads in flight then fail). While idle it does not keep Node's event loop alive.
 *
 * The requests made in one turn of the event loop go to git in one write (`setImmediate`, as the
 * intake's group commit): sixteen sequence starts that each read a shipyard from git cost one
 * pipe write instead of sixteen; the write per read was a fifth of this reader's CPU.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { systemResourceError } from '@shipmate/core';

/** One object as cat-file prints it. */
export interface BatchObject {
  /** Full object id. */
  readonly oid: string;
  readonly type: string;
  readonly content: Buffer;
}

/** The first line of an object's answer: `<oid> <type> <size>`; any other line is a one-line answer. */
const OBJECT_HEADER = /^([0-9a-f]{40}|[0-9a-f]{64}) ([a-z]+) ([0-9]+)$/;

/**
 * The header line of one `cat-file --batch` answer, or undefined for `<spec> missing` and
 * `<spec> ambiguous` (whose spec may hold spaces, e.g. a path: count no words).
 */
export function parseObjectHeader(line: string): { oid: string; type: string; size: number } | undefined {
  const match = OBJECT_HEADER.exec(line);
  return match ? { oid: match[1]!, type: match[2]!, size: Number(match[3]) } : undefined;
}

/** No bytes (a buffer that keeps no chunk alive). */
const NOTHING = Buffer.alloc(0);

interface Pending {
  resolve(value: BatchObject | undefined): void;
  reject(error: Error): void;
}

/** Reads objects of one repository through one cat-file process. */
export class CatFileBatch {
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly pending: Pending[] = [];
  /** Output not parsed yet: (part of) a header line. */
  private buffer: Buffer = NOTHING;
  /** The object whose content is arriving, and how many of its bytes came. */
  private object: { oid: string; type: string; content: Buffer; filled: number } | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Request lines not yet written to the process, and whether their write is scheduled. */
  private unsent = '';
  private sendScheduled = false;

  constructor(
    /** Starts `git cat-file --batch` in the repository. */
    private readonly start: () => ChildProcessWithoutNullStreams,
    private readonly idleMs = 30_000,
  ) {}

  /**
   * The object named by `spec` (e.g. `<commit>:<path>`), or undefined when there is none. Rejects
   * (never throws) when the process cannot be started, e.g. with no file descriptors left.
   */
  read(spec: string): Promise<BatchObject | undefined> {
    if (/[\n\r]/.test(spec)) return Promise.resolve(undefined);
    try {
      // Started (or kept referenced) now, so that a start failure rejects this read.
      this.running();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.send(`${spec}\n`);
    });
  }

  /** Queues a request line; the lines of one event-loop turn are written together. */
  private send(line: string): void {
    this.unsent += line;
    if (this.sendScheduled) return;
    this.sendScheduled = true;
    setImmediate(() => {
      this.sendScheduled = false;
      const lines = this.unsent;
      this.unsent = '';
      // The process may have exited or been closed meanwhile: its reads were failed then.
      if (lines !== '' && this.child) this.child.stdin.write(lines);
    });
  }

  /** Stops the process; reads in flight fail. */
  close(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const child = this.child;
    this.child = undefined;
    if (child) {
      child.stdin.end();
      child.kill();
    }
    this.failAll(new Error('git cat-file was stopped'));
  }

  private running(): ChildProcessWithoutNullStreams {
    if (this.child) {
      this.setRef(this.child, true);
      return this.child;
    }
    const child = this.start();
    this.child = child;
    this.buffer = NOTHING;
    this.object = undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      // A closed process's last output must not reach the reads of the one that replaced it.
      if (this.child === child) this.receive(chunk);
    });
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => this.onExit(child, systemResourceError(error, 'git cat-file could not be started') ?? error));
    child.on('exit', (code) => this.onExit(child, new Error(`git cat-file exited with code ${code}`)));
    return child;
  }

  /**
   * Takes the process's output: header lines are parsed from `buffer`, and an object's content is
   * copied straight into a buffer of its size, so a large object costs one allocation and one copy
   * (joining every chunk to what came before, as this did, copied a 10 MiB file about 80 times over).
   * Answers each request whose answer is complete.
   */
  private receive(chunk: Buffer): void {
    let data = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.pending.length > 0) {
      const object = this.object;
      if (object) {
        const taken = Math.min(object.content.length - object.filled, data.length);
        data.copy(object.content, object.filled, 0, taken);
        object.filled += taken;
        data = data.subarray(taken);
        // The content, then the newline that ends the answer.
        if (object.filled < object.content.length || data.length === 0) break;
        data = data.subarray(1);
        this.object = undefined;
        this.pending.shift()!.resolve({ oid: object.oid, type: object.type, content: object.content });
        continue;
      }
      const newline = data.indexOf(0x0a);
      if (newline < 0) break;
      const header = parseObjectHeader(data.subarray(0, newline).toString('utf8'));
      data = data.subarray(newline + 1);
      // `<spec> missing` or `<spec> ambiguous`: one line (the spec may hold spaces, e.g. a path)
      if (!header) this.pending.shift()!.resolve(undefined);
      else this.object = { oid: header.oid, type: header.type, content: Buffer.allocUnsafe(header.size), filled: 0 };
    }
    this.buffer = data.length === 0 ? NOTHING : data;
    if (this.pending.length === 0 && this.child) this.idle(this.child);
  }

  private idle(child: ChildProcessWithoutNullStreams): void {
    this.setRef(child, false);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.close(), this.idleMs);
    this.idleTimer.unref();
  }

  private setRef(child: ChildProcessWithoutNullStreams, ref: boolean): void {
    const handles = [child, child.stdout, child.stdin, child.stderr] as unknown as Array<{ ref?(): void; unref?(): void }>;
    for (const handle of handles) {
      if (ref) handle.ref?.();
      else handle.unref?.();
    }
  }

  private onExit(child: ChildProcessWithoutNullStreams, error: Error): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.failAll(error);
  }

  private failAll(error: Error): void {
    this.unsent = '';
    for (const request of this.pending.splice(0)) request.reject(error);
  }
}
