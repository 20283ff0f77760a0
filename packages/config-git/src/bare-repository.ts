/**
 * Plumbing on one bare repository: no work tree, no checkout. Commits are built on a temporary
 * index (`GIT_INDEX_FILE`) from the parent's tree and land with `update-ref <new> <old>`, a
 * compare-and-swap: a branch that moved since the parent was read is not overwritten.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CatFileBatch } from './cat-file-batch.js';
import type { GitRunner } from './git-runner.js';
import { GitCommandError } from './git-runner.js';

/** The id git uses for "no object" (`update-ref` old value: the branch must not exist yet). */
export const ZERO_ID = '0'.repeat(40);

const COMMIT_ID = /^[0-9a-f]{4,64}$/i;

/** Files to write and paths to remove in one commit. */
export interface TreeChanges {
  readonly put?: ReadonlyMap<string, Buffer>;
  readonly remove?: readonly string[];
}

/** Result of merging two commits without a work tree. */
export type TreeMerge = { readonly clean: true; readonly tree: string } | { readonly clean: false; readonly conflicts: string[] };

/** The branch moved between reading its tip and updating it. */
export class BranchMovedError extends Error {
  constructor(branch: string) {
    super(`branch ${branch} moved during the write`);
    this.name = 'BranchMovedError';
  }
}

/** Plumbing operations on the bare repository at `gitDir`. */
export class BareRepository {
  constructor(
    private readonly git: GitRunner,
    readonly gitDir: string,
    /** Reads objects through a long-lived `cat-file --batch` when given; else one process per read. */
    private readonly objects?: CatFileBatch,
  ) {}

  private run(args: readonly string[], input?: Buffer | string, env?: Record<string, string>): Promise<Buffer> {
    return this.git.run(args, { gitDir: this.gitDir, ...(input === undefined ? {} : { input }), ...(env ? { env } : {}) });
  }

  private async text(args: readonly string[], input?: Buffer | string, env?: Record<string, string>): Promise<string> {
    return (await this.run(args, input, env)).toString('utf8').trim();
  }

  /** Creates the bare repository with HEAD on `defaultBranch`. */
  async init(defaultBranch: string): Promise<void> {
    await this.git.run(['init', '--bare', '--quiet', this.gitDir]);
    await this.run(['symbolic-ref', 'HEAD', `refs/heads/${defaultBranch}`]);
  }

  /** Every branch with its tip. */
  async branches(): Promise<Map<string, string>> {
    const out = await this.text(['for-each-ref', '--format=%(objectname) %(refname)', 'refs/heads/']);
    const tips = new Map<string, string>();
    for (const line of out.split('\n')) {
      const space = line.indexOf(' ');
      if (space > 0) tips.set(line.slice(space + 1).replace(/^refs\/heads\//, ''), line.slice(0, space));
    }
    return tips;
  }

  /** The full id of a commit, or undefined when `id` names no commit here. */
  async resolveCommit(id: string): Promise<string | undefined> {
    if (!COMMIT_ID.test(id)) return undefined;
    if (this.objects) {
      const object = await this.objects.read(`${id}^{commit}`);
      return object?.type === 'commit' ? object.oid : undefined;
    }
    try {
      return await this.text(['rev-parse', '--verify', '--quiet', `${id}^{commit}`]);
    } catch (error) {
      if (error instanceof GitCommandError) return undefined;
      throw error;
    }
  }

  /** The file at `path` in the commit named by `id` (a full or abbreviated commit id), or undefined. */
  async readFileAtCommit(id: string, path: string): Promise<Buffer | undefined> {
    if (!COMMIT_ID.test(id)) return undefined;
    if (this.objects) return this.readFile(id, path);
    const commit = await this.resolveCommit(id);
    return commit ? this.readFile(commit, path) : undefined;
  }

  /** Paths of the files under `prefix` (`''` or ending in `/`) at `commit`, recursively, sorted. */
  async listFiles(commit: string, prefix: string): Promise<string[]> {
    const args = ['ls-tree', '-r', '-z', '--name-only', commit];
    const out = await this.run(prefix ? [...args, '--', prefix] : args);
    return out
      .toString('utf8')
      .split('\0')
      .filter((path) => path !== '')
      .sort();
  }

  /** The bytes of the file at `path` in `commit`, or undefined when there is no file there. */
  async readFile(commit: string, path: string): Promise<Buffer | undefined> {
    if (this.objects) {
      const object = await this.objects.read(`${commit}:${path}`);
      return object?.type === 'blob' ? object.content : undefined;
    }
    const out = await this.run(['cat-file', '--batch'], `${commit}:${path}\n`);
    const newline = out.indexOf(0x0a);
    const header = out.subarray(0, newline < 0 ? out.length : newline).toString('utf8');
    const [, type, size] = header.split(' ');
    if (type !== 'blob' || size === undefined) return undefined;
    return out.subarray(newline + 1, newline + 1 + Number(size));
  }

  /**
   * Commits `changes` on top of `parent` (undefined: a first commit on an empty branch) and moves
   * `branch` to it only if the branch still points at `parent`. Returns the new commit id.
   */
  async commit(branch: string, parent: string | undefined, changes: TreeChanges, message: string): Promise<string> {
    const index = join(this.gitDir, `shipmate-index-${randomUUID()}`);
    const env = { GIT_INDEX_FILE: index };
    try {
      await this.run(parent ? ['read-tree', parent] : ['read-tree', '--empty'], undefined, env);
      const lines: string[] = [];
      for (const [path, content] of changes.put ?? []) {
        const blob = await this.text(['hash-object', '-w', '--stdin'], content);
        lines.push(`100644 ${blob}\t${path}`);
      }
      for (const path of changes.remove ?? []) lines.push(`0 ${ZERO_ID}\t${path}`);
      if (lines.length > 0) await this.run(['update-index', '-z', '--index-info'], lines.map((line) => `${line}\0`).join(''), env);
      const tree = await this.text(['write-tree'], undefined, env);
      const commit = await this.text(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message]);
      await this.moveBranch(branch, commit, parent ?? ZERO_ID);
      return commit;
    } finally {
      await rm(index, { force: true });
    }
  }

  /** Whether `ancestor` is reachable from `descendant` (a fast-forward from one to the other). */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    try {
      await this.run(['merge-base', '--is-ancestor', ancestor, descendant]);
      return true;
    } catch (error) {
      if (error instanceof GitCommandError && error.exitCode === 1) return false;
      throw error;
    }
  }

  /** Merges `ours` and `theirs` in memory (`merge-tree --write-tree`): the tree, or the conflicting paths. */
  async mergeTrees(ours: string, theirs: string): Promise<TreeMerge> {
    const args = ['merge-tree', '--write-tree', '--name-only', '--no-messages', '--allow-unrelated-histories', ours, theirs];
    try {
      return { clean: true, tree: await this.text(args) };
    } catch (error) {
      if (!(error instanceof GitCommandError) || error.exitCode !== 1) throw error;
      const [, ...paths] = error.stdout.toString('utf8').split('\n');
      return { clean: false, conflicts: [...new Set(paths.filter((path) => path !== ''))].sort() };
    }
  }

  /** A commit of `tree` with `parents` (no branch moves). */
  async commitTree(tree: string, parents: readonly string[], message: string): Promise<string> {
    return this.text(['commit-tree', tree, ...parents.flatMap((parent) => ['-p', parent]), '-m', message]);
  }

  /** Points `branch` at `commit` if it is at `expected` now (ZERO_ID: if it does not exist). */
  async moveBranch(branch: string, commit: string, expected: string): Promise<void> {
    try {
      await this.run(['update-ref', `refs/heads/${branch}`, commit, expected]);
    } catch (error) {
      if (error instanceof GitCommandError) throw new BranchMovedError(branch);
      throw error;
    }
  }
}
