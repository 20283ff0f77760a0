import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shipyardYaml } from '@shipmate/testing';
import { ConfigError } from '../config/config-error.js';
import { checkedShipyard, gitCredentialsOf } from './project-verbs.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shipmate-project-verbs-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SHIPYARD = shipyardYaml({ dev: ['deployment'] }, { name: 'shop' });

describe('checkedShipyard', () => {
  it('gives the base64 of a valid shipyard', () => {
    const path = join(dir, 'ok.yaml');
    writeFileSync(path, SHIPYARD);
    expect(Buffer.from(checkedShipyard(path), 'base64').toString('utf8')).toBe(SHIPYARD);
  });

  it.each([
    [
      'an unknown field',
      SHIPYARD.replace('          tasks:', '          taks:'),
      "line 10, column 11 (spec.stages[0].sequences[0]): unknown field 'taks'",
    ],
    ['broken YAML', SHIPYARD.replace('    - name: dev', '    - name: [dev'), 'invalid YAML'],
    ['an old apiVersion', SHIPYARD.replace('0.2.3', '0.1.7'), 'apiVersion'],
  ])('refuses %s with the line and reason, as a usage error', (_name, text, reason) => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, text);
    expect(() => checkedShipyard(path)).toThrow(ConfigError);
    expect(() => checkedShipyard(path)).toThrow(`--shipyard '${path}': shipyard `);
    expect(() => checkedShipyard(path)).toThrow(reason);
  });
});

describe('gitCredentialsOf', () => {
  it('gives nothing without git flags', () => {
    expect(gitCredentialsOf({})).toBeUndefined();
  });

  it("builds Keptn's https credentials with a proxy", () => {
    expect(
      gitCredentialsOf({
        gitRemoteUrl: 'https://git.example.com/shop.git',
        gitUser: 'me',
        gitToken: 't',
        gitProxyUrl: 'proxy:3128',
        gitProxyScheme: 'http',
      }),
    ).toEqual({
      remoteURL: 'https://git.example.com/shop.git',
      user: 'me',
      https: { token: 't', insecureSkipTLS: false, proxy: { url: 'proxy:3128', scheme: 'http' } },
    });
  });

  it('reads the SSH key file as base64', () => {
    const key = join(dir, 'id_ed25519');
    writeFileSync(key, '-----BEGIN OPENSSH PRIVATE KEY-----\n');
    expect(gitCredentialsOf({ gitRemoteUrl: 'ssh://git@git.example.com/shop.git', gitPrivateKey: key, gitPrivateKeyPass: 'p' })).toEqual({
      remoteURL: 'ssh://git@git.example.com/shop.git',
      ssh: { privateKey: Buffer.from('-----BEGIN OPENSSH PRIVATE KEY-----\n').toString('base64'), privateKeyPass: 'p' },
    });
  });

  it('refuses git flags without a remote, and ssh with https flags', () => {
    expect(() => gitCredentialsOf({ gitToken: 't' })).toThrow('the git flags need --git-remote-url');
    expect(() => gitCredentialsOf({ gitRemoteUrl: 'ssh://x', gitPrivateKey: 'k', gitToken: 't' })).toThrow('give one kind');
    expect(() => gitCredentialsOf({ gitRemoteUrl: 'ssh://x', gitPrivateKey: join(dir, 'absent') })).toThrow(
      `--git-private-key '${join(dir, 'absent')}' cannot be read (no such file): give the path of a PEM private key`,
    );
  });
});
