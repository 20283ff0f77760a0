/**
 * Reads take no lock, so they meet repositories being created and removed. Whatever they meet,
 * the answer is the project's state (data or 404), never a git failure, and nothing they load
 * while the repository goes outlives it (found by the API fuzzer: stale branch tips after a
 * project deletion made every later resource call of that project a 500).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '@shipmate/core';
import { createGitResourceStore } from './git-resource-store.js';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Settles a read as 'data', 'not found', or the unexpected error's message. */
async function outcome(read: Promise<unknown>): Promise<string> {
  try {
    await read;
    return 'data';
  } catch (error) {
    return error instanceof NotFoundError ? 'not found' : String(error);
  }
}

describe('reads racing project creation and removal', () => {
  it('answers data or 404 while a project is removed and re-created, and 404 once it is gone', async () => {
    dir = mkdtempSync(join(tmpdir(), 'shipmate-git-race-'));
    const store = createGitResourceStore({ rootDir: dir });
    const level = { project: 'shop', stage: 'dev' };
    for (let round = 0; round < 5; round++) {
      await store.createProject('shop', 'spec: {}\n');
      await store.createStage('shop', 'dev');
      await store.putResources(level, [{ uri: 'a.yaml', content: Buffer.from('a') }]);
      const reads: Promise<string>[] = [];
      const removal = store.deleteProject('shop');
      for (let i = 0; i < 40; i++) {
        reads.push(outcome(store.listResources(level, undefined)), outcome(store.getResource(level, 'a.yaml', undefined)));
        await new Promise((resolve) => setImmediate(resolve));
      }
      await removal;
      const during = await Promise.all(reads);
      expect(during.filter((answer) => answer !== 'data' && answer !== 'not found')).toEqual([]);
      expect(await outcome(store.listResources(level, undefined))).toBe('not found');
      expect(await outcome(store.deleteResource(level, 'a.yaml'))).toBe('not found');
      expect(await store.latestCommit('shop', 'dev')).toBeUndefined();
    }
  });
});
