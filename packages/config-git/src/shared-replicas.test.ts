/**
 * Several replicas on one folder of configuration repositories (`shared: true`): two separate Node
 * processes (each with its own in-process lock and memory) write one project's stage at once,
 * with and without the upstream mirror; and what one store does to projects is seen by another at
 * once. The worker runs the built package: `npx tsc -b` first (`npm test` does).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, NotFoundError, ShipmateError } from '@shipmate/core';
import { personGit, waitFor } from '@shipmate/testing';
import { takeFileLock } from './file-lock.js';
import { LOCKS_DIR, createGitResourceStore } from './git-resource-store.js';
import { UpstreamFixture } from './upstream/upstream-test-kit.js';

const WORKER = fileURLToPath(new URL('./test-support/replica-worker.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../dist/index.js', import.meta.url));

interface WorkerResult {
  commits: string[];
  peerReads: number;
  errors: string[];
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipmate-git-shared-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts one replica process; resolves with its report. */
function replica(settings: Record<string, unknown>): Promise<WorkerResult> {
  const child = spawn(process.execPath, [WORKER, JSON.stringify(settings)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`replica ${String(settings.name)} exited with ${code}: ${err}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!) as WorkerResult);
    });
  });
}

/** Runs replicas A and B on `rootDir` at once, each with `writes` writes. */
async function twoReplicas(rootDir: string, writes: number, extra: Record<string, unknown> = {}): Promise<[WorkerResult, WorkerResult]> {
  const a = replica({ rootDir, name: 'A', peer: 'B', writes, shared: true, ...extra });
  const b = replica({ rootDir, name: 'B', peer: 'A', writes, shared: true, ...extra });
  // Both processes are up and waiting, then both go at once.
  await waitFor(
    'both replicas ready',
    async () => (existsSync(join(rootDir, 'A.ready')) && existsSync(join(rootDir, 'B.ready')) ? true : undefined),
    30_000,
  );
  writeFileSync(join(rootDir, 'go'), '');
  return Promise.all([a, b]);
}

const git = (rootDir: string, args: string[]) => personGit(['--git-dir', join(rootDir, 'shop.git'), ...args]);

/** Every write of both replicas is on the branch, with its own content, in one line of history. */
function expectEveryWriteKept(rootDir: string, results: WorkerResult[], writes: number): void {
  const history = git(rootDir, ['rev-list', 'dev']).split('\n');
  expect(git(rootDir, ['rev-list', '--min-parents=2', 'dev'])).toBe('');
  for (const [index, name] of ['A', 'B'].entries()) {
    const { commits } = results[index]!;
    expect(commits).toHaveLength(writes);
    for (const [i, commit] of commits.entries()) {
      expect(history).toContain(commit);
      expect(git(rootDir, ['show', `${commit}:${name}-${i}.txt`])).toBe(`${name} ${i}`);
      expect(git(rootDir, ['show', `dev:${name}-${i}.txt`])).toBe(`${name} ${i}`);
    }
  }
  expect(new Set(results.flatMap((result) => result.commits)).size).toBe(2 * writes);
}

describe('two replica processes on one shared folder', () => {
  beforeAll(() => {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run 'npx tsc -b' before this test`);
  });

  it('loses no write when both write one stage at once, and each reads the other at once', async () => {
    const rootDir = tempDir();
    const store = createGitResourceStore({ rootDir, shared: true });
    await store.createProject('shop', 'spec: {}\n');
    await store.createStage('shop', 'dev');

    const results = await twoReplicas(rootDir, 50);

    expect(results.flatMap((result) => result.errors)).toEqual([]);
    expectEveryWriteKept(rootDir, results, 50);
    // The writes interleaved: each read the other's latest returned write before many of its own
    // (typically 40 to 49 of 50; fewer on a loaded machine, as the lock is not fair).
    for (const result of results) expect(result.peerReads).toBeGreaterThanOrEqual(5);
    expect(await store.latestCommit('shop', 'dev')).toBe(git(rootDir, ['rev-parse', 'dev']));
  }, 60_000);

  it('with the upstream mirror: every write of both replicas reaches the upstream, with no failed sync', async () => {
    const fixture = new UpstreamFixture();
    cleanups.push(() => fixture.cleanup());
    const rootDir = fixture.dataDir;
    const { store, mirror } = fixture.open({ pollIntervalMs: 0 }, { shared: true });
    await store.createProject('shop', 'spec: {}\n');
    await store.createStage('shop', 'dev');
    await mirror.configure('shop', { remoteURL: fixture.url, user: 'me', https: { token: 'secret-token-123' } });
    await waitFor('first push', async () => (fixture.upstreamTip('dev') === (await store.latestCommit('shop', 'dev')) ? true : undefined));
    await mirror.close();

    const results = await twoReplicas(rootDir, 20, { upstream: { keyHex: fixture.key.toString('hex') } });

    expect(results.flatMap((result) => result.errors)).toEqual([]);
    expectEveryWriteKept(rootDir, results, 20);
    expect(fixture.upstreamTip('dev')).toBe(git(rootDir, ['rev-parse', 'dev']));
  }, 60_000);
});

describe('the upstream of a shared folder', () => {
  it('skips a pull while another replica holds the upstream lock, without counting it as a failure', async () => {
    const fixture = new UpstreamFixture();
    cleanups.push(() => fixture.cleanup());
    const rootDir = fixture.dataDir;
    const { store, mirror } = fixture.open({ pollIntervalMs: 0, pullTimeoutMs: 200 }, { shared: true });
    cleanups.push(() => void mirror.close());
    await store.createProject('shop', 'spec: {}\n');
    await mirror.configure('shop', { remoteURL: fixture.url, user: 'me', https: { token: 'secret-token-123' } });
    await waitFor('first push', async () => (mirror.status('shop')?.lastPush ? true : undefined));

    const upstreamLock = join(rootDir, LOCKS_DIR, 'shop.upstream.lock');
    const held = await takeFileLock(upstreamLock, 'a test lock', { timeoutMs: 1000, staleMs: 10_000, host: 'another-host' });
    const theirs = fixture.commitInUpstream('master', { 'theirs.txt': 'x\n' });
    try {
      const started = Date.now();
      await mirror.pull('shop');
      expect(Date.now() - started).toBeLessThan(1000);
      // The pull has given up waiting for the lock by now (its wait is the pull timeout too).
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await store.latestCommit('shop', 'master')).not.toBe(theirs);
      expect(mirror.status('shop')).toMatchObject({ lastError: null, failedAttempts: 0 });
    } finally {
      await held.release();
    }
    // Retried soon after the lock is free.
    await waitFor('pulled after the lock', async () => ((await store.latestCommit('shop', 'master')) === theirs ? true : undefined));
  });
});

describe('a shared store sees what another store did', () => {
  it('notices a project created, written, removed and created again elsewhere', async () => {
    const rootDir = tempDir();
    const writer = createGitResourceStore({ rootDir, shared: true });
    const reader = createGitResourceStore({ rootDir, shared: true });
    const dev = { project: 'shop', stage: 'dev' };
    const read = (id?: string) => reader.getResource(dev, 'a.txt', id).then((found) => found.content.toString());

    await expect(read()).rejects.toBeInstanceOf(NotFoundError);
    await writer.createProject('shop', 'spec: {}\n');
    await writer.createStage('shop', 'dev');
    const first = await writer.putResources(dev, [{ uri: 'a.txt', content: Buffer.from('one') }]);
    // Packed, as after a gc: the tips now come from packed-refs, and a long-lived object reader keeps a pack it has opened.
    personGit(['--git-dir', join(rootDir, 'shop.git'), 'pack-refs', '--all']);
    personGit(['--git-dir', join(rootDir, 'shop.git'), 'repack', '-a', '-d', '-q']);
    expect(existsSync(join(rootDir, 'shop.git', 'refs', 'heads', 'dev'))).toBe(false);
    expect(await read()).toBe('one');
    expect(await reader.latestCommit('shop', 'dev')).toBe(first);

    await writer.deleteProject('shop');
    expect(await reader.hasProject('shop')).toBe(false);
    expect(await reader.latestCommit('shop', 'dev')).toBeUndefined();
    await expect(read()).rejects.toMatchObject({ code: ErrorCode.projectNotFound });

    await writer.createProject('shop', 'spec: {}\n');
    await writer.createStage('shop', 'dev');
    await writer.putResources(dev, [{ uri: 'a.txt', content: Buffer.from('two') }]);
    expect(await read()).toBe('two');
    // A commit of the removed repository is not served from this process's object reader.
    await expect(read(first)).rejects.toMatchObject({ code: ErrorCode.commitNotFound });
    // Writes through the reader build on the other store's commits.
    const mine = await reader.putResources(dev, [{ uri: 'b.txt', content: Buffer.from('b') }]);
    expect(personGit(['--git-dir', join(rootDir, 'shop.git'), 'show', `${mine}:a.txt`])).toBe('two');
  });

  it('refuses a write whose project lock another process holds, naming the lock file', async () => {
    const rootDir = tempDir();
    const store = createGitResourceStore({ rootDir, shared: true, lockTimeoutMs: 200 });
    await store.createProject('shop', 'spec: {}\n');
    const lockPath = join(rootDir, LOCKS_DIR, 'shop.lock');
    const held = await takeFileLock(lockPath, 'a test lock', { timeoutMs: 1000, staleMs: 10_000, host: 'another-host' });
    try {
      const write = store.putResources({ project: 'shop' }, [{ uri: 'x', content: Buffer.from('x') }]);
      await expect(write).rejects.toBeInstanceOf(ShipmateError);
      await expect(write).rejects.toMatchObject({ code: ErrorCode.configLocked });
      await expect(write).rejects.toThrow(`the write lock of project 'shop' within 200 ms: the lock file '${lockPath}'`);
    } finally {
      await held.release();
    }
    await expect(store.putResources({ project: 'shop' }, [{ uri: 'x', content: Buffer.from('x') }])).resolves.toMatch(/^[0-9a-f]{40}$/);
  });
});
