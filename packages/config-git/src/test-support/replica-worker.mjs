/**
 * One control-plane replica in a separate Node process, for `shared-replicas.test.ts`: it opens a
 * git resource store (built `dist`) on the shared folder, says it is ready (`<rootDir>/<name>.ready`)
 * and, once `<rootDir>/go` exists, writes `writes` resources to shop/dev. Write i waits (at most
 * 5 s) until the peer has returned i - 1 writes, so the two interleave however the machine
 * schedules them, while their writes still run at the same time. Before each write it checks that it reads the
 * peer's latest write, taken from the peer's journal (appended after each of the peer's writes
 * returned), with a pause of 0–4 ms between writes. With `upstream`, it goes through the upstream mirror as the server does.
 *
 * argv[2] is JSON: { rootDir, name, peer, writes, shared, upstream?: { keyHex } }.
 * Prints one JSON line at the end: { commits, peerReads, errors }.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecretCipher } from '@shipmate/core';
import { createGitResourceStore, createUpstreamMirror, withUpstream } from '../../dist/index.js';

const { rootDir, name, peer, writes, shared, upstream } = JSON.parse(process.argv[2]);
const level = { project: 'shop', stage: 'dev' };
const errors = [];
const store = createGitResourceStore({ rootDir, shared });
let resources = store;
let mirror;
if (upstream) {
  mirror = createUpstreamMirror({
    store,
    rootDir,
    cipher: createSecretCipher(Buffer.from(upstream.keyHex, 'hex')),
    retryMinMs: 100,
    retryMaxMs: 400,
    pollIntervalMs: 0,
    hosts: { allowFile: true, allowLoopback: true },
    onError: (project, message) => errors.push(`upstream of ${project}: ${message}`),
  });
  await mirror.load();
  resources = withUpstream(store, mirror);
}

const journal = (who) => join(rootDir, `${who}.journal`);
/**
 * The peer's journal lines it has finished writing: the peer may be in the middle of an append, and
 * a read then sees part of its last line, without the newline.
 */
function peerLines() {
  if (!existsSync(journal(peer))) return [];
  const text = readFileSync(journal(peer), 'utf8');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((line) => line !== '');
}

/** The peer's latest returned write, as `{ i, uri, commit }`, or undefined before its first. */
function peerLatest() {
  const lines = peerLines();
  return lines.length === 0 ? undefined : JSON.parse(lines[lines.length - 1]);
}

/** How many writes the peer has returned. */
const peerCount = () => peerLines().length;

writeFileSync(join(rootDir, `${name}.ready`), '');
while (!existsSync(join(rootDir, 'go'))) await new Promise((resolve) => setTimeout(resolve, 5));

const commits = [];
let peerReads = 0;
for (let i = 0; i < writes; i++) {
  for (const deadline = Date.now() + 5000; peerCount() < i - 1 && Date.now() < deadline;)
    await new Promise((resolve) => setTimeout(resolve, 2));
  const seen = peerLatest();
  if (seen) {
    try {
      // At the tip: the peer's file must be there (files are only added, so the tip contains its commit).
      const atTip = await resources.getResource(level, seen.uri);
      if (atTip.content.toString() !== `${peer} ${seen.i}`) errors.push(`read ${seen.uri} at the tip: '${atTip.content}'`);
      // By the peer's commit, abbreviated: the objects another process wrote are readable here.
      const pinned = await resources.getResource(level, seen.uri, seen.commit.slice(0, 10));
      if (pinned.commit !== seen.commit) errors.push(`commit ${seen.commit.slice(0, 10)} resolved to ${pinned.commit}`);
      const tip = await store.latestCommit('shop', 'dev');
      if (!tip) errors.push('latestCommit found no dev branch');
      peerReads += 1;
    } catch (error) {
      errors.push(`reading ${peer}'s write ${seen.i} (${seen.commit}): ${error.message}`);
    }
  }
  try {
    const uri = `${name}-${i}.txt`;
    const commit = await resources.putResources(level, [
      { uri, content: Buffer.from(`${name} ${i}`) },
      { uri: 'last-writer.txt', content: Buffer.from(`${name} ${i}`) },
    ]);
    commits.push(commit);
    appendFileSync(journal(name), `${JSON.stringify({ i, uri, commit })}\n`);
  } catch (error) {
    errors.push(`write ${i}: ${error.message}`);
  }
  // Requests arrive spaced, not back to back: the lock is not fair, and a process that writes in a
  // tight loop would take it again before the other's next poll.
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
}
if (mirror) {
  // Let this replica's pushes finish (they never wait for the write).
  for (let tries = 0; tries < 200 && mirror.status('shop')?.state !== 'synced'; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const status = mirror.status('shop');
  if (status?.state !== 'synced') errors.push(`upstream status at the end: ${JSON.stringify(status)}`);
  await mirror.close();
}
process.stdout.write(`${JSON.stringify({ commits, peerReads, errors })}\n`);
process.exit(0);
