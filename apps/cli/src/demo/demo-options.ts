/**
 * Options of `shipmate demo`: which control plane (`--endpoint`, SHIPMATE_ENDPOINT, default the
 * local one `shipmate up` runs), which token (`--api-token`, SHIPMATE_API_TOKEN, else the one
 * `shipmate up` keeps in its data dir), which version of the sample service, and whether a person
 * approves the release to production.
 */
import { resolve } from 'node:path';
import { readLocalApiToken } from '../config/api-token.js';
import { ConfigError } from '../config/config-error.js';

/** Flags of `shipmate demo` (strings as commander gives them). */
export interface DemoFlags {
  endpoint?: string;
  apiToken?: string;
  version?: string;
  manualApproval?: boolean;
  project?: string;
}

/** The sample service's versions. */
export const DEMO_VERSIONS = ['fast', 'slow'] as const;
/** One of {@link DEMO_VERSIONS}. */
export type DemoVersion = (typeof DEMO_VERSIONS)[number];

/** Resolved options. */
export interface DemoOptions {
  /** Base URL of the control plane, without `/api`. */
  readonly endpoint: string;
  readonly token: string;
  readonly version: DemoVersion;
  readonly manualApproval: boolean;
  readonly project: string;
}

/** Resolves the options; a missing token or a bad value is a ConfigError naming the fix. */
export function resolveDemoOptions(env: NodeJS.ProcessEnv, flags: DemoFlags): DemoOptions {
  const raw = (flags.endpoint ?? env.SHIPMATE_ENDPOINT ?? 'http://127.0.0.1:8080').trim();
  let endpoint: string;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    endpoint = url.origin + url.pathname.replace(/\/+$/, '').replace(/\/api$/, '');
  } catch {
    throw new ConfigError(
      `${flags.endpoint ? '--endpoint' : 'SHIPMATE_ENDPOINT'} '${raw}' is not an http(s) URL; give e.g. http://127.0.0.1:8080`,
    );
  }
  const dataDir = resolve(env.SHIPMATE_DATA_DIR || '.shipmate');
  const token = flags.apiToken ?? env.SHIPMATE_API_TOKEN ?? readLocalApiToken(dataDir);
  if (!token) {
    throw new ConfigError(
      `no API token: give --api-token or SHIPMATE_API_TOKEN (the token \`shipmate server\` printed at its first start); \`shipmate up\` keeps its own in ${dataDir}, which has none`,
    );
  }
  const version = flags.version ?? 'fast';
  if (!(DEMO_VERSIONS as readonly string[]).includes(version)) {
    throw new ConfigError(`--version '${version}' is not valid: give ${DEMO_VERSIONS.join(' or ')}`);
  }
  const project = flags.project ?? 'shipmate-demo';
  if (!/^[a-z][a-z0-9-]{0,49}$/.test(project))
    throw new ConfigError(`--project '${project}' is not a valid project name: lower-case letters, digits and -, starting with a letter`);
  return Object.freeze({ endpoint, token, version: version as DemoVersion, manualApproval: flags.manualApproval === true, project });
}
