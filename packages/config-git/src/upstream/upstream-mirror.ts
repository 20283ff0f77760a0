/**
 * The upstream mirror of the configuration repositories (issue 4 point 3; docs/upstream.md).
 *
 * - Writes never wait for the upstream: `pushSoon` schedules a push; a failed push is retried with
 *   exponential backoff (1 s doubling up to `retryMaxMs`) and shows in the project's status.
 * - `pull` (before a write, a read at the branch tip, and a sequence start) fetches the upstream with a
 *   short timeout and merges its new commits into the local branches under the project's write lock.
 *   Concurrent pulls of one project share one fetch. While a failing upstream waits for its next
 *   retry, `pull` returns at once: an unreachable upstream costs a sequence nothing.
 * - Conflict policy, per branch: the upstream ahead → fast-forward; Shipmate ahead → push; both
 *   changed → an in-memory merge (`git merge-tree`) committed on Shipmate's branch when clean; when
 *   the same files were changed on both sides, Shipmate keeps its version, pushes it to
 *   `shipmate-conflict/<branch>` for a person to merge, stops pushing that branch and reports it as
 *   diverged until the upstream branch contains Shipmate's commits.
 * - Several replicas on one shared folder (the store's `shared`): a fetch-and-merge and a push of a
 *   project hold its upstream lock file (`store.syncingUpstream`), so one process at a time talks
 *   to the upstream about it; merges also hold the project's write lock (`updateBranches`).
 */
import { join } from 'node:path';
import { ErrorCode, STRICT_UPSTREAM_HOSTS, ShipmateError } from '@shipmate/core';
import type {
  ConfigUpstream,
  DivergedBranch,
  ResolveHost,
  SecretCipher,
  UpstreamCredentials,
  UpstreamHostPolicy,
  UpstreamStatus,
} from '@shipmate/core';
import { BareRepository, BranchMovedError } from '../bare-repository.js';
import type { GitResourceStore } from '../git-resource-store.js';
import { createGitRunner } from '../git-runner.js';
import type { GitAuthor } from '../git-runner.js';
import { CredentialVault } from './credential-vault.js';
import { resolveHost } from './resolve-host.js';
import { CONFLICT_PREFIX, PushRejectedError, UpstreamRemote } from './upstream-remote.js';

/** Settings of {@link createUpstreamMirror}. */
export interface UpstreamMirrorOptions {
  /** The repositories (same `rootDir` as the store). */
  readonly store: GitResourceStore;
  /** Folder of the repositories; the mirror keeps its own files in `<rootDir>/.shipmate`. */
  readonly rootDir: string;
  /** Seals the stored credentials (the server's secret key). */
  readonly cipher: SecretCipher;
  readonly author?: GitAuthor;
  /** Longest wait for a fetch before a write or a sequence start. @default 5000 */
  readonly pullTimeoutMs?: number;
  /** Longest push. @default 60000 */
  readonly pushTimeoutMs?: number;
  /** First retry delay after a failure; doubles per failure. @default 1000 */
  readonly retryMinMs?: number;
  /** Longest retry delay. @default 60000 */
  readonly retryMaxMs?: number;
  /** Background pull of every upstream (so chained sequences see upstream commits); 0 turns it off. @default 60000 */
  readonly pollIntervalMs?: number;
  /**
   * What an upstream may reach (SHIPMATE_UPSTREAM_ALLOW_FILE, SHIPMATE_UPSTREAM_ALLOW_LOOPBACK),
   * checked before every fetch and push; a refusal fails the command and shows in the status.
   * @default STRICT_UPSTREAM_HOSTS (no file:// or local paths, no loopback or link-local addresses)
   */
  readonly hosts?: UpstreamHostPolicy;
  /** Resolves upstream host names for that check. @default the system resolver (`dns.lookup`, all addresses) */
  readonly resolveHost?: ResolveHost;
  readonly now?: () => number;
  /** Where failures are reported (besides the status). */
  readonly onError?: (project: string, message: string) => void;
}

interface ProjectMirror {
  readonly project: string;
  credentials: UpstreamCredentials;
  remote: UpstreamRemote;
  unpushed: number;
  lastPush: number | null;
  lastPull: number | null;
  lastError: { time: number; operation: 'push' | 'pull'; message: string } | null;
  failedAttempts: number;
  nextAttemptAt: number | null;
  diverged: DivergedBranch[];
  timer: NodeJS.Timeout | undefined;
  timerAt: number;
  /** The sync (pull, then push) now running, if any; removing the project waits for it. */
  syncing: Promise<void> | undefined;
  rerun: boolean;
  pullInFlight: Promise<boolean> | undefined;
}

/** The mirror plus its start. */
export interface UpstreamMirror extends ConfigUpstream {
  /** Loads the stored credentials of every project and starts a sync for each; returns their count. */
  load(): Promise<number>;
}

/** Creates the mirror; call `load()` once at start. */
export function createUpstreamMirror(options: UpstreamMirrorOptions): UpstreamMirror {
  const stateDir = join(options.rootDir, '.shipmate');
  const git = createGitRunner({ home: options.rootDir, ...(options.author ? { author: options.author } : {}) });
  const vault = new CredentialVault(stateDir, options.cipher);
  const pullTimeoutMs = options.pullTimeoutMs ?? 5000;
  const remoteOptions = {
    git,
    stateDir,
    timeoutMs: options.pushTimeoutMs ?? 60_000,
    hosts: options.hosts ?? STRICT_UPSTREAM_HOSTS,
    resolveHost: options.resolveHost ?? resolveHost,
  };
  const retryMinMs = options.retryMinMs ?? 1000;
  const retryMaxMs = options.retryMaxMs ?? 60_000;
  const pollIntervalMs = options.pollIntervalMs ?? 60_000;
  const now = options.now ?? Date.now;
  const mirrors = new Map<string, ProjectMirror>();
  let closed = false;

  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

  function schedule(mirror: ProjectMirror, delayMs: number): void {
    if (!isActive(mirror)) return;
    const at = now() + delayMs;
    if (mirror.timer && mirror.timerAt <= at) return;
    if (mirror.timer) clearTimeout(mirror.timer);
    mirror.timerAt = at;
    mirror.timer = setTimeout(() => {
      mirror.timer = undefined;
      void run(mirror);
    }, delayMs);
    mirror.timer.unref();
  }

  function fail(mirror: ProjectMirror, operation: 'push' | 'pull', error: unknown): void {
    mirror.failedAttempts += 1;
    const delay = Math.min(retryMinMs * 2 ** (mirror.failedAttempts - 1), retryMaxMs);
    mirror.lastError = { time: now(), operation, message: reason(error) };
    mirror.nextAttemptAt = now() + delay;
    options.onError?.(
      mirror.project,
      `${operation} to the upstream failed (attempt ${mirror.failedAttempts}, next in ${delay} ms): ${reason(error)}`,
    );
    schedule(mirror, delay);
  }

  /** A pull that worked clears a pull error; a push that worked clears every error. */
  function succeed(mirror: ProjectMirror, operation: 'push' | 'pull'): void {
    if (operation === 'pull') mirror.lastPull = now();
    if (operation === 'pull' && mirror.lastError?.operation === 'push') return;
    mirror.lastError = null;
    mirror.failedAttempts = 0;
    mirror.nextAttemptAt = null;
  }

  /** Merges the upstream's tips into the local branches (see the conflict policy above). */
  async function integrate(mirror: ProjectMirror, upstream: ReadonlyMap<string, string>): Promise<void> {
    const diverged = await options.store.updateBranches(mirror.project, async (repo, tips) => {
      const found: DivergedBranch[] = [];
      for (const [branch, local] of tips) {
        const theirs = upstream.get(branch);
        if (!theirs || theirs === local || (await repo.isAncestor(theirs, local))) continue;
        if (await repo.isAncestor(local, theirs)) {
          await moveIfUnchanged(repo, branch, theirs, local);
          continue;
        }
        const merge = await repo.mergeTrees(local, theirs);
        if (merge.clean) {
          const commit = await repo.commitTree(merge.tree, [local, theirs], `Merged upstream changes into ${branch}`);
          await moveIfUnchanged(repo, branch, commit, local);
        } else {
          found.push({ branch, conflicts: merge.conflicts, pushedAs: `${CONFLICT_PREFIX}${branch}` });
        }
      }
      return found;
    });
    mirror.diverged = diverged ?? [];
  }

  async function moveIfUnchanged(repo: BareRepository, branch: string, commit: string, expected: string): Promise<void> {
    try {
      await repo.moveBranch(branch, commit, expected);
    } catch (error) {
      // Moved by something outside this process: the next pull looks again.
      if (!(error instanceof BranchMovedError)) throw error;
    }
  }

  async function localBranches(mirror: ProjectMirror): Promise<string[]> {
    return [...(await new BareRepository(git, options.store.repositoryDir(mirror.project)).branches()).keys()];
  }

  /** Fetches the upstream and merges its commits (the caller holds the project's upstream lock). */
  async function fetchAndIntegrate(mirror: ProjectMirror, timeoutMs: number): Promise<void> {
    await integrate(mirror, await mirror.remote.fetch(mirror.credentials, timeoutMs));
  }

  /**
   * Fetch and merge; true on success. Shares a running fetch. Another replica syncing the project
   * for longer than `timeoutMs` is not a failure of the upstream: the pull is skipped and retried soon.
   */
  function pullOnce(mirror: ProjectMirror, timeoutMs: number): Promise<boolean> {
    mirror.pullInFlight ??= (async () => {
      try {
        await options.store.syncingUpstream(mirror.project, timeoutMs, () => fetchAndIntegrate(mirror, timeoutMs));
        succeed(mirror, 'pull');
        return true;
      } catch (error) {
        if (error instanceof ShipmateError && error.code === ErrorCode.configLocked) schedule(mirror, retryMinMs);
        else fail(mirror, 'pull', error);
        return false;
      } finally {
        mirror.pullInFlight = undefined;
      }
    })();
    return mirror.pullInFlight;
  }

  /** Pushes what the upstream lacks, holding the project's upstream lock. */
  function pushOnce(mirror: ProjectMirror): Promise<void> {
    return options.store.syncingUpstream(mirror.project, remoteOptions.timeoutMs, async () => {
      const branches = await localBranches(mirror);
      const conflicted = mirror.diverged.map((d) => d.branch);
      const pushable = branches.filter((branch) => !conflicted.includes(branch));
      mirror.unpushed = await mirror.remote.unpushedCount(pushable);
      if (mirror.unpushed === 0 && conflicted.length === 0) {
        succeed(mirror, 'push');
        return;
      }
      try {
        await mirror.remote.push(mirror.credentials, pushable, conflicted);
      } catch (error) {
        if (!(error instanceof PushRejectedError)) throw error;
        // The upstream moved on between our fetch and push: merge its commits and push once more.
        try {
          await fetchAndIntegrate(mirror, pullTimeoutMs);
          succeed(mirror, 'pull');
        } catch (pullError) {
          fail(mirror, 'pull', pullError);
          return;
        }
        await mirror.remote.push(
          mirror.credentials,
          pushable,
          mirror.diverged.map((d) => d.branch),
        );
      }
      mirror.unpushed = await mirror.remote.unpushedCount(pushable);
      mirror.lastPush = now();
      succeed(mirror, 'push');
    });
  }

  /** One sync (pull, then push), never two at once per project. */
  function run(mirror: ProjectMirror): Promise<void> {
    if (mirror.syncing) {
      mirror.rerun = true;
      return mirror.syncing;
    }
    mirror.syncing = (async () => {
      try {
        do {
          mirror.rerun = false;
          if (!(await pullOnce(mirror, remoteOptions.timeoutMs))) return;
          try {
            await pushOnce(mirror);
          } catch (error) {
            fail(mirror, 'push', error);
            return;
          }
        } while (mirror.rerun && isActive(mirror));
        if (pollIntervalMs > 0) schedule(mirror, pollIntervalMs);
      } finally {
        mirror.syncing = undefined;
      }
    })();
    return mirror.syncing;
  }

  function isActive(mirror: ProjectMirror): boolean {
    return !closed && mirrors.get(mirror.project) === mirror;
  }

  /** Waits until no git command of this mirror runs, so its repository can be removed. */
  async function settled(mirror: ProjectMirror): Promise<void> {
    await Promise.allSettled([mirror.syncing, mirror.pullInFlight]);
  }

  async function start(project: string, credentials: UpstreamCredentials): Promise<void> {
    const remote = new UpstreamRemote(remoteOptions, options.store.repositoryDir(project));
    await remote.setUrl(credentials.remoteURL);
    const previous = mirrors.get(project);
    if (previous?.timer) clearTimeout(previous.timer);
    const mirror: ProjectMirror = {
      project,
      credentials,
      remote,
      unpushed: 0,
      lastPush: null,
      lastPull: null,
      lastError: null,
      failedAttempts: 0,
      nextAttemptAt: null,
      diverged: [],
      timer: undefined,
      timerAt: 0,
      syncing: undefined,
      rerun: false,
      pullInFlight: undefined,
    };
    mirrors.set(project, mirror);
    schedule(mirror, 0);
  }

  async function stop(project: string): Promise<void> {
    const mirror = mirrors.get(project);
    if (!mirror) return;
    if (mirror.timer) clearTimeout(mirror.timer);
    mirrors.delete(project);
    await settled(mirror);
  }

  return {
    async load() {
      const stored = await vault.loadAll();
      for (const [project, credentials] of stored) {
        if (await options.store.hasProject(project)) await start(project, credentials);
        else await vault.remove(project);
      }
      return mirrors.size;
    },

    async configure(project, credentials) {
      if (!credentials?.remoteURL) {
        await stop(project);
        await vault.remove(project);
        await new UpstreamRemote(remoteOptions, options.store.repositoryDir(project)).remove();
        return;
      }
      await vault.save(project, credentials);
      await start(project, credentials);
    },

    async forget(project) {
      await stop(project);
      await vault.remove(project);
    },

    async reload(project) {
      const credentials = (await vault.loadAll()).get(project);
      if (credentials?.remoteURL && (await options.store.hasProject(project))) await start(project, credentials);
      else await stop(project);
    },

    async pull(project) {
      const mirror = mirrors.get(project);
      if (!mirror || closed) return;
      if (mirror.nextAttemptAt !== null && now() < mirror.nextAttemptAt) return;
      // A background fetch may be running with the longer timeout: wait for it at most pullTimeoutMs.
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, pullTimeoutMs)));
      await Promise.race([pullOnce(mirror, pullTimeoutMs), bound]);
      clearTimeout(timer);
    },

    pushSoon(project) {
      const mirror = mirrors.get(project);
      if (!mirror) return;
      mirror.unpushed += 1;
      // While failing, the scheduled retry pushes this commit too.
      if (mirror.failedAttempts === 0) schedule(mirror, 0);
    },

    status(project): UpstreamStatus | undefined {
      const mirror = mirrors.get(project);
      if (!mirror) return undefined;
      const state =
        mirror.diverged.length > 0 ? 'diverged' : mirror.failedAttempts > 0 ? 'failing' : mirror.unpushed > 0 ? 'pending' : 'synced';
      return {
        remoteURL: mirror.credentials.remoteURL,
        state,
        unpushedCommits: mirror.unpushed,
        lastPush: iso(mirror.lastPush),
        lastPull: iso(mirror.lastPull),
        lastError: mirror.lastError ? { ...mirror.lastError, time: new Date(mirror.lastError.time).toISOString() } : null,
        failedAttempts: mirror.failedAttempts,
        nextAttempt: iso(mirror.nextAttemptAt),
        divergedBranches: mirror.diverged,
      };
    },

    async close() {
      closed = true;
      for (const mirror of mirrors.values()) if (mirror.timer) clearTimeout(mirror.timer);
      // The git commands running now finish before the repositories may be removed or the process ends.
      await Promise.all([...mirrors.values()].map(settled));
    },
  };
}
