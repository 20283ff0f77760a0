/**
 * The git remote `upstream` of one project repository: its URL in the repository's config (never
 * with credentials), fetch into `refs/remotes/upstream/*`, push of the local branches, and the
 * count of commits the upstream does not have yet.
 */
import { enforceUpstreamCredentialsPolicy } from '@shipmate/core';
import type { ResolveHost, UpstreamCredentials, UpstreamHostPolicy } from '@shipmate/core';
import type { GitRunner } from '../git-runner.js';
import { GitCommandError } from '../git-runner.js';
import { remoteEnvironment } from './remote-environment.js';

/** Name of the remote in every project repository. */
export const REMOTE = 'upstream';
const TRACKING_PREFIX = `refs/remotes/${REMOTE}/`;
/** Where a branch that conflicts with the upstream is pushed for a person to merge. */
export const CONFLICT_PREFIX = 'shipmate-conflict/';

/** A push refused by the upstream because it has commits Shipmate has not merged yet. */
export class PushRejectedError extends Error {
  constructor(readonly branches: readonly string[]) {
    super(`the upstream refused the push of ${branches.join(', ')}: it has commits Shipmate has not merged yet`);
    this.name = 'PushRejectedError';
  }
}

/** Settings shared by every remote call. */
export interface RemoteCallOptions {
  readonly git: GitRunner;
  /** Private folder of askpass script, known_hosts and per-call files. */
  readonly stateDir: string;
  readonly timeoutMs: number;
  /** What an upstream may reach; checked again before every network command (a name may re-resolve). */
  readonly hosts: UpstreamHostPolicy;
  readonly resolveHost: ResolveHost;
}

/** Remote operations on the repository at `gitDir`. */
export class UpstreamRemote {
  constructor(
    private readonly options: RemoteCallOptions,
    private readonly gitDir: string,
  ) {}

  private local(args: readonly string[], input?: string): Promise<Buffer> {
    return this.options.git.run(args, { gitDir: this.gitDir, ...(input === undefined ? {} : { input }) });
  }

  private async remote(args: readonly string[], credentials: UpstreamCredentials, timeoutMs: number): Promise<string> {
    await enforceUpstreamCredentialsPolicy(credentials, this.options.hosts, this.options.resolveHost);
    const environment = await remoteEnvironment(credentials, this.options.stateDir);
    try {
      const out = await this.options.git.run(args, { gitDir: this.gitDir, env: environment.env, timeoutMs });
      return out.toString('utf8');
    } finally {
      await environment.dispose();
    }
  }

  /** Points the remote at `url`; a changed URL forgets what was known of the old upstream. */
  async setUrl(url: string): Promise<void> {
    const current = await this.url();
    if (current === url) return;
    if (current !== undefined) await this.forgetTracking();
    await this.local(['config', `remote.${REMOTE}.url`, url]);
    await this.local(['config', `remote.${REMOTE}.fetch`, `+refs/heads/*:${TRACKING_PREFIX}*`]);
  }

  /** Removes the remote and its tracking branches. */
  async remove(): Promise<void> {
    if ((await this.url()) === undefined) return;
    await this.forgetTracking();
    await this.local(['config', '--remove-section', `remote.${REMOTE}`]);
  }

  private async url(): Promise<string | undefined> {
    try {
      return (await this.local(['config', '--get', `remote.${REMOTE}.url`])).toString('utf8').trim();
    } catch (error) {
      if (error instanceof GitCommandError && error.exitCode === 1) return undefined;
      throw error;
    }
  }

  private async forgetTracking(): Promise<void> {
    const refs = (await this.local(['for-each-ref', '--format=%(refname)', TRACKING_PREFIX])).toString('utf8').split('\n');
    const deletes = refs.filter((ref) => ref !== '').map((ref) => `delete ${ref}\n`);
    if (deletes.length > 0) await this.local(['update-ref', '--stdin'], deletes.join(''));
  }

  /** Fetches every branch of the upstream; returns branch → tip of the upstream. */
  async fetch(credentials: UpstreamCredentials, timeoutMs = this.options.timeoutMs): Promise<Map<string, string>> {
    await this.remote(['fetch', '--prune', '--quiet', '--no-tags', REMOTE], credentials, timeoutMs);
    return this.trackedTips();
  }

  /** The upstream's branch tips as last fetched or pushed. */
  async trackedTips(): Promise<Map<string, string>> {
    const out = (await this.local(['for-each-ref', '--format=%(objectname) %(refname)', TRACKING_PREFIX])).toString('utf8');
    const tips = new Map<string, string>();
    for (const line of out.split('\n')) {
      const space = line.indexOf(' ');
      if (space > 0) tips.set(line.slice(space + 1).slice(TRACKING_PREFIX.length), line.slice(0, space));
    }
    return tips;
  }

  /**
   * Pushes `branches` to the same names (never forced) and `conflicted` to `shipmate-conflict/<branch>`
   * (forced: those refs are Shipmate's). Throws {@link PushRejectedError} when the upstream has new commits.
   */
  async push(credentials: UpstreamCredentials, branches: readonly string[], conflicted: readonly string[]): Promise<void> {
    const refspecs = [
      ...branches.map((branch) => `refs/heads/${branch}:refs/heads/${branch}`),
      ...conflicted.map((branch) => `+refs/heads/${branch}:refs/heads/${CONFLICT_PREFIX}${branch}`),
    ];
    if (refspecs.length === 0) return;
    try {
      await this.remote(['push', '--porcelain', REMOTE, ...refspecs], credentials, this.options.timeoutMs);
    } catch (error) {
      if (!(error instanceof GitCommandError)) throw error;
      const rejected = rejectedBranches(error.stdout.toString('utf8'));
      if (rejected.length > 0) throw new PushRejectedError(rejected);
      throw error;
    }
  }

  /** Commits on `branches` that no upstream branch has (as last fetched or pushed). */
  async unpushedCount(branches: readonly string[]): Promise<number> {
    if (branches.length === 0) return 0;
    const refs = branches.map((branch) => `refs/heads/${branch}`);
    const out = await this.local(['rev-list', '--count', ...refs, '--not', `--remotes=${REMOTE}`]);
    return Number(out.toString('utf8').trim());
  }
}

/** Branches `git push --porcelain` reports as rejected because the upstream moved on. */
function rejectedBranches(porcelain: string): string[] {
  const rejected: string[] = [];
  for (const line of porcelain.split('\n')) {
    const [flag, refs, summary] = line.split('\t');
    if (flag !== '!' || !refs || !/fetch first|non-fast-forward|rejected/.test(summary ?? '')) continue;
    rejected.push(refs.split(':')[1]?.replace(/^refs\/heads\//, '') ?? refs);
  }
  return rejected;
}
