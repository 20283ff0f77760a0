/**
 * The environment of one git command that talks to an upstream. Credentials never appear in
 * arguments, URLs or repository config: a token or passphrase is handed to git through an askpass
 * script that prints an environment variable, certificate and key go to files (0600) in a private
 * temporary folder that is removed after the command, and settings such as `http.sslVerify` are
 * passed as `GIT_CONFIG_COUNT` entries (git ≥ 2.31) that live only for that command.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UpstreamCredentials } from '@shipmate/core';

/** Environment for a remote command and the cleanup to run after it. */
export interface RemoteEnvironment {
  readonly env: Record<string, string>;
  dispose(): Promise<void>;
}

const ASKPASS_SCRIPT = `#!/bin/sh
# Shipmate's askpass: git and ssh ask for a user name or a secret; both come from the environment of the call.
case "$1" in
  Username*) printf '%s\\n' "$SHIPMATE_GIT_USERNAME" ;;
  *) printf '%s\\n' "$SHIPMATE_GIT_SECRET" ;;
esac
`;

/** A low-speed limit: a transfer slower than 1 KiB/s for 20 s is aborted (the call also has a timeout). */
const TRANSFER_SETTINGS: Array<[string, string]> = [
  ['http.lowSpeedLimit', '1024'],
  ['http.lowSpeedTime', '20'],
  ['credential.helper', ''],
];

/** The askpass script of each state folder, written once per process. */
const installed = new Map<string, Promise<string>>();

/** Writes the askpass script into `stateDir` (0700) once per process and returns its path. */
export function installAskpass(stateDir: string): Promise<string> {
  let path = installed.get(stateDir);
  if (!path) {
    path = (async () => {
      await mkdir(stateDir, { recursive: true, mode: 0o700 });
      const file = join(stateDir, 'askpass.sh');
      await writeFile(file, ASKPASS_SCRIPT, { mode: 0o700 });
      await chmod(file, 0o700);
      return file;
    })();
    path.catch(() => installed.delete(stateDir));
    installed.set(stateDir, path);
  }
  return path;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function proxyUrl(proxy: NonNullable<NonNullable<UpstreamCredentials['https']>['proxy']>): string {
  const scheme = proxy.scheme || 'http';
  const address = proxy.url.replace(/^[a-z]+:\/\//i, '');
  const auth = proxy.user ? `${encodeURIComponent(proxy.user)}${proxy.password ? `:${encodeURIComponent(proxy.password)}` : ''}@` : '';
  return `${scheme}://${auth}${address}`;
}

/**
 * Builds the environment for `credentials`. `stateDir` holds the askpass script and ssh's
 * known_hosts; per-call files go to a fresh folder inside it.
 */
export async function remoteEnvironment(credentials: UpstreamCredentials, stateDir: string): Promise<RemoteEnvironment> {
  const askpass = await installAskpass(stateDir);
  const callDir = join(stateDir, `call-${randomUUID()}`);
  await mkdir(callDir, { mode: 0o700 });
  const dispose = () => rm(callDir, { recursive: true, force: true });
  try {
    const config: Array<[string, string]> = [...TRANSFER_SETTINGS];
    const env: Record<string, string> = {
      GIT_ASKPASS: askpass,
      SHIPMATE_GIT_USERNAME: credentials.user || 'shipmate',
      SHIPMATE_GIT_SECRET: credentials.https?.token ?? '',
    };
    const https = credentials.https;
    if (https?.certificate) {
      const caFile = join(callDir, 'ca.pem');
      await writeFile(caFile, https.certificate, { mode: 0o600 });
      config.push(['http.sslCAInfo', caFile]);
    }
    if (https?.insecureSkipTLS) config.push(['http.sslVerify', 'false']);
    if (https?.proxy?.url) config.push(['http.proxy', proxyUrl(https.proxy)]);
    const ssh = credentials.ssh;
    const sshOptions = [
      '-o BatchMode=no',
      '-o ConnectTimeout=10',
      '-o StrictHostKeyChecking=accept-new',
      `-o UserKnownHostsFile=${shellQuote(join(stateDir, 'known_hosts'))}`,
    ];
    if (ssh?.privateKey) {
      const keyFile = join(callDir, 'id_key');
      await writeFile(keyFile, ssh.privateKey.endsWith('\n') ? ssh.privateKey : `${ssh.privateKey}\n`, { mode: 0o600 });
      sshOptions.push(`-i ${shellQuote(keyFile)}`, '-o IdentitiesOnly=yes');
    }
    env.GIT_SSH_COMMAND = `ssh ${sshOptions.join(' ')}`;
    if (ssh?.privateKeyPass) {
      env.SHIPMATE_GIT_SECRET = ssh.privateKeyPass;
      env.SSH_ASKPASS = askpass;
      env.SSH_ASKPASS_REQUIRE = 'force';
    }
    env.GIT_CONFIG_COUNT = String(config.length);
    config.forEach(([key, value], index) => {
      env[`GIT_CONFIG_KEY_${index}`] = key;
      env[`GIT_CONFIG_VALUE_${index}`] = value;
    });
    return { env, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
