import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSecretCipher } from '@shipmate/core';
import { personGit, shipyardYaml, waitFor } from '@shipmate/testing';
import { withUpstream } from './mirrored-resource-store.js';
import { UpstreamFixture } from './upstream-test-kit.js';

const SHIPYARD = shipyardYaml({ dev: ['deployment'] });
const carts = { project: 'shop', stage: 'dev', service: 'carts' };
const file = (uri: string, text: string) => ({ uri, content: Buffer.from(text) });

let fixture: UpstreamFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/** A project `shop` (stage dev, service carts) whose upstream is the fixture's, pushed once. */
async function syncedProject() {
  fixture = new UpstreamFixture();
  const { store, mirror } = fixture.open();
  const resources = withUpstream(store, mirror);
  await resources.createProject('shop', SHIPYARD);
  await resources.createStage('shop', 'dev');
  await resources.createService('shop', 'dev', 'carts');
  await mirror.configure('shop', { remoteURL: fixture.url, user: 'me', https: { token: 'secret-token-123' } });
  const f = fixture;
  await waitFor('first push', async () => (f.upstreamTip('dev') === (await store.latestCommit('shop', 'dev')) ? true : undefined));
  return { fixture: f, store, mirror, resources };
}

describe('upstream mirror over file://', () => {
  it('pushes every branch after configure and reports the project as synced', async () => {
    const { fixture, store, mirror } = await syncedProject();
    expect(fixture.upstreamTip('master')).toBe(await store.latestCommit('shop', 'master'));
    expect(personGit(['--git-dir', fixture.upstreamDir, 'log', '--format=%s', 'dev'])).toContain('Added service: carts');
    const status = await waitFor('push recorded', async () => (mirror.status('shop')?.lastPush ? mirror.status('shop') : undefined));
    expect(status).toMatchObject({ remoteURL: fixture.url, state: 'synced', unpushedCommits: 0, lastError: null, divergedBranches: [] });
  });

  it('starts and stops syncing a project when told another replica configured or removed its upstream', async () => {
    const { fixture, mirror } = await syncedProject();
    // A second replica on the same repositories, started before the upstream was configured.
    const other = fixture.open({}).mirror;
    expect(await other.load()).toBe(1);
    await mirror.configure('shop', undefined);
    expect(other.status('shop')).toBeDefined();
    await other.reload('shop');
    expect(other.status('shop')).toBeUndefined();
    await mirror.configure('shop', { remoteURL: fixture.url, user: 'me', https: { token: 'secret-token-123' } });
    await other.reload('shop');
    expect(other.status('shop')?.remoteURL).toBe(fixture.url);
    await Promise.all([other.close(), mirror.close()]);
  });

  it('pushes a write asynchronously: the write returns its commit and the upstream gets it', async () => {
    const { fixture, resources } = await syncedProject();
    const commit = await resources.putResources(carts, [file('slo.yaml', 'objectives: []\n')]);
    await waitFor('upstream has the write', async () => (fixture.upstreamTip('dev') === commit ? true : undefined));
    expect(personGit(['--git-dir', fixture.upstreamDir, 'show', `${commit}:carts/slo.yaml`])).toBe('objectives: []');
  });

  it('pulls a commit pushed to the upstream by someone else before a read at the tip and before a write', async () => {
    const { fixture, store, resources } = await syncedProject();
    const theirs = fixture.commitInUpstream('dev', { 'carts/test.jmx': 'by a person\n' });
    const read = await resources.getResource(carts, 'test.jmx');
    expect(read).toMatchObject({ commit: theirs });
    expect(read.content.toString()).toBe('by a person\n');
    expect(await store.latestCommit('shop', 'dev')).toBe(theirs);

    const again = fixture.commitInUpstream('dev', { 'carts/other.yaml': 'x: 1\n' });
    const mine = await resources.putResources(carts, [file('mine.yaml', 'y: 2\n')]);
    expect(personGit(['--git-dir', join(fixture.dataDir, 'shop.git'), 'rev-parse', `${mine}^`])).toBe(again);
    await waitFor('pushed on top', async () => (fixture.upstreamTip('dev') === mine ? true : undefined));
  });

  it('merges changes to different files made on both sides (a merge commit with both parents)', async () => {
    const { fixture, store, mirror } = await syncedProject();
    const theirs = fixture.commitInUpstream('dev', { 'carts/theirs.yaml': 'a: 1\n' });
    const ours = await store.putResources(carts, [file('ours.yaml', 'b: 2\n')]); // not through the mirror: no pull first
    await mirror.pull('shop');
    const tip = (await store.latestCommit('shop', 'dev'))!;
    const parents = personGit(['--git-dir', join(fixture.dataDir, 'shop.git'), 'rev-list', '--parents', '-n1', tip])
      .split(' ')
      .slice(1);
    expect(parents).toEqual([ours, theirs]);
    expect((await store.listResources(carts)).uris).toEqual(expect.arrayContaining(['ours.yaml', 'theirs.yaml']));
    mirror.pushSoon('shop');
    await waitFor('merge pushed', async () => (fixture.upstreamTip('dev') === tip ? true : undefined));
  });

  it('keeps its version of a branch edited on both sides, pushes it aside and reports the conflict until a person merges it', async () => {
    const { fixture, store, mirror } = await syncedProject();
    fixture.commitInUpstream('dev', { 'carts/slo.yaml': 'theirs\n' });
    const ours = await store.putResources(carts, [file('slo.yaml', 'ours\n')]);
    await mirror.pull('shop');
    expect(await store.latestCommit('shop', 'dev')).toBe(ours);
    expect(mirror.status('shop')).toMatchObject({
      state: 'diverged',
      divergedBranches: [{ branch: 'dev', conflicts: ['carts/slo.yaml'], pushedAs: 'shipmate-conflict/dev' }],
    });
    mirror.pushSoon('shop');
    await waitFor('our side pushed aside', async () => (fixture.upstreamTip('shipmate-conflict/dev') === ours ? true : undefined));

    // A person resolves: merges Shipmate's side into dev, keeping a third version.
    const clone = join(fixture.root, 'resolve');
    personGit(['clone', '--quiet', '--branch', 'dev', fixture.url, clone]);
    personGit(['merge', '--quiet', '-s', 'ours', 'origin/shipmate-conflict/dev', '-m', 'resolve'], clone);
    personGit(['push', '--quiet', 'origin', 'dev'], clone);
    await mirror.pull('shop');
    expect(mirror.status('shop')?.divergedBranches).toEqual([]);
    expect(await store.latestCommit('shop', 'dev')).toBe(fixture.upstreamTip('dev'));
    expect((await store.getResource(carts, 'slo.yaml')).content.toString()).toBe('theirs\n');
  });

  it('keeps writes working when the upstream is unreachable and shows the failure with its next retry', async () => {
    fixture = new UpstreamFixture();
    const { store, mirror } = fixture.open();
    const resources = withUpstream(store, mirror);
    await resources.createProject('shop', SHIPYARD);
    await resources.createStage('shop', 'dev');
    await mirror.configure('shop', { remoteURL: `file://${join(fixture.root, 'missing.git')}` });
    const status = await waitFor('failure shown', async () =>
      mirror.status('shop')?.state === 'failing' ? mirror.status('shop') : undefined,
    );
    expect(status?.lastError?.message).toMatch(/missing\.git|does not appear to be a git repository/);
    expect(status?.nextAttempt).not.toBeNull();
    const started = Date.now();
    await resources.createService('shop', 'dev', 'carts');
    const commit = await resources.putResources(carts, [file('a.yaml', 'a\n')]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await resources.getResource(carts, 'a.yaml', commit)).content.toString()).toBe('a\n');
    await waitFor('retries counted', async () => ((mirror.status('shop')?.failedAttempts ?? 0) >= 2 ? true : undefined));
    expect(mirror.status('shop')?.unpushedCommits).toBeGreaterThan(0);
    await mirror.close();
  });

  it('moves a project to a new upstream and pushes everything there', async () => {
    const { fixture, store, mirror } = await syncedProject();
    const second = join(fixture.root, 'second.git');
    personGit(['init', '--bare', '--quiet', second]);
    await mirror.configure('shop', { remoteURL: `file://${second}` });
    await waitFor('pushed to the new upstream', async () => {
      const tip = personGit(['--git-dir', second, 'for-each-ref', '--format=%(objectname)', 'refs/heads/dev']);
      return tip === (await store.latestCommit('shop', 'dev')) ? true : undefined;
    });
    expect(mirror.status('shop')?.remoteURL).toBe(`file://${second}`);
  });

  it('stores the credentials sealed (0600, no plain token) and loads them again after a restart', async () => {
    const { fixture, resources, mirror } = await syncedProject();
    await mirror.close();
    const sealedFile = join(fixture.dataDir, '.shipmate', 'credentials', 'shop.json');
    expect(statSync(sealedFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(sealedFile, 'utf8')).not.toContain('secret-token-123');

    const reopened = fixture.open();
    expect(await reopened.mirror.load()).toBe(1);
    const commit = await withUpstream(reopened.store, reopened.mirror).putResources(carts, [file('after-restart.yaml', 'z\n')]);
    await waitFor('pushed after restart', async () => (fixture.upstreamTip('dev') === commit ? true : undefined));
    void resources;
  });

  it('removes the upstream: no more status, pushes stop', async () => {
    const { mirror, store, fixture } = await syncedProject();
    await mirror.configure('shop', undefined);
    expect(mirror.status('shop')).toBeUndefined();
    const before = fixture.upstreamTip('dev');
    await withUpstream(store, mirror).putResources(carts, [file('local-only.yaml', 'l\n')]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fixture.upstreamTip('dev')).toBe(before);
  });
});

describe('stored upstream credentials and the secret key', () => {
  it('re-seals them with the new key after a rotation, and refuses to start with a key that does not open them', async () => {
    const { fixture, mirror } = await syncedProject();
    await mirror.close();
    const sealedFile = join(fixture.dataDir, '.shipmate', 'credentials', 'shop.json');
    const keyIdOf = () => (JSON.parse(readFileSync(sealedFile, 'utf8')) as { keyId: string }).keyId;
    const oldKeyId = keyIdOf();

    const newKey = randomBytes(32);
    const rotated = fixture.open({ cipher: createSecretCipher(newKey, fixture.key) });
    expect(await rotated.mirror.load()).toBe(1);
    await rotated.mirror.close();
    expect(keyIdOf()).toBe(createSecretCipher(newKey).keyId);
    expect(keyIdOf()).not.toBe(oldKeyId);

    const afterRotation = fixture.open({ cipher: createSecretCipher(newKey) });
    expect(await afterRotation.mirror.load()).toBe(1);
    await afterRotation.mirror.close();

    const wrong = fixture.open({ cipher: createSecretCipher(randomBytes(32)) });
    await expect(wrong.mirror.load()).rejects.toMatchObject({ code: 'ERR_SECRET_KEY' });
  });

  it('removes them with the project', async () => {
    const { fixture, store, mirror } = await syncedProject();
    const sealedFile = join(fixture.dataDir, '.shipmate', 'credentials', 'shop.json');
    expect(existsSync(sealedFile)).toBe(true);
    await withUpstream(store, mirror).deleteProject('shop');
    expect(existsSync(sealedFile)).toBe(false);
    expect(mirror.status('shop')).toBeUndefined();
  });
});

describe('an upstream that accepts connections and never answers', () => {
  it('holds a pull for at most the pull timeout and reports the stopped command', async () => {
    const sockets = new Set<Socket>();
    const blackhole = createNetServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    try {
      fixture = new UpstreamFixture();
      const { store, mirror } = fixture.open({ pullTimeoutMs: 300, pushTimeoutMs: 1000 });
      await store.createProject('shop', SHIPYARD);
      await mirror.configure('shop', { remoteURL: `http://127.0.0.1:${(blackhole.address() as AddressInfo).port}/x.git` });
      const started = Date.now();
      await mirror.pull('shop'); // joins the background sync's fetch, which has the longer timeout
      expect(Date.now() - started).toBeLessThan(900);
      const failing = await waitFor('timeout reported', async () =>
        mirror.status('shop')?.state === 'failing' ? mirror.status('shop') : undefined,
      );
      expect(failing?.lastError?.message).toMatch(/no answer within \d+ ms; the command was stopped/);
      await mirror.close();
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackhole.close(resolve));
    }
  });

  it('removes a project only after its running sync has stopped, so no git command writes into a removed repository', async () => {
    const open = new Set<Socket>();
    const blackhole = createNetServer((socket) => {
      open.add(socket);
      socket.resume(); // reads (and drops) the request, so the peer's close is seen
      socket.on('close', () => open.delete(socket));
    });
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    try {
      fixture = new UpstreamFixture();
      const { store, mirror } = fixture.open({ pullTimeoutMs: 300, pushTimeoutMs: 1500 });
      await store.createProject('shop', SHIPYARD);
      await mirror.configure('shop', { remoteURL: `http://127.0.0.1:${(blackhole.address() as AddressInfo).port}/x.git` });
      await waitFor('the background fetch connected', async () => (open.size > 0 ? true : undefined));
      await withUpstream(store, mirror).deleteProject('shop');
      // The fetch was stopped (its timeout) before the removal; without the wait it would still hang here for the full timeout.
      expect(open.size).toBeLessThanOrEqual(1);
      await waitFor('the stopped fetch closed its connection', async () => (open.size === 0 ? true : undefined), 400);
      expect(existsSync(join(fixture.dataDir, 'shop.git'))).toBe(false);
      await mirror.close();
    } finally {
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => blackhole.close(resolve));
    }
  });
});
