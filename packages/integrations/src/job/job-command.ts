/**
 * How a job task's container spec becomes a command on a plain host. Pure: no I/O.
 *
 * - Environment: only the variables the plane passes on (`base`, e.g. PATH and HOME; never the
 *   plane's token), then the task's `env` in order, then what JES always set: `KEPTN_PROJECT`,
 *   `KEPTN_STAGE`, `KEPTN_SERVICE` and `LABELS_<KEY>` per label (upper case, `-` and space → `_`).
 * - `$(VAR)` in `cmd` and `args` expands to the task's variable as Kubernetes does (`$$(VAR)` is a
 *   literal `$(VAR)`; an unknown name stays as written).
 * - JES mounted the files at `/keptn`: `/keptn` and `/keptn/…` in `cmd`, `args` and `workingDir`
 *   are the task's working directory here. A relative `workingDir` is below it; another absolute
 *   one is used as written.
 */
import { isAbsolute, join } from 'node:path';
import type { EventData } from '@shipmate/core';

/** Where JES mounted the job's files in its container. */
export const JES_MOUNT = '/keptn';

/** The environment of a task (see the module comment). */
export function jobEnvironment(
  base: Readonly<Record<string, string>>,
  entries: ReadonlyArray<readonly [string, string]>,
  data: EventData,
): Record<string, string> {
  const env: Record<string, string> = { ...base };
  for (const [name, value] of entries) env[name] = value;
  env.KEPTN_PROJECT = data.project ?? '';
  env.KEPTN_STAGE = data.stage ?? '';
  env.KEPTN_SERVICE = data.service ?? '';
  const labels = data.labels !== null && typeof data.labels === 'object' ? data.labels : {};
  for (const [key, value] of Object.entries(labels)) env[`LABELS_${key.replace(/[- ]/g, '_').toUpperCase()}`] = String(value);
  return env;
}

/** `$(VAR)` expanded from `env` as Kubernetes expands a container's command and args. */
export function expandReferences(word: string, env: Readonly<Record<string, string>>): string {
  return word.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string | undefined) => {
    if (name === undefined) return '$';
    return Object.hasOwn(env, name) ? env[name]! : whole;
  });
}

/** `word` with a leading `/keptn` (JES's mount) replaced by `workDir`. */
export function mapMountPath(word: string, workDir: string): string {
  if (word === JES_MOUNT) return workDir;
  return word.startsWith(`${JES_MOUNT}/`) ? join(workDir, word.slice(JES_MOUNT.length + 1)) : word;
}

/** The directory the command runs in (see the module comment). */
export function resolveWorkingDir(workingDir: string | undefined, workDir: string): string {
  if (workingDir === undefined) return workDir;
  const mapped = mapMountPath(workingDir, workDir);
  return isAbsolute(mapped) ? mapped : join(workDir, mapped);
}

/** The program and its arguments: `cmd` then `args`, references expanded, `/keptn` mapped. */
export function commandLine(
  cmd: readonly string[],
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  workDir: string,
): { command: string; args: string[] } {
  const words = [...cmd, ...args].map((word) => mapMountPath(expandReferences(word, env), workDir));
  return { command: words[0] ?? '', args: words.slice(1) };
}
