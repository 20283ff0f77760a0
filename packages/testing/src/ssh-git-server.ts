/**
 * A real OpenSSH server for tests of git over ssh: `sshd` on 127.0.0.1 and a free port with its own
 * host key, config and authorized keys in a temporary folder, logging in the current user with keys
 * only. Needs `/usr/sbin/sshd` (Debian's openssh-server); {@link sshdUnavailable} says why not.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server-process.js';

const SSHD = '/usr/sbin/sshd';
const PRIVSEP_DIR = '/run/sshd';

/** Why sshd cannot be used here, or undefined. */
export function sshdUnavailable(): string | undefined {
  if (!existsSync(SSHD)) return `${SSHD} is not installed (apt-get install openssh-server)`;
  if (!existsSync(PRIVSEP_DIR)) {
    // sshd refuses to start without its privilege separation folder (created by the service, not by the package).
    try {
      mkdirSync(PRIVSEP_DIR, { mode: 0o755 });
    } catch (error) {
      return `sshd needs ${PRIVSEP_DIR}, which cannot be created (${(error as NodeJS.ErrnoException).code})`;
    }
  }
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'pipe' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'ssh-keygen is not installed (apt-get install openssh-client)';
  }
  return undefined;
}

/** A key pair made with ssh-keygen. */
export interface SshKeyPair {
  /** PEM (OpenSSH format) of the private key. */
  readonly privateKey: string;
  readonly publicKey: string;
}

/** Creates an ed25519 key pair in `dir` (`passphrase` '' for none). */
export function createSshKeyPair(dir: string, name: string, passphrase = ''): SshKeyPair {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', file], { stdio: 'pipe' });
  return { privateKey: readFileSync(file, 'utf8'), publicKey: readFileSync(`${file}.pub`, 'utf8').trim() };
}

/** A running sshd. */
export interface SshGitServer {
  readonly port: number;
  /** The user that logs in (the current one). */
  readonly user: string;
  /** `ssh://<user>@127.0.0.1:<port><absolute path>` */
  urlOf(path: string): string;
  close(): Promise<void>;
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited with code ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`sshd did not listen on port ${port} within 10 s`);
}

/** Starts sshd in `dir` accepting `authorizedKeys` (public keys) for the current user. */
export async function startSshGitServer(dir: string, authorizedKeys: readonly string[]): Promise<SshGitServer> {
  const port = await freePort();
  const user = userInfo().username;
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')], { stdio: 'pipe' });
  writeFileSync(join(dir, 'authorized_keys'), `${authorizedKeys.join('\n')}\n`, { mode: 0o600 });
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_key')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    `AllowUsers ${user}`,
  ];
  writeFileSync(join(dir, 'sshd_config'), `${config.join('\n')}\n`);
  const child = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  try {
    await waitForPort(port, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}; sshd said: ${log.trim().slice(0, 500)}`);
  }
  return {
    port,
    user,
    urlOf: (path) => `ssh://${user}@127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
