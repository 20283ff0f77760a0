import { afterEach, describe, expect, it } from 'vitest';
import { createSshKeyPair, shipyardYaml, sshdUnavailable, startSshGitServer, waitFor } from '@shipmate/testing';
import type { SshGitServer } from '@shipmate/testing';
import { UpstreamFixture } from './upstream-test-kit.js';

const SHIPYARD = shipyardYaml({ dev: ['deployment'] });

let fixture: UpstreamFixture | undefined;
let sshd: SshGitServer | undefined;
afterEach(async () => {
  await sshd?.close();
  await fixture?.close();
  sshd = undefined;
  fixture = undefined;
});

const skip = sshdUnavailable();
describe.skipIf(skip !== undefined)(`upstream over ssh (OpenSSH sshd)${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('pushes with gitCredentials.ssh.privateKey, with a passphrase key, and fails visibly with a wrong passphrase', async () => {
    fixture = new UpstreamFixture();
    const plain = createSshKeyPair(fixture.root, 'plain');
    const locked = createSshKeyPair(fixture.root, 'locked', 'open sesame');
    sshd = await startSshGitServer(fixture.root, [plain.publicKey, locked.publicKey]);
    const url = sshd.urlOf(fixture.upstreamDir);
    const { store, mirror } = fixture.open();
    await store.createProject('shop', SHIPYARD);
    await store.createStage('shop', 'dev');
    const f = fixture;
    const status = () => mirror.status('shop');
    const synced = async () => (status()?.state === 'synced' && f.upstreamTip('dev') ? true : undefined);

    await mirror.configure('shop', { remoteURL: url, ssh: { privateKey: plain.privateKey } });
    await waitFor('synced with a plain key', synced);

    await mirror.configure('shop', { remoteURL: url, ssh: { privateKey: locked.privateKey, privateKeyPass: 'not-the-passphrase-42' } });
    const failing = await waitFor('wrong passphrase shown', async () => (status()?.state === 'failing' ? status() : undefined));
    expect(failing?.lastError?.message).toMatch(/Permission denied|passphrase|Could not read from remote/i);
    expect(failing?.lastError?.message).not.toContain('not-the-passphrase-42');

    await mirror.configure('shop', { remoteURL: url, ssh: { privateKey: locked.privateKey, privateKeyPass: 'open sesame' } });
    await waitFor('synced with the passphrase', async () => (status()?.state === 'synced' && status()?.lastPull ? true : undefined));
    await mirror.close();
  });
});
