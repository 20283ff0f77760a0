/**
 * Settings of the configuration repositories' upstream mirror (docs/configuration.md, "Git upstream").
 */
import { readFileSync } from 'node:fs';
import { parseRemoteUrlDenylist } from '@shipmate/server';
import { ConfigError } from './config-error.js';
import { booleanValue, durationValue } from './env-values.js';

/** Resolved upstream settings. */
export interface UpstreamConfig {
  /** SHIPMATE_GIT_REMOTE_URL_DENYLIST_FILE: Keptn's git-remote-url-denylist, one regular expression per line. */
  readonly remoteUrlDenylist: readonly RegExp[];
  /** SHIPMATE_UPSTREAM_PULL_TIMEOUT: longest wait for a pull before a write, a read or a sequence start. */
  readonly pullTimeoutMs: number;
  /** SHIPMATE_UPSTREAM_RETRY_MAX: longest pause between retries of a failing upstream. */
  readonly retryMaxMs: number;
  /** SHIPMATE_UPSTREAM_POLL_INTERVAL: background pull of every upstream; 0 turns it off. */
  readonly pollIntervalMs: number;
  /**
   * What an upstream may reach besides network hosts that are not this one: SHIPMATE_UPSTREAM_ALLOW_FILE
   * (file:// URLs and local paths) and SHIPMATE_UPSTREAM_ALLOW_LOOPBACK (loopback, link-local and
   * unspecified addresses, and names resolving to them); both false by default.
   */
  readonly hosts: { readonly allowFile: boolean; readonly allowLoopback: boolean };
}

/** Reads the upstream settings from the environment. */
export function resolveUpstreamConfig(env: NodeJS.ProcessEnv): UpstreamConfig {
  return Object.freeze({
    remoteUrlDenylist: denylist(env.SHIPMATE_GIT_REMOTE_URL_DENYLIST_FILE),
    pullTimeoutMs: positive(
      durationValue(env.SHIPMATE_UPSTREAM_PULL_TIMEOUT, '5s', 'SHIPMATE_UPSTREAM_PULL_TIMEOUT'),
      'SHIPMATE_UPSTREAM_PULL_TIMEOUT',
    ),
    retryMaxMs: positive(
      durationValue(env.SHIPMATE_UPSTREAM_RETRY_MAX, '1m', 'SHIPMATE_UPSTREAM_RETRY_MAX'),
      'SHIPMATE_UPSTREAM_RETRY_MAX',
    ),
    pollIntervalMs: durationValue(env.SHIPMATE_UPSTREAM_POLL_INTERVAL, '1m', 'SHIPMATE_UPSTREAM_POLL_INTERVAL'),
    hosts: Object.freeze({
      allowFile: booleanValue(env.SHIPMATE_UPSTREAM_ALLOW_FILE, false, 'SHIPMATE_UPSTREAM_ALLOW_FILE'),
      allowLoopback: booleanValue(env.SHIPMATE_UPSTREAM_ALLOW_LOOPBACK, false, 'SHIPMATE_UPSTREAM_ALLOW_LOOPBACK'),
    }),
  });
}

function positive(ms: number, name: string): number {
  if (ms <= 0) throw new ConfigError(`${name} must be longer than 0, e.g. 5s`);
  return ms;
}

function denylist(path: string | undefined): readonly RegExp[] {
  if (!path) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `SHIPMATE_GIT_REMOTE_URL_DENYLIST_FILE='${path}' cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); give a readable file with one regular expression per line, or unset it`,
    );
  }
  try {
    return parseRemoteUrlDenylist(text, `SHIPMATE_GIT_REMOTE_URL_DENYLIST_FILE '${path}'`);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}
