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
 * Branch tips are kept in memory and updated on every write, so `latestCommit` (called when a
 * sequence starts) runs no git command; `readShipyard` is served from an LRU cache keyed by commit,
 * filled on writes and read from git only on a miss.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, ErrorCode, KeyedMutex, LruCache, NotFoundError } from '@shipmate/core';
import type { ResourceContent, ResourceFile, ResourceLevel, ResourceListing, ResourceStore } from '@shipmate/core';
import { BareRepository, BranchMovedError, ZERO_ID } from './bare-repository.js';
import type { TreeChanges } from './bare-repository.js';
import { createGitRunner } from './git-runner.js';
import type { GitAuthor } from './git-runner.js';
import { CatFileBatch } from './cat-file-batch.js';

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
   * @default 4096
   */
  readonly shipyardCacheSize?: number;
  /** Time of the metadata files. @default the system clock */
  readonly now?: () => Date;
  /** @default 'git' from PATH */
  readonly gitBinary?: string;
}

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
  const locks = new KeyedMutex();
  /** project → branch → tip; loaded from git once per project, then kept up to date by the writes. */
  const tips = new Map<string, Map<string, string>>();
  const shipyards = new LruCache<string, string>(options.shipyardCacheSize ?? 4096);

  const repoDir = (project: string) => join(options.rootDir, `${project}.git`);
  /** One long-lived object reader per project repository (file and shipyard reads). */
  const readers = new Map<string, CatFileBatch>();
  const readerOf = (project: string) => {
    let reader = readers.get(project);
    if (!reader) {
      reader = new CatFileBatch(() => git.start(['cat-file', '--batch'], { gitDir: repoDir(project) }));
      readers.set(project, reader);
    }
    return reader;
  };
  const repository = (project: string) => new BareRepository(git, repoDir(project), readerOf(project));
  const closeReader = (project: string) => {
    readers.get(project)?.close();
    readers.delete(project);
  };
  const exists = (project: string) => SAFE_NAME.test(project) && existsSync(repoDir(project));
  /**
   * Projects whose repository is being created or removed. Reads take no lock, so a read may meet
   * a half-made or half-removed repository: for it the project does not exist (404), and tips it
   * loads then are not kept (they would outlive the repository).
   */
  const changing = new Set<string>();
  const cacheKey = (project: string, commit: string) => `${project}@${commit}`;

  function projectNotFound(project: string): NotFoundError {
    return new NotFoundError(ErrorCode.projectNotFound, `Project not found: ${project}`);
  }

  /** Branch tips of a project (one git call the first time), or undefined for an unknown project. */
  async function branchesOf(project: string): Promise<Map<string, string> | undefined> {
    const known = tips.get(project);
    if (known) return known;
    if (changing.has(project) || !exists(project)) return undefined;
    const loaded = await repository(project).branches();
    if (changing.has(project)) return undefined;
    tips.set(project, loaded);
    return loaded;
  }

  /**
   * Runs a read of `project` (reads take no lock). A read that raced with the project's deletion
   * finds its repository gone half-way, and git fails: that is the project not being there, 404.
   */
  async function reading<T>(project: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (changing.has(project) || !exists(project)) throw projectNotFound(project);
      throw error;
    }
  }

  async function requireBranches(project: string): Promise<Map<string, string>> {
    const branches = await branchesOf(project);
    if (!branches) throw projectNotFound(project);
    return branches;
  }

  /** Branch, tip and folder prefix of a level; 404 for an unknown project, stage or service. */
  async function resolveLevel(level: ResourceLevel) {
    const branches = await requireBranches(level.project);
    const branch = level.stage ?? DEFAULT_BRANCH;
    const tip = level.stage === undefined || SAFE_NAME.test(level.stage) ? branches.get(branch) : undefined;
    if (!tip) throw new NotFoundError(ErrorCode.stageNotFound, `Stage not found: '${level.stage}' in project '${level.project}'`);
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

  /** Commits on a branch at its known tip, updates the tip and the shipyard cache. */
  async function commitOn(project: string, branch: string, changes: TreeChanges, message: string): Promise<string> {
    const branches = await requireBranches(project);
    const parent = branches.get(branch);
    let commit: string;
    try {
      commit = await repository(project).commit(branch, parent, changes, message);
    } catch (error) {
      if (!(error instanceof BranchMovedError)) throw error;
      // Someone outside this process moved the branch: forget the tips, let the client retry.
      tips.delete(project);
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

  return {
    repositoryDir: repoDir,

    async updateBranches(project, update) {
      return locks.run(project, async () => {
        const branches = await branchesOf(project);
        if (!branches) return undefined;
        try {
          return await update(repository(project), new Map(branches));
        } finally {
          tips.delete(project);
        }
      });
    },

    async hasProject(project) {
      return exists(project);
    },

    async createProject(project, shipyardYaml) {
      if (!SAFE_NAME.test(project)) throw projectNotFound(project);
      return locks.run(project, async () => {
        if (exists(project))
          throw new ConflictError(ErrorCode.projectExists, `Project already exists: the repository of '${project}' is already initialized`);
        await mkdir(options.rootDir, { recursive: true });
        const repo = repository(project);
        changing.add(project);
        try {
          await repo.init(DEFAULT_BRANCH);
          tips.set(project, new Map());
          const files = new Map([
            [METADATA_FILE, Buffer.from(projectMetadata(project))],
            [SHIPYARD_FILE, Buffer.from(shipyardYaml)],
          ]);
          return await commitOn(project, DEFAULT_BRANCH, { put: files }, COMMIT_MESSAGES.initProject);
        } catch (error) {
          tips.delete(project);
          closeReader(project);
          await rm(repoDir(project), { recursive: true, force: true });
          throw error;
        } finally {
          changing.delete(project);
        }
      });
    },

    async deleteProject(project) {
      if (!SAFE_NAME.test(project)) return;
      await locks.run(project, async () => {
        changing.add(project);
        try {
          tips.delete(project);
          closeReader(project);
          await rm(repoDir(project), { recursive: true, force: true });
        } finally {
          // A read that loaded tips meanwhile did not keep them; one that created a reader is closed.
          tips.delete(project);
          closeReader(project);
          changing.delete(project);
        }
      });
    },

    async createStage(project, stage) {
      return locks.run(project, async () => {
        const branches = await requireBranches(project);
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
      return locks.run(project, async () => {
        const { repo, tip } = await resolveLevel({ project, stage });
        if (!SAFE_NAME.test(service)) throw new ConflictError(ErrorCode.invalidName, `invalid service name '${service}'`);
        if (await repo.readFile(tip, `${service}/${METADATA_FILE}`))
          throw new ConflictError(ErrorCode.serviceExists, `Service already exists: '${service}' in stage '${stage}'`);
        const files = new Map([[`${service}/${METADATA_FILE}`, Buffer.from(serviceMetadata(service))]]);
        return commitOn(project, stage, { put: files }, COMMIT_MESSAGES.addService(service));
      });
    },

    async deleteService(project, stage, service) {
      await locks.run(project, async () => {
        if (!SAFE_NAME.test(service)) return;
        const { repo, tip } = await resolveLevel({ project, stage });
        const files = await repo.listFiles(tip, `${service}/`);
        if (files.length > 0) await commitOn(project, stage, { remove: files }, COMMIT_MESSAGES.removeService(service));
      });
    },

    listResources(level, id): Promise<ResourceListing> {
      return reading(level.project, async () => {
        const { repo, tip, prefix } = await resolveLevel(level);
        const commit = await commitAt(repo, level.project, id, tip);
        const files = await repo.listFiles(commit, prefix);
        return { commit, uris: files.map((path) => path.slice(prefix.length)) };
      });
    },

    getResource(level, uri, id): Promise<ResourceContent> {
      return reading(level.project, async () => {
        const { repo, tip, prefix } = await resolveLevel(level);
        const commit = await commitAt(repo, level.project, id, tip);
        const content = await repo.readFile(commit, `${prefix}${uri}`);
        if (!content) throw new NotFoundError(ErrorCode.resourceNotFound, `Resource not found: '${uri}' at version ${commit}`);
        return { commit, content };
      });
    },

    async putResources(level, files: readonly ResourceFile[]) {
      return locks.run(level.project, async () => {
        const { branch, prefix } = await resolveLevel(level);
        const put = new Map(files.map((file) => [`${prefix}${file.uri}`, file.content]));
        const commit = await commitOn(level.project, branch, { put }, COMMIT_MESSAGES.updateResource);
        const shipyard = level.stage === undefined ? put.get(SHIPYARD_FILE) : undefined;
        if (shipyard) {
          // The project's shipyard is read at a stage's commit: copy it to every stage branch.
          const branches = await requireBranches(level.project);
          for (const stage of [...branches.keys()].filter((name) => name !== DEFAULT_BRANCH)) {
            await commitOn(level.project, stage, { put: new Map([[SHIPYARD_FILE, shipyard]]) }, COMMIT_MESSAGES.updateResource);
          }
        }
        return commit;
      });
    },

    async deleteResource(level, uri) {
      return locks.run(level.project, async () => {
        const { branch, tip, repo, prefix } = await resolveLevel(level);
        if (!(await repo.readFile(tip, `${prefix}${uri}`)))
          throw new NotFoundError(ErrorCode.resourceNotFound, `Resource not found: '${uri}'`);
        return commitOn(level.project, branch, { remove: [`${prefix}${uri}`] }, COMMIT_MESSAGES.deleteResources);
      });
    },

    async latestCommit(project, stage) {
      return (await branchesOf(project))?.get(stage);
    },

    readShipyard: (project, commit) => reading(project, () => shipyardAt(project, commit)),
  };
}
