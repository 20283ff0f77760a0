/**
 * Reads a branch tip straight from a bare repository's ref files, without starting git: the loose
 * ref `refs/heads/<branch>` (which git replaces atomically with a rename on every update), else
 * the branch's line in `packed-refs` (after a `git gc` or `pack-refs`). A read costs one or two
 * small file reads (microseconds) instead of a git process (milliseconds), so a replica can look
 * at the repository on every read and see another replica's write as soon as it returned.
 *
 * Assumes git's `files` ref backend, the one `git init` creates (git 2.x); branch names are flat
 * (no `/`), as the store makes them.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** The commit `refs/heads/<branch>` points at, or undefined when there is no such branch (or repository). */
export async function readBranchTip(gitDir: string, branch: string): Promise<string | undefined> {
  const loose = await readOptional(join(gitDir, 'refs', 'heads', branch));
  if (loose !== undefined) {
    const id = loose.trim();
    if (OBJECT_ID.test(id)) return id;
    // Being written (empty) cannot happen: git writes `<ref>.lock` and renames it. Anything else is not a branch we made.
    return undefined;
  }
  const packed = await readOptional(join(gitDir, 'packed-refs'));
  if (packed === undefined) return undefined;
  const wanted = ` refs/heads/${branch}`;
  for (const line of packed.split('\n')) {
    if (line.endsWith(wanted)) {
      const id = line.slice(0, line.length - wanted.length);
      if (OBJECT_ID.test(id)) return id;
    }
  }
  return undefined;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}
