/**
 * A git upstream for tests: a bare repository in a temporary folder that a "person" (git run
 * outside Shipmate, with its own identity) clones, commits to and pushes to, with the real git CLI.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const PERSON_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'person',
  GIT_AUTHOR_EMAIL: 'person@example.com',
  GIT_COMMITTER_NAME: 'person',
  GIT_COMMITTER_EMAIL: 'person@example.com',
};

/**
 * The upstream host policy of tests whose upstreams are on this machine (a `file://` repository,
 * a git HTTP server or sshd on 127.0.0.1): both opt-ins on. Production refuses them by default.
 */
export const LOCAL_TEST_UPSTREAMS = Object.freeze({ allowFile: true, allowLoopback: true });

/** The same opt-ins as environment of a `shipmate server` process. */
export const LOCAL_TEST_UPSTREAM_ENV: Readonly<Record<string, string>> = Object.freeze({
  SHIPMATE_UPSTREAM_ALLOW_FILE: 'true',
  SHIPMATE_UPSTREAM_ALLOW_LOOPBACK: 'true',
});

/** Runs git as a person outside Shipmate. */
export function personGit(args: string[], cwd?: string): string {
  return execFileSync('git', args, { cwd, env: PERSON_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** {@link personGit} without blocking the event loop (needed when the git server runs in the test process). */
export async function personGitAsync(args: string[], cwd?: string): Promise<string> {
  const { stdout } = await promisify(execFile)('git', args, { cwd, env: PERSON_ENV, encoding: 'utf8' });
  return stdout.trim();
}

/** A temporary folder with an empty bare upstream (`upstream.git`) and room for clones; `cleanup` removes it all. */
export class GitUpstream {
  readonly root = mkdtempSync(join(tmpdir(), 'shipmate-upstream-'));
  readonly upstreamDir = join(this.root, 'upstream.git');
  readonly url = `file://${this.upstreamDir}`;
  private clones = 0;

  constructor() {
    personGit(['init', '--bare', '--quiet', this.upstreamDir]);
  }

  /** Tip of a branch in the upstream, or undefined. */
  upstreamTip(branch: string): string | undefined {
    try {
      return personGit(['--git-dir', this.upstreamDir, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]);
    } catch {
      return undefined;
    }
  }

  /** A person clones `branch`, writes `files` and pushes; returns the new commit. */
  commitInUpstream(branch: string, files: Record<string, string>, message = 'edit by a person'): string {
    const clone = join(this.root, `clone-${++this.clones}`);
    personGit(['clone', '--quiet', '--branch', branch, this.url, clone]);
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(clone, path)), { recursive: true });
      writeFileSync(join(clone, path), content);
    }
    personGit(['add', '-A'], clone);
    personGit(['commit', '--quiet', '-m', message], clone);
    personGit(['push', '--quiet', 'origin', branch], clone);
    return personGit(['rev-parse', 'HEAD'], clone);
  }

  cleanup(): void {
    // A background sync of a mirror the test left open may still be finishing a git command that
    // writes here: retry the removal instead of failing the test's teardown.
    rmSync(this.root, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}
