/**
 * Which control plane a verb talks to and with which token. Precedence, highest first: the flags
 * (`--endpoint`, `--api-token`), the environment (SHIPMATE_ENDPOINT / SHIPMATE_API_TOKEN, then
 * Keptn's KEPTN_ENDPOINT / KEPTN_API_TOKEN), the config file `shipmate auth` writes, and last the
 * local control plane `shipmate up` runs (the address and the token it keeps in its data dir;
 * http://127.0.0.1:8080 when it noted no address). A token is never sent where it was not meant to
 * go: the config file's token is used only for the config file's endpoint, and `shipmate up`'s only
 * for an endpoint on this machine or the address `shipmate up` noted beside it.
 */
import { join, resolve } from 'node:path';
import { ConfigError } from '../config/config-error.js';
import { readLocalApiToken } from '../config/local-api-token.js';
import { LOCAL_ENDPOINT_FILE, readLocalEndpoint } from '../config/local-endpoint.js';
import { cliConfigPath, readCliConfig } from './cli-config-file.js';
import type { CliConfig } from './cli-config-file.js';

/** The connection flags every verb takes. */
export interface ConnectionFlags {
  endpoint?: string;
  apiToken?: string;
}

/** The control plane `shipmate up` runs by default. */
export const LOCAL_ENDPOINT = 'http://127.0.0.1:8080';

/** A resolved connection, with where each half came from (shown by `shipmate status`). */
export interface Connection {
  /** Base URL of the control plane without `/api`. */
  readonly endpoint: string;
  /** The API token. */
  readonly token: string;
  /** Where the endpoint came from, e.g. `--endpoint`, `SHIPMATE_ENDPOINT`, `the config file …`. */
  readonly endpointFrom: string;
  /** Where the token came from. */
  readonly tokenFrom: string;
}

/** What {@link resolveConnection} chooses from. */
export interface ConnectionInputs {
  readonly flags: ConnectionFlags;
  readonly env: NodeJS.ProcessEnv;
  /** The config file's content and path. */
  readonly file: CliConfig & { readonly path: string };
  /** The data dir of `shipmate up`, and the token and address it keeps there (undefined when none). */
  readonly local: { readonly dataDir: string; readonly token: string | undefined; readonly endpoint?: string | undefined };
}

/**
 * The control plane's base URL from what a user typed: an http(s) URL, trailing slashes and a
 * trailing `/api` dropped (Keptn's KEPTN_ENDPOINT usually ends in `/api`). `from` names the source
 * in the error.
 */
export function normalizeEndpoint(raw: string, from: string): string {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${from} '${raw}' is not an http(s) URL; give e.g. ${LOCAL_ENDPOINT}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(`${from} '${raw}' is not an http(s) URL; give e.g. ${LOCAL_ENDPOINT}`);
  return url.origin + url.pathname.replace(/\/+$/, '').replace(/\/api$/, '');
}

/** True for an endpoint on this machine (loopback), where `shipmate up`'s own token may go. */
export function isLocalEndpoint(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const nonEmpty = (value: string | undefined): string | undefined => (value !== undefined && value.trim() !== '' ? value.trim() : undefined);

/** Chooses endpoint and token by the precedence above; a missing token is a ConfigError naming the ways to give one. */
export function resolveConnection(inputs: ConnectionInputs): Connection {
  const { flags, env, file, local } = inputs;
  const fileFrom = `the config file ${file.path}`;
  const endpointChoices: Array<[string | undefined, string]> = [
    [flags.endpoint, '--endpoint'],
    [env.SHIPMATE_ENDPOINT, 'SHIPMATE_ENDPOINT'],
    [env.KEPTN_ENDPOINT, 'KEPTN_ENDPOINT'],
    [file.endpoint, fileFrom],
  ];
  const chosen = endpointChoices.find(([value]) => nonEmpty(value) !== undefined);
  const upFrom = `the address \`shipmate up\` noted in ${join(local.dataDir, LOCAL_ENDPOINT_FILE)}`;
  // Read only when nothing else names an endpoint: a stale or broken note must not stop a verb that does.
  const upEndpoint = chosen || nonEmpty(local.endpoint) === undefined ? undefined : normalizeEndpoint(local.endpoint ?? '', upFrom);
  const endpoint = chosen ? normalizeEndpoint(chosen[0] ?? '', chosen[1]) : (upEndpoint ?? LOCAL_ENDPOINT);
  const endpointFrom = chosen ? chosen[1] : upEndpoint ? upFrom : `the default (${LOCAL_ENDPOINT}, what \`shipmate up\` serves)`;

  const fileEndpoint = file.endpoint === undefined ? undefined : normalizeEndpoint(file.endpoint, fileFrom);
  const tokenChoices: Array<[string | undefined, string]> = [
    [flags.apiToken, '--api-token'],
    [env.SHIPMATE_API_TOKEN, 'SHIPMATE_API_TOKEN'],
    [env.KEPTN_API_TOKEN, 'KEPTN_API_TOKEN'],
    [fileEndpoint === undefined || fileEndpoint === endpoint ? file.apiToken : undefined, fileFrom],
    [isLocalEndpoint(endpoint) || endpoint === upEndpoint ? local.token : undefined, `the token \`shipmate up\` keeps in ${local.dataDir}`],
  ];
  const token = tokenChoices.find(([value]) => nonEmpty(value) !== undefined);
  if (token === undefined) {
    throw new ConfigError(
      `no API token for ${endpoint}: run \`shipmate auth --endpoint ${endpoint} --api-token TOKEN\` once, or give --api-token or SHIPMATE_API_TOKEN`,
    );
  }
  return Object.freeze({ endpoint, token: nonEmpty(token[0]) ?? '', endpointFrom, tokenFrom: token[1] });
}

/**
 * Resolves the connection of a verb from its flags, the environment, the config file and `shipmate
 * up`'s data dir. The files are read only when flags and environment leave something open, so a
 * broken config file does not stop a command that names both.
 */
export function loadConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Connection {
  const path = cliConfigPath(env);
  const dataDir = resolve(env.SHIPMATE_DATA_DIR || '.shipmate');
  const given = (...values: Array<string | undefined>) => values.some((value) => nonEmpty(value) !== undefined);
  const complete =
    given(flags.endpoint, env.SHIPMATE_ENDPOINT, env.KEPTN_ENDPOINT) && given(flags.apiToken, env.SHIPMATE_API_TOKEN, env.KEPTN_API_TOKEN);
  return resolveConnection({
    flags,
    env,
    file: complete ? { path } : { ...readCliConfig(path), path },
    local: {
      dataDir,
      token: complete ? undefined : readLocalApiToken(dataDir),
      endpoint: given(flags.endpoint, env.SHIPMATE_ENDPOINT, env.KEPTN_ENDPOINT) ? undefined : readLocalEndpoint(dataDir),
    },
  });
}
