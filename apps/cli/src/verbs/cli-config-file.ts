/**
 * The CLI's own config file, written by `shipmate auth`: the endpoint and API token every verb
 * uses when no flag or environment variable names them. It lives at
 * `$XDG_CONFIG_HOME/shipmate/config.yaml` (else `~/.config/shipmate/config.yaml`) with mode 0600
 * in a 0700 directory, because it holds a token.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ConfigError } from '../config/config-error.js';

/** What the config file holds. */
export interface CliConfig {
  /** The control plane, without `/api` (e.g. `https://shipmate.example.com`). */
  readonly endpoint?: string;
  /** Its API token. */
  readonly apiToken?: string;
}

/** Where the config file is: `$XDG_CONFIG_HOME/shipmate/config.yaml`, else `~/.config/shipmate/config.yaml`. */
export function cliConfigPath(env: NodeJS.ProcessEnv, home: string = homedir()): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.trim() !== '' ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(base, 'shipmate', 'config.yaml');
}

/** Reads the config file; an absent file is an empty config, an unreadable one a ConfigError naming the fix. */
export function readCliConfig(path: string): CliConfig {
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      `${path} is not readable YAML (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): fix it, or write it again with \`shipmate auth --endpoint URL --api-token TOKEN\``,
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ConfigError(`${path} must hold a mapping with endpoint and apiToken: write it again with \`shipmate auth\``);
  const { endpoint, apiToken } = parsed as Record<string, unknown>;
  for (const [name, value] of [
    ['endpoint', endpoint],
    ['apiToken', apiToken],
  ] as const) {
    if (value !== undefined && value !== null && typeof value !== 'string')
      throw new ConfigError(`${path}: ${name} must be a string: write it again with \`shipmate auth\``);
  }
  return {
    ...(typeof endpoint === 'string' && endpoint !== '' ? { endpoint } : {}),
    ...(typeof apiToken === 'string' && apiToken !== '' ? { apiToken } : {}),
  };
}

/** Writes the config file (mode 0600, its directory 0700) through a temp file, so a reader never sees half of it. */
export function writeCliConfig(path: string, config: CliConfig): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  const text = `# Written by \`shipmate auth\`; it holds an API token, keep it private (mode 0600).\n${stringify({ ...config })}`;
  writeFileSync(temp, text, { mode: 0o600 });
  // writeFileSync's mode applies to new files only; the temp file is new, but be explicit.
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

/** True when a file others than its owner may read (a token file should be 0600). */
export function readableByOthers(path: string): boolean {
  return existsSync(path) && (statSync(path).mode & 0o077) !== 0;
}
