import { execFileSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeResourceStoreContract } from '@shipmate/testing';
import { createGitResourceStore } from './git-resource-store.js';
import { requireGit } from './git-runner.js';

const dirs = new Map<object, string>();

describeResourceStoreContract(
  'git',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipmate-git-store-'));
    const store = createGitResourceStore({ rootDir: dir });
    dirs.set(store, dir);
    return store;
  },
  async (store) => {
    rmSync(dirs.get(store)!, { recursive: true, force: true });
  },
);

// The same contract with the tips read from the repository and the lock files of several replicas.
describeResourceStoreContract(
  'git (shared)',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipmate-git-store-'));
    const store = createGitResourceStore({ rootDir: dir, shared: true });
    dirs.set(store, dir);
    return store;
  },
  async (store) => {
    rmSync(dirs.get(store)!, { recursive: true, force: true });
  },
);

function gitLog(dir: string, ref: string): string[] {
  return execFileSync('git', ['--git-dir', join(dir, 'shop.git'), 'log', '--format=%an <%ae> %s', ref], { encoding: 'utf8' })
    .trim()
    .split('\n');
}

describe('git resource store on disk', () => {
  it('writes a bare repository with Keptn commit messages and author, linear per branch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipmate-git-store-'));
    try {
      const store = createGitResourceStore({ rootDir: dir, author: { name: 'robot', email: 'robot@example.com' } });
      await store.createProject('shop', 'spec: {}\n');
      await store.createStage('shop', 'dev');
      await store.createService('shop', 'dev', 'carts');
      await Promise.all(
        [1, 2, 3].map((i) =>
          store.putResources({ project: 'shop', stage: 'dev', service: 'carts' }, [{ uri: `f${i}`, content: Buffer.from('x') }]),
        ),
      );
      await store.deleteResource({ project: 'shop', stage: 'dev', service: 'carts' }, 'f1');
      expect(gitLog(dir, 'dev')).toEqual([
        'robot <robot@example.com> Deleted resources',
        'robot <robot@example.com> Updated resource',
        'robot <robot@example.com> Updated resource',
        'robot <robot@example.com> Updated resource',
        'robot <robot@example.com> Added service: carts',
        'robot <robot@example.com> initialized project',
      ]);
      // Linear: no merges, every commit has one parent.
      const parents = execFileSync('git', ['--git-dir', join(dir, 'shop.git'), 'rev-list', '--min-parents=2', 'dev'], { encoding: 'utf8' });
      expect(parents).toBe('');
      expect(execFileSync('git', ['--git-dir', join(dir, 'shop.git'), 'symbolic-ref', 'HEAD'], { encoding: 'utf8' }).trim()).toBe(
        'refs/heads/master',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves latestCommit from memory and reads the tips of existing repositories after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipmate-git-store-'));
    try {
      const first = createGitResourceStore({ rootDir: dir });
      await first.createProject('shop', 'spec: {}\n');
      const tip = await first.createStage('shop', 'dev');
      const again = createGitResourceStore({ rootDir: dir });
      expect(await again.latestCommit('shop', 'dev')).toBe(tip);
      expect(await again.readShipyard('shop', tip)).toBe('spec: {}\n');
      // A missing git binary path no longer matters: tips and shipyard now come from memory.
      rmSync(join(dir, 'shop.git', 'objects'), { recursive: true, force: true });
      expect(await again.latestCommit('shop', 'dev')).toBe(tip);
      expect(await again.readShipyard('shop', tip)).toBe('spec: {}\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('caches the shipyard of every new commit, also when the parent has left the cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipmate-git-store-'));
    try {
      const store = createGitResourceStore({ rootDir: dir, shipyardCacheSize: 2 });
      await store.createProject('shop', 'spec: {}\n');
      await store.createStage('shop', 'dev');
      await store.putResources({ project: 'shop', stage: 'dev' }, [{ uri: 'a', content: Buffer.from('a') }]);
      // Two project-level commits push the dev tip out of the cache of two...
      for (const uri of ['x', 'y']) await store.putResources({ project: 'shop' }, [{ uri, content: Buffer.from(uri) }]);
      // ...so this commit's parent is no longer cached when it is written.
      const commit = await store.putResources({ project: 'shop', stage: 'dev' }, [{ uri: 'b', content: Buffer.from('b') }]);
      const moved = `${dir}-moved`;
      renameSync(dir, moved);
      try {
        // With the repository out of reach, only the cache can answer.
        expect(await store.readShipyard('shop', commit)).toBe('spec: {}\n');
      } finally {
        renameSync(moved, dir);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('requireGit', () => {
  it('says how to install git when the binary cannot be run', async () => {
    await expect(requireGit('/nonexistent/bin/git')).rejects.toThrow(/install git/);
    await expect(requireGit()).resolves.toMatch(/^git version /);
  });
});
