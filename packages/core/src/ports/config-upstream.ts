/**
 * The upstream mirror of the configuration repositories (issue 4 point 3): each project may name a
 * git remote ("upstream") that Shipmate pushes its commits to, asynchronously and with retries, and
 * pulls commits made there before writes and before a sequence pins its commit. A failing upstream
 * never fails a write or a sequence: it shows in {@link UpstreamStatus}.
 */

/** Where and how to reach a project's upstream (Keptn's `gitCredentials`, secrets included). */
export interface UpstreamCredentials {
  /** `http(s)://`, `ssh://` or `file://` URL of the remote repository. */
  readonly remoteURL: string;
  readonly user?: string;
  readonly https?: {
    readonly token?: string;
    /** PEM of a CA certificate to trust (decoded from Keptn's base64). */
    readonly certificate?: string;
    readonly insecureSkipTLS?: boolean;
    readonly proxy?: { readonly url: string; readonly scheme?: string; readonly user?: string; readonly password?: string };
  };
  readonly ssh?: {
    /** PEM of the private key (decoded from Keptn's base64). */
    readonly privateKey?: string;
    readonly privateKeyPass?: string;
  };
}

/** Health of the mirror: `synced` (nothing to push), `pending` (a push is due or running), `failing`, `diverged`. */
export type UpstreamState = 'synced' | 'pending' | 'failing' | 'diverged';

/** A branch that changed both here and in the upstream with conflicting edits. */
export interface DivergedBranch {
  readonly branch: string;
  /** Paths edited on both sides. */
  readonly conflicts: readonly string[];
  /** Where Shipmate pushed its side, for a person to merge into the upstream branch. */
  readonly pushedAs: string;
}

/** A project's sync status (on `GET /project/{p}` and `GET /project/{p}/upstream`). */
export interface UpstreamStatus {
  readonly remoteURL: string;
  readonly state: UpstreamState;
  /** Commits on Shipmate's branches that the upstream does not have yet. */
  readonly unpushedCommits: number;
  /** ISO time of the last successful push, or null. */
  readonly lastPush: string | null;
  /** ISO time of the last successful pull (fetch and merge), or null. */
  readonly lastPull: string | null;
  /** The last failure, cleared by the next success of the same operation. */
  readonly lastError: { readonly time: string; readonly operation: 'push' | 'pull'; readonly message: string } | null;
  /** Failed attempts in a row. */
  readonly failedAttempts: number;
  /** ISO time of the next retry when failing, or null. */
  readonly nextAttempt: string | null;
  readonly divergedBranches: readonly DivergedBranch[];
}

/** The mirror as the server uses it. */
export interface ConfigUpstream {
  /**
   * Sets (or with undefined removes) the project's upstream: the credentials are stored encrypted,
   * and a sync (pull, then push of everything) starts in the background. Resolves once stored.
   */
  configure(project: string, credentials: UpstreamCredentials | undefined): Promise<void>;
  /** Forgets the project (it is being deleted): timers stop, stored credentials go. */
  forget(project: string): Promise<void>;
  /**
   * Another control-plane replica configured, removed or forgot the project's upstream: reads its
   * stored settings again and starts, restarts or stops syncing it.
   */
  reload(project: string): Promise<void>;
  /**
   * Fetches the upstream and merges its new commits into the local branches, waiting at most the
   * configured pull timeout. Never throws: a failure is recorded in the status. A no-op for a
   * project without upstream, and while a failing upstream waits for its next retry.
   */
  pull(project: string): Promise<void>;
  /** A local write happened: push soon (asynchronous, with retries). */
  pushSoon(project: string): void;
  /** The status, or undefined for a project without upstream. */
  status(project: string): UpstreamStatus | undefined;
  /** Stops timers and waits for the running git commands to finish. */
  close(): Promise<void>;
}
