/**
 * The configuration repositories on the local disk, one bare repository per project at
 * `<rootDir>/<project>.git`, laid out as Keptn's resource service does it (branch per stage):
 *
 * - `master` (Keptn's DEFAULT_REMOTE_GIT_BRANCH) holds the project level: `shipyard.yaml` and
 *   `metadata.yaml` at the root;
 * - each stage is a branch created from `master`;
 * - a service is the folder `<service>/` on each stage branch, marked by `<service>/metadata.yaml`.
 *
 * Writes of one project are serialised in process, and every branch update is a compare-and-swap.
 * With one process (the default), branch tips are kept in memory and updated on every write, so
 * `latestCommit` (called when a sequence starts) runs no git command. With `shared` (several
 * replicas on one folder), a write also holds the project's lock file and reads take tips from the
 * ref files (`branch-tips.ts`). `readShipyard` is served from an LRU cache keyed by commit (commits
 * never change), filled on writes and read from git only on a miss.
 *
 * A project's repository appears and disappears with one rename, so no process, this one or
 * another, ever meets a half-made or half-removed repository under its name.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, ErrorCode, KeyedMutex, LruCache, NotFoundError } from '@shipmate/core';
import type { ResourceContent, ResourceFile, ResourceLevel, ResourceListing, ResourceStore } from '@shipmate/core';
import { BareRepository, BranchMovedError, ZERO_ID } from './bare-repository.js';
import type { TreeChanges } from './bare-repository.js';
import { createGitRunner } from './git-runner.js';
import type { GitAuthor } from './git-runner.js';
import { CatFileBatch } from './cat-file-batch.js';
import { memoryBranchTips, sharedBranchTips } from './branch-tips.js';
import { withFileLock } from './file-lock.js';

/** Keptn's default branch (DEFAULT_REMOTE_GIT_BRANCH). */
export const DEFAULT_BRANCH = 'master';
/** Where Keptn keeps the shipyard: the root of the default branch (and, copied, of every stage branch). */
export const SHIPYARD_FILE = 'shipyard.yaml';
/** Marker file of a project (root) and of a service (`<service>/metadata.yaml`). */
export const METADATA_FILE = 'metadata.yaml';

/** Keptn's commit messages (resource-service). */
export const COMMIT_MESSAGES = {
  initProject: 'initialized project',
  addService: (service: string) => `Added service: ${service}`,
  removeService: (service: string) => `Removed service: ${service}`,
  updateResource: 'Updated resource',
  deleteResources: 'Deleted resources',
} as const;

/** Settings of {@link createGitResourceStore}. */
export interface GitResourceStoreOptions {
  /** Folder of the repositories (created if missing), e.g. `<data dir>/git`. */
  readonly rootDir: string;
  /** Commit author and committer. @default keptn <keptn@keptn.sh> */
  readonly author?: GitAuthor;
  /**
   * How many commits' shipyards to keep in memory. Commits that leave the shipyard alone share
   * its text (one string), so an entry costs a map slot unless the shipyard itself changed.
   * @default {@link DEFAULT_SHIPYARD_CACHE_SIZE}
   */
  readonly shipyardCacheSize?: number;
  /** Time of the metadata files. @default the system clock */
  readonly now?: () => Date;
  /** @default 'git' from PATH */
  readonly gitBinary?: string;
  /**
   * Several processes use `rootDir` at once, e.g. control-plane replicas on one ReadWriteMany
   * volume (docs/architecture.md, "Configuration repositories with several replicas"): a write of a
   * project also holds the lock file `<rootDir>/.locks/<project>.lock`, and reads take branch tips
   * from the repository instead of memory. @default false: this process is the only one
   */
  readonly shared?: boolean;
  /** Longest wait for a project's lock file when `shared`; then ERR_CONFIG_LOCKED. @default 15000 */
  readonly lockTimeoutMs?: number;
  /** When `shared`: age after which a lock file its holder stopped refreshing is taken over. @default 10000 */
  readonly staleLockMs?: number;
}

/** Folder of the lock files in `rootDir` (a project name cannot start with a dot). */
export const LOCKS_DIR = '.locks';

/**
 * Commits whose shipyard text the store keeps by default: written through it, or read from git once.
 * Least recently used first out, so reads of many commits made elsewhere evict commits written here.
 */
export const DEFAULT_SHIPYARD_CACHE_SIZE = 4096;

/** The store with the hooks the upstream mirror needs. */
export interface GitResourceStore extends ResourceStore {
  /** Folder of the project's bare repository. */
  repositoryDir(project: string): string;
  /**
   * Runs `update` under the project's write lock with its repository and its branch tips, then
   * reloads the tips from git (the update may have moved branches). Undefined for an unknown project.
   */
  updateBranches<T>(
    project: string,
    update: (repo: BareRepository, tips: ReadonlyMap<string, string>) => Promise<T>,
  ): Promise<T | undefined>;
  /**
   * Runs `sync` (an upstream fetch or push of the project) so that one process at a time does it:
   * when `shared`, holding the lock file `<rootDir>/.locks/<project>.upstream.lock` (waiting at most
   * `timeoutMs`, then ERR_CONFIG_LOCKED); else at once (the mirror serialises its own syncs).
   */
  syncingUpstream<T>(project: string, timeoutMs: number, sync: () => Promise<T>): Promise<T>;
}

/** A project, stage or service name that can be a file or branch name here (callers validate Keptn's rules). */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Creates the store; the repositories already on disk are used as they are. */
export function createGitResourceStore(options: GitResourceStoreOptions): GitResourceStore {
  const git = createGitRunner({
    home: options.rootDir,
    ...(options.author ? { author: options.author } : {}),
    ...(options.gitBinary ? { binary: options.gitBinary } : {}),
  });
  const now = options.now ?? (() => new Date());
  const shared = options.shared ?? false;
  const fileLock = { timeoutMs: options.lockTimeoutMs ?? 15_000, staleMs: options.staleLockMs ?? 10_000 };
  const locks = new KeyedMutex();
  const shipyards = new LruCache<string, string>(options.shipyardCacheSize ?? DEFAULT_SHIPYARD_CACHE_SIZE);

  const repoDir = (project: string) => join(options.rootDir, `${project}.git`);
  const lockFile = (project: string, purpose: string) => join(options.rootDir, LOCKS_DIR, `${project}${purpose}.lock`);
  /**
   * One long-lived object reader per project repository (file and shipyard reads). When shared, a
   * reader is kept only while the repository is the same directory (inode): another process may
   * have removed the project and created it again.
   */
  const readers = new Map<string, { reader: CatFileBatch; directory: number | undefined }>();
  const directoryOf = (project: string) => (shared ? statSync(repoDir(project), { throwIfNoEntry: false })?.ino : undefined);
  const readerOf = (project: string) => {
    const directory = directoryOf(project);
    let entry = readers.get(project);
    if (entry && entry.directory !== directory) {
      entry.reader.close();
      entry = undefined;
    }
    if (!entry) {
      entry = { reader: new CatFileBatch(() => git.start(['cat-file', '--batch'], { gitDir: repoDir(project) })), directory };
      readers.set(project, entry);
    }
    return entry.reader;
  };
  const repository = (project: string) => new BareRepository(git, repoDir(project), readerOf(project));
  const closeReader = (project: string) => {
    readers.get(project)?.reader.close();
    readers.delete(project);
  };
  /**
   * Projects this process is removing. Reads take no lock, so a read may meet a project being
   * removed: for it the project does not exist (404), and tips it loads then are not kept.
   */
  const removing = new Set<string>();
  const exists = (project: string) => SAFE_NAME.test(project) && !removing.has(project) && existsSync(repoDir(project));
  const tipSources = { exists, removing: (project: string) => removing.has(project), repository, repositoryDir: repoDir };
  const tips = shared ? sharedBranchTips(tipSources) : memoryBranchTips(tipSources);
  const cacheKey = (project: string, commit: string) => `${project}@${commit}`;

  function projectNotFound(project: string): NotFoundError {
    return new NotFoundError(ErrorCode.projectNotFound, `Project not found: ${project}`);
  }

  /** Runs `work` holding the project's write lock: in process, and between processes when shared. */
  function locked<T>(project: string, work: () => Promise<T>): Promise<T> {
    if (!shared) return locks.run(project, work);
    return locks.run(project, () => withFileLock(lockFile(project, ''), `the write lock of project '${project}'`, fileLock, work));
  }

  /** Runs a write of an existing project under its lock, with its tips (404 for an unknown project). */
  async function writing<T>(project: string, write: (branches: Map<string, string>) => Promise<T>): Promise<T> {
    // Checked before the name becomes part of a lock file's path.
    if (!SAFE_NAME.test(project)) throw projectNotFound(project);
    return locked(project, async () => {
      const branches = await tips.forWrite(project);
      if (!branches) throw projectNotFound(project);
      return write(branches);
    });
  }

  /**
   * Runs a read of `project` (reads take no lock). A read that raced with the project's deletion
   * finds its repository gone half-way, and git fails: that is the project not being there, 404.
   */
  async function reading<T>(project: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (!exists(project)) throw projectNotFound(project);
      throw error;
    }
  }

  /**
   * Branch, tip and folder prefix of a level; 404 for an unknown project, stage or service.
   * `tipOf` gives a branch's tip: a write's own map, or the store's tips for a read.
   */
  async function resolveLevel(level: ResourceLevel, tipOf: (branch: string) => Promise<string | undefined> | string | undefined) {
    if (!SAFE_NAME.test(level.project)) throw projectNotFound(level.project);
    const branch = level.stage ?? DEFAULT_BRANCH;
    const tip = level.stage === undefined || SAFE_NAME.test(level.stage) ? await tipOf(branch) : undefined;
    if (!tip) {
      if (!exists(level.project)) throw projectNotFound(level.project);
      throw new NotFoundError(ErrorCode.stageNotFound, `Stage not found: '${level.stage}' in project '${level.project}'`);
    }
    const repo = repository(level.project);
    let prefix = '';
    if (level.service !== undefined) {
      const marker = SAFE_NAME.test(level.service) ? await repo.readFile(tip, `${level.service}/${METADATA_FILE}`) : undefined;
      if (!marker)
        throw new NotFoundError(
          ErrorCode.serviceNotFound,
          `Service not found: '${level.service}' in stage '${branch}' of project '${level.project}'`,
        );
      prefix = `${level.service}/`;
    }
    return { branch, tip, repo, prefix };
  }

  const readLevel = (level: ResourceLevel) => resolveLevel(level, (branch) => tips.tip(level.project, branch));
  const writeLevel = (level: ResourceLevel, branches: ReadonlyMap<string, string>) => resolveLevel(level, (branch) => branches.get(branch));

  async function commitAt(repo: BareRepository, project: string, id: string | undefined, tip: string): Promise<string> {
    if (id === undefined) return tip;
    const commit = await repo.resolveCommit(id);
    if (!commit)
      throw new NotFoundError(
        ErrorCode.commitNotFound,
        `commit '${id}' not found in the repository of project '${project}'; pass a commit id from metadata.version or a write's commitID`,
      );
    return commit;
  }

  /** The shipyard text at a commit: from the cache, else read with git and cached. */
  async function shipyardAt(project: string, commit: string): Promise<string | undefined> {
    const key = cacheKey(project, commit);
    const cached = shipyards.get(key);
    if (cached !== undefined) return cached;
    if (!exists(project)) return undefined;
    const content = await repository(project).readFileAtCommit(commit, SHIPYARD_FILE);
    if (!content) return undefined;
    const text = content.toString('utf8');
    shipyards.set(key, text);
    return text;
  }

  /** Commits on a branch at its tip in `branches` (the write's), records the new tip and caches its shipyard. */
  async function commitOn(
    project: string,
    branches: Map<string, string>,
    branch: string,
    changes: TreeChanges,
    message: string,
  ): Promise<string> {
    const parent = branches.get(branch);
    let commit: string;
    try {
      commit = await repository(project).commit(branch, parent, changes, message);
    } catch (error) {
      if (!(error instanceof BranchMovedError)) throw error;
      // Someone outside this store's locks moved the branch: forget the tips, let the client retry.
      tips.forget(project);
      throw new ConflictError(ErrorCode.configChanged, `branch '${branch}' of project '${project}' changed during the write; retry it`);
    }
    branches.set(branch, commit);
    // The new commit's shipyard goes into the cache now, so a sequence pinning it reads no git:
    // the written one, or the parent's (read once through cat-file when it has left the cache).
    const shipyard = changes.put?.get(SHIPYARD_FILE);
    if (!changes.remove?.includes(SHIPYARD_FILE)) {
      const inherited = shipyard ? shipyard.toString('utf8') : parent ? await shipyardAt(project, parent) : undefined;
      if (inherited !== undefined) shipyards.set(cacheKey(project, commit), inherited);
    }
    return commit;
  }

  function projectMetadata(project: string): string {
    return `projectName: ${project}\ncreationTimestamp: ${now().toISOString()}\nisUsingDirectoryStructure: false\n`;
  }

  function serviceMetadata(service: string): string {
    return `servicename: ${service}\ncreationtimestamp: ${now().toISOString()}\n`;
  }

  /** A folder beside the repositories for one that is being made or removed (a dot: never a project name). */
  const scratchDir = (what: string, project: string) => join(options.rootDir, `.${what}-${project}-${randomUUID()}`);

  return {
    repositoryDir: repoDir,

    async updateBranches(project, update) {
      if (!SAFE_NAME.test(project)) return undefined;
      return locked(project, async () => {
        const branches = await tips.forWrite(project);
        if (!branches) return undefined;
        try {
          return await update(repository(project), new Map(branches));
        } finally {
          tips.forget(project);
        }
      });
    },

    async syncingUpstream(project, timeoutMs, sync) {
      if (!shared || !SAFE_NAME.test(project)) return sync();
      const lock = { ...fileLock, timeoutMs };
      return withFileLock(lockFile(project, '.upstream'), `the upstream lock of project '${project}'`, lock, sync);
    },

    async hasProject(project) {
      return exists(project);
    },

    async createProject(project, shipyardYaml) {
      if (!SAFE_NAME.test(project)) throw projectNotFound(project);
      return locked(project, async () => {
        if (exists(project))
          throw new ConflictError(ErrorCode.projectExists, `Project already exists: the repository of '${project}' is already initialized`);
        await mkdir(options.rootDir, { recursive: true });
        // Made aside, then renamed into place whole.
        const building = scratchDir('creating', project);
        try {
          const repo = new BareRepository(git, building);
          await repo.init(DEFAULT_BRANCH);
          const files = new Map([
            [METADATA_FILE, Buffer.from(projectMetadata(project))],
            [SHIPYARD_FILE, Buffer.from(shipyardYaml)],
          ]);
          const commit = await repo.commit(DEFAULT_BRANCH, undefined, { put: files }, COMMIT_MESSAGES.initProject);
          await rename(building, repoDir(project));
          closeReader(project);
          tips.created(project, new Map([[DEFAULT_BRANCH, commit]]));
          shipyards.set(cacheKey(project, commit), shipyardYaml);
          return commit;
        } catch (error) {
          await rm(building, { recursive: true, force: true });
          throw error;
        }
      });
    },

    async deleteProject(project) {
      if (!SAFE_NAME.test(project)) return;
      await locked(project, async () => {
        removing.add(project);
        try {
          tips.forget(project);
          closeReader(project);
          // Renamed away first: from here on no process finds the project.
          const leaving = scratchDir('removing', project);
          try {
            await rename(repoDir(project), leaving);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
            throw error;
          }
          await rm(leaving, { recursive: true, force: true });
        } finally {
          // A read that loaded tips meanwhile did not keep them; one that created a reader is closed.
          tips.forget(project);
          closeReader(project);
          removing.delete(project);
        }
      });
    },

    async createStage(project, stage) {
      return writing(project, async (branches) => {
        const base = branches.get(DEFAULT_BRANCH);
        if (!base || !SAFE_NAME.test(stage) || stage === DEFAULT_BRANCH) {
          throw new ConflictError(
            ErrorCode.invalidField,
            `cannot create stage '${stage}' in project '${project}': invalid name or no default branch`,
          );
        }
        if (branches.has(stage))
          throw new ConflictError(ErrorCode.invalidField, `Stage already exists: '${stage}' in project '${project}'`);
        await repository(project).moveBranch(stage, base, ZERO_ID);
        branches.set(stage, base);
        return base;
      });
    },

    async createService(project, stage, service) {
      return writing(project, async (branches) => {
        const { repo, tip } = await writeLevel({ project, stage }, branches);
        if (!SAFE_NAME.test(service)) throw new ConflictError(ErrorCode.invalidName, `invalid service name '${service}'`);
        if (await repo.readFile(tip, `${service}/${METADATA_FILE}`))
          throw new ConflictError(ErrorCode.serviceExists, `Service already exists: '${service}' in stage '${stage}'`);
        const files = new Map([[`${service}/${METADATA_FILE}`, Buffer.from(serviceMetadata(service))]]);
        return commitOn(project, branches, stage, { put: files }, COMMIT_MESSAGES.addService(service));
      });
    },

    async deleteService(project, stage, service) {
      await writing(project, async (branches) => {
        if (!SAFE_NAME.test(service)) return;
        const { repo, tip } = await writeLevel({ project, stage }, branches);
        const files = await repo.listFiles(tip, `${service}/`);
        if (files.length > 0) await commitOn(project, branches, stage, { remove: files }, COMMIT_MESSAGES.removeService(service));
      });
    },

    listResources(level, id): Promise<ResourceListing> {
      return reading(level.project, async () => {
        const { repo, tip, prefix } = await readLevel(level);
        const commit = await commitAt(repo, level.project, id, tip);
        const files = await repo.listFiles(commit, prefix);
        return { commit, uris: files.map((path) => path.slice(prefix.length)) };
      });
    },

    getResource(level, uri, id): Promise<ResourceContent> {
      return reading(level.project, async () => {
        const { repo, tip, prefix } = await readLevel(level);
        const commit = await commitAt(repo, level.project, id, tip);
        const content = await repo.readFile(commit, `${prefix}${uri}`);
        if (!content) throw new NotFoundError(ErrorCode.resourceNotFound, `Resource not found: '${uri}' at version ${commit}`);
        return { commit, content };
      });
    },

    async putResources(level, files: readonly ResourceFile[]) {
      return writing(level.project, async (branches) => {
        const { branch, prefix } = await writeLevel(level, branches);
        const put = new Map(files.map((file) => [`${prefix}${file.uri}`, file.content]));
        const commit = await commitOn(level.project, branches, branch, { put }, COMMIT_MESSAGES.updateResource);
        const shipyard = level.stage === undefined ? put.get(SHIPYARD_FILE) : undefined;
        if (shipyard) {
          // The project's shipyard is read at a stage's commit: copy it to every stage branch.
          for (const stage of [...branches.keys()].filter((name) => name !== DEFAULT_BRANCH)) {
            await commitOn(level.project, branches, stage, { put: new Map([[SHIPYARD_FILE, shipyard]]) }, COMMIT_MESSAGES.updateResource);
          }
        }
        return commit;
      });
    },

    async deleteResource(level, uri) {
      return writing(level.project, async (branches) => {
        const { branch, tip, repo, prefix } = await writeLevel(level, branches);
        if (!(await repo.readFile(tip, `${prefix}${uri}`)))
          throw new NotFoundError(ErrorCode.resourceNotFound, `Resource not found: '${uri}'`);
        return commitOn(level.project, branches, branch, { remove: [`${prefix}${uri}`] }, COMMIT_MESSAGES.deleteResources);
      });
    },

    async latestCommit(project, stage) {
      if (!SAFE_NAME.test(project) || !SAFE_NAME.test(stage)) return undefined;
      return tips.tip(project, stage);
    },

    readShipyard: (project, commit) => reading(project, () => shipyardAt(project, commit)),
  };
}
