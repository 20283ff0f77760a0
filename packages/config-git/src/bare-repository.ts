/**
 * Plumbing on one bare repository: no work tree, no checkout. Commits are built by `fast-import`
 * from the parent's tree and land with `update-ref <new> <old>`, a compare-and-swap: a branch that
 * moved since the parent was read is not overwritten.
 */
import { randomUUID } from 'node:crypto';
import { parseObjectHeader } from './cat-file-batch.js';
import type { CatFileBatch } from './cat-file-batch.js';
import type { GitAuthor, GitRunner } from './git-runner.js';
import { GitCommandError } from './git-runner.js';

/** The id git uses for "no object" (`update-ref` old value: the branch must not exist yet). */
export const ZERO_ID = '0'.repeat(40);

const COMMIT_ID = /^[0-9a-f]{4,64}$/i;

/**
 * Where `fast-import` leaves a commit until the branch moves to it (one ref per commit, deleted
 * then). One left by a crash between the two commands is harmless: reads and pushes look only at
 * `refs/heads/`.
 */
const SCRATCH_REFS = 'refs/shipmate-import/';

/**
 * `fast-import` writes objects as loose files, not as a pack per commit (thousands of one-commit
 * packs would slow every object lookup); environment config, so that the command stays args[0].
 */
const LOOSE_IMPORT = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'fastimport.unpackLimit', GIT_CONFIG_VALUE_0: '100000' };

/** A path in a `fast-import` command: C-style quoted when it starts with a quote or holds a control character. */
function importPath(path: string): string {
  const control = (code: number) => code < 0x20 || code === 0x7f;
  if (!path.startsWith('"') && ![...path].some((c) => control(c.charCodeAt(0)))) return path;
  let quoted = '"';
  for (const c of path) {
    const code = c.charCodeAt(0);
    if (c === '\\' || c === '"') quoted += `\\${c}`;
    else if (c === '\n') quoted += '\\n';
    else if (c === '\t') quoted += '\\t';
    else if (control(code)) quoted += `\\${code.toString(8).padStart(3, '0')}`;
    else quoted += c;
  }
  return `${quoted}"`;
}

/** A name or e-mail for an ident line: without '<', '>' and line breaks, as git's own ident code drops them. */
const identPart = (text: string): string => text.replace(/[<>\r\n]/g, '').trim();

/**
 * The `fast-import` input of one commit on `ref` (a ref nobody else uses): from `parent` (none: a
 * root commit), the puts and then the removals (a path in both ends removed), the commit's id
 * printed on stdout.
 */
function importStream(ref: string, parent: string | undefined, changes: TreeChanges, message: string, author: GitAuthor): Buffer {
  const text = `${message}\n`;
  const name = identPart(author.name);
  const parts: Buffer[] = [
    Buffer.from(
      'feature done\nfeature get-mark\n' +
        `commit ${ref}\nmark :1\n` +
        `committer ${name === '' ? '' : `${name} `}<${identPart(author.email)}> now\n` +
        `data ${Buffer.byteLength(text)}\n${text}\n` +
        (parent ? `from ${parent}\n` : ''),
    ),
  ];
  for (const [path, content] of changes.put ?? []) {
    parts.push(Buffer.from(`M 100644 inline ${importPath(path)}\ndata ${content.length}\n`), content, Buffer.from('\n'));
  }
  for (const path of changes.remove ?? []) parts.push(Buffer.from(`D ${importPath(path)}\n`));
  parts.push(Buffer.from('get-mark :1\ndone\n'));
  return Buffer.concat(parts);
}

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
    const header = parseObjectHeader(out.subarray(0, newline < 0 ? out.length : newline).toString('utf8'));
    if (header?.type !== 'blob') return undefined;
    return out.subarray(newline + 1, newline + 1 + header.size);
  }

  /**
   * Commits `changes` on top of `parent` (undefined: a first commit on an empty branch) and moves
   * `branch` to it only if the branch still points at `parent`. Returns the new commit id.
   *
   * Two git processes, whatever the number of files: `fast-import` writes the blobs, trees and the
   * commit (as loose objects, like `hash-object -w`) to a scratch ref of its own, then one
   * `update-ref --stdin` transaction moves the branch from `parent` to the commit and deletes the
   * scratch ref. (It took six before: `read-tree`, `hash-object` per file, `update-index`,
   * `write-tree`, `commit-tree`, `update-ref`, each start blocking the event loop about 4 ms here;
   * docs/architecture.md, "Fewer git processes a write".)
   */
  async commit(branch: string, parent: string | undefined, changes: TreeChanges, message: string): Promise<string> {
    const scratch = `${SCRATCH_REFS}${randomUUID()}`;
    const stream = importStream(scratch, parent, changes, message, this.git.author);
    const commit = (await this.text(['fast-import', '--quiet', '--date-format=now'], stream, LOOSE_IMPORT)).trim();
    if (!COMMIT_ID.test(commit)) throw new Error(`git fast-import answered '${commit.slice(0, 80)}' instead of a commit id`);
    try {
      await this.run(['update-ref', '--stdin'], `update refs/heads/${branch} ${commit} ${parent ?? ZERO_ID}\ndelete ${scratch}\n`);
    } catch (error) {
      await this.run(['update-ref', '-d', scratch]).catch(() => undefined);
      if (error instanceof GitCommandError) throw new BranchMovedError(branch);
      throw error;
    }
    return commit;
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
