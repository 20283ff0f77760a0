/**
 * Runs the `git` binary without a shell (`spawn` with an argument list), with an environment built
 * from scratch so that system and user configuration, credential prompts and inherited `GIT_*`
 * variables cannot change what it does.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams, SpawnOptionsWithoutStdio } from 'node:child_process';
import { descriptorsExhaustedError, diskFullError, systemResourceError } from '@shipmate/core';

/** Author and committer of every commit (Keptn's GIT_KEPTN_USER / GIT_KEPTN_EMAIL). */
export interface GitAuthor {
  readonly name: string;
  readonly email: string;
}

/** Keptn's default commit author. */
export const KEPTN_AUTHOR: GitAuthor = { name: 'keptn', email: 'keptn@keptn.sh' };

/** A git command that exited non-zero. */
export class GitCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    /** What the command printed before it failed (some commands, e.g. `merge-tree`, report there). */
    readonly stdout: Buffer = Buffer.alloc(0),
  ) {
    super(`git ${args.join(' ')} failed (exit ${exitCode}): ${stderr.trim().slice(0, 500)}`);
    this.name = 'GitCommandError';
  }
}

/** Options of one git call. */
export interface GitCall {
  /** `GIT_DIR` of the call (a bare repository). */
  readonly gitDir?: string;
  /** Bytes written to stdin. */
  readonly input?: Buffer | string;
  /** Extra environment, e.g. `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_0`/`GIT_CONFIG_VALUE_0` for one setting. */
  readonly env?: Readonly<Record<string, string>>;
  /** Kills the command after this many ms (network commands); it then fails with a GitCommandError. */
  readonly timeoutMs?: number;
}

/** Runs git calls with a fixed binary, home and author. */
export interface GitRunner {
  /** Author and committer of the commits it makes (also in every call's environment). */
  readonly author: GitAuthor;
  /**
   * Runs `git <args>` and resolves with stdout; rejects with {@link GitCommandError} on a non-zero
   * exit, and with an `UnavailableError` when git cannot be started for lack of descriptors,
   * processes or memory, or reports a full, over-quota or read-only disk.
   */
  run(args: readonly string[], call?: GitCall): Promise<Buffer>;
  /**
   * Starts a long-lived `git <args>` with piped stdio (e.g. `cat-file --batch`); the caller owns it
   * and must listen for 'error'. Throws an `UnavailableError` when no descriptors are left for the pipes.
   */
  start(args: readonly string[], call?: Omit<GitCall, 'input' | 'timeoutMs'>): ChildProcessWithoutNullStreams;
}

/** Settings of {@link createGitRunner}. */
export interface GitRunnerOptions {
  /** HOME of git (no user config is read from it; it only has to exist). */
  readonly home: string;
  readonly author?: GitAuthor;
  /** @default 'git' from PATH */
  readonly binary?: string;
}

/** The environment of every git call: nothing inherited but PATH. */
export function gitEnvironment(home: string, author: GitAuthor): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: author.name,
    GIT_COMMITTER_EMAIL: author.email,
  };
}

/** Creates a runner. */
export function createGitRunner(options: GitRunnerOptions): GitRunner {
  const author = options.author ?? KEPTN_AUTHOR;
  const base = gitEnvironment(options.home, author);
  const binary = options.binary ?? 'git';
  const environment = (call: Omit<GitCall, 'input' | 'timeoutMs'>) => ({
    ...base,
    ...(call.gitDir ? { GIT_DIR: call.gitDir } : {}),
    ...call.env,
  });
  return {
    author,
    start(args, call = {}) {
      return spawnGit(binary, args, { env: environment(call) });
    },
    run(args, call = {}) {
      return new Promise((resolve, reject) => {
        // A command with a timeout gets its own process group, so that the helpers it starts
        // (git-remote-http, ssh) are stopped with it and release the pipes.
        const limited = call.timeoutMs !== undefined;
        let child: ChildProcessWithoutNullStreams;
        try {
          child = spawnGit(binary, args, { env: environment(call), detached: limited });
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let timedOut = false;
        const timer =
          call.timeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                timedOut = true;
                killGroup(child.pid);
              }, call.timeoutMs);
        child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
        child.on('error', (error) => {
          if (timer) clearTimeout(timer);
          reject(systemResourceError(error, `git ${args[0] ?? ''} could not be started`) ?? error);
        });
        child.on('close', (code) => {
          if (timer) clearTimeout(timer);
          if (code === 0) resolve(Buffer.concat(out));
          else if (timedOut) reject(new GitCommandError(args, code, `no answer within ${call.timeoutMs} ms; the command was stopped`));
          else {
            const stderr = Buffer.concat(err).toString('utf8');
            reject(
              diskFullError(stderr, `git ${args[0] ?? ''} could not write`) ?? new GitCommandError(args, code, stderr, Buffer.concat(out)),
            );
          }
        });
        // A failed command may close stdin early; its exit code tells what happened.
        child.stdin.on('error', () => undefined);
        child.stdin.end(call.input ?? '');
      });
    },
  };
}

/**
 * `spawn` with piped stdio that never leaves an error unhandled. Node reports a failed start in
 * three ways: it throws (e.g. ENOMEM), or it emits 'error' on the next tick, and with EMFILE/ENFILE
 * it also returns a child without stdio streams. The last case is turned into an
 * `UnavailableError` here, and its pending 'error' event is absorbed so that it cannot take the
 * process down.
 */
function spawnGit(binary: string, args: readonly string[], options: SpawnOptionsWithoutStdio): ChildProcessWithoutNullStreams {
  const doing = `git ${args[0] ?? ''} could not be started`;
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(binary, args, { ...options, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    throw systemResourceError(error, doing) ?? error;
  }
  if (!child.stdin || !child.stdout || !child.stderr) {
    child.on('error', () => undefined);
    throw descriptorsExhaustedError(doing);
  }
  return child as ChildProcessWithoutNullStreams;
}

/** Kills the process group led by `pid` (a detached child), ignoring one that is gone already. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * The version of the git binary, or a clear error when it is missing (the server checks this at
 * start: the configuration repositories need it).
 */
export async function requireGit(binary = 'git'): Promise<string> {
  const runner = createGitRunner({ home: '/', binary });
  try {
    return (await runner.run(['--version'])).toString('utf8').trim();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `the git binary is needed for the configuration repositories and could not be run (${reason}); install git (e.g. apt-get install git) and make sure it is on PATH`,
    );
  }
}
