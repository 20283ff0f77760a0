/**
 * Options of `shipmate demo`: which version of the sample service, whether a person approves the
 * release to production, and the project's name. The control plane and token are every verb's
 * (verbs/connection.ts: flags, SHIPMATE_* or KEPTN_* variables, `shipmate auth`'s config file, else
 * the local control plane `shipmate up` runs with the token it keeps in its data dir).
 */
import { ConfigError } from '../config/config-error.js';
import type { ConnectionFlags } from '../verbs/connection.js';

/** Flags of `shipmate demo` (strings as commander gives them). */
export interface DemoFlags extends ConnectionFlags {
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
  readonly version: DemoVersion;
  readonly manualApproval: boolean;
  readonly project: string;
}

/** Resolves the options; a bad value is a ConfigError naming the fix. */
export function resolveDemoOptions(flags: DemoFlags): DemoOptions {
  const version = flags.version ?? 'fast';
  if (!(DEMO_VERSIONS as readonly string[]).includes(version)) {
    throw new ConfigError(`--version '${version}' is not valid: give ${DEMO_VERSIONS.join(' or ')}`);
  }
  const project = flags.project ?? 'shipmate-demo';
  if (!/^[a-z][a-z0-9-]{0,49}$/.test(project))
    throw new ConfigError(`--project '${project}' is not a valid project name: lower-case letters, digits and -, starting with a letter`);
  return Object.freeze({ version: version as DemoVersion, manualApproval: flags.manualApproval === true, project });
}
