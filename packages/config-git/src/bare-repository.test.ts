/**
 * BareRepository.commit against real git: one `fast-import` and one `update-ref --stdin` a commit,
 * whatever it changes. Content and paths arrive as written (binary, nested, spaces, quotes, tabs),
 * removals apply after puts, the branch moves only from the expected parent (a moved branch and an
 * existing one under a root commit are refused, and no scratch ref stays behind either way), the
 * objects are loose, and the commit carries the runner's identity and the message.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BareRepository, BranchMovedError } from './bare-repository.js';
import { createGitRunner } from './git-runner.js';
import type { GitRunner } from './git-runner.js';

/** Files of text content by path. */
const files = (entries: Record<string, string>): Map<string, Buffer> =>
  new Map(Object.entries(entries).map(([path, content]) => [path, Buffer.from(content)]));

describe('BareRepository.commit', () => {
  let dir: string;
  let git: GitRunner;
  let repo: BareRepository;

  const log = async (commit: string, format: string) =>
    (await git.run(['log', '-1', `--format=${format}`, commit], { gitDir: repo.gitDir })).toString('utf8').trim();
  const scratchRefs = async () =>
    (await git.run(['for-each-ref', '--format=%(refname)', 'refs/shipmate-import/'], { gitDir: repo.gitDir })).toString('utf8').trim();

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bare-repo-'));
    git = createGitRunner({ home: dir, author: { name: 'Ann <the> Operator', email: 'ann@example.com' } });
    repo = new BareRepository(git, join(dir, 'p.git'));
    await repo.init('main');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes files of any content and name, nested, and reads them back at the commit', async () => {
    const binary = Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 7) % 256));
    const put = new Map<string, Buffer>([
      ['shipyard.yaml', Buffer.from('apiVersion: spec.keptn.sh/0.2.3\n')],
      ['carts/helm/chart.tgz', binary],
      ['carts/with space.txt', Buffer.from('spaces')],
      ['"quoted" name', Buffer.from('quote')],
      ['tab\there', Buffer.from('tab')],
      ['empty', Buffer.alloc(0)],
    ]);
    const first = await repo.commit('main', undefined, { put }, 'Added files');
    expect((await repo.branches()).get('main')).toBe(first);
    expect((await repo.listFiles(first, '')).sort()).toEqual([...put.keys()].sort());
    for (const [path, content] of put) expect((await repo.readFile(first, path))?.equals(content), path).toBe(true);
    // Missing names with spaces: git answers `<spec> missing`, which must not read as a header.
    expect(await repo.readFile(first, 'no such.txt')).toBeUndefined();
    expect(await repo.readFile(first, 'a blob 5')).toBeUndefined();
    expect(await log(first, '%P')).toBe('');
    const second = await repo.commit('main', first, { put: files({ 'carts/values.yaml': 'a: 1\n' }) }, 'one more');
    expect(await log(second, '%P')).toBe(first);
    expect((await repo.listFiles(second, 'carts/')).sort()).toEqual(['carts/helm/chart.tgz', 'carts/values.yaml', 'carts/with space.txt']);
  });

  it('applies removals after puts: a path in both ends removed, other removals leave the rest', async () => {
    const first = await repo.commit('main', undefined, { put: files({ 'a/1': '1', 'a/2': '2' }) }, 'two');
    const second = await repo.commit('main', first, { put: files({ 'a/3': '3', 'a/1': 'new' }), remove: ['a/1', 'a/2'] }, 'swap');
    expect(await repo.listFiles(second, 'a/')).toEqual(['a/3']);
  });

  it('records the identity without the characters git drops, and the message', async () => {
    const commit = await repo.commit('main', undefined, { put: files({ f: 'x' }) }, 'Added service: carts');
    expect(await log(commit, '%an|%ae|%cn|%ce')).toBe('Ann the Operator|ann@example.com|Ann the Operator|ann@example.com');
    expect(await log(commit, '%B')).toBe('Added service: carts');
  });

  it('refuses to move a branch that is no longer at the parent, and leaves no scratch ref', async () => {
    const base = await repo.commit('main', undefined, { put: files({ f: '0' }) }, 'base');
    const theirs = await repo.commit('main', base, { put: files({ f: 'theirs' }) }, 'theirs');
    await expect(repo.commit('main', base, { put: files({ f: 'ours' }) }, 'ours')).rejects.toBeInstanceOf(BranchMovedError);
    expect((await repo.branches()).get('main')).toBe(theirs);
    // A first commit on a branch that exists meanwhile is refused too.
    await expect(repo.commit('main', undefined, { put: files({ g: 'root' }) }, 'root')).rejects.toBeInstanceOf(BranchMovedError);
    expect((await repo.branches()).get('main')).toBe(theirs);
    expect(await scratchRefs()).toBe('');
  });

  it('leaves objects loose, not a pack per commit', async () => {
    let parent: string | undefined;
    for (let i = 0; i < 5; i++) parent = await repo.commit('main', parent, { put: files({ [`f${i}`]: String(i) }) }, `c${i}`);
    expect((await readdir(join(repo.gitDir, 'objects', 'pack'))).filter((name) => name.endsWith('.pack'))).toEqual([]);
    expect(await scratchRefs()).toBe('');
  });
});
