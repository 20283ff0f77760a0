/**
 * What the process runtime runs for one version: the command of `deployment/process.yaml` with
 * `$IMAGE` / `${IMAGE}` replaced by `configurationChange.values.image`, the working directory
 * resolved against the plane's deploy dir, and the environment the child gets. Pure: no I/O.
 */
import { isAbsolute, resolve } from 'node:path';
import { ProcessConfigError } from './parse-process-config.js';
import type { HealthCheck, ProcessConfig } from './parse-process-config.js';

/** A version to start, port aside (each start gets a fresh one in `portEnv`). */
export interface LaunchSpec {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** Without the port. */
  readonly env: Readonly<Record<string, string>>;
  readonly portEnv: string;
  readonly healthCheck: HealthCheck;
  /** The image this version is (shown in messages); undefined when the sequence named none. */
  readonly image: string | undefined;
}

/** The service and version being launched. */
export interface LaunchTarget {
  readonly project: string;
  readonly stage: string;
  readonly service: string;
  readonly image: string | undefined;
}

const IMAGE_REFERENCE = /\$\{IMAGE\}|\$IMAGE(?![A-Za-z0-9_])/g;

/**
 * The launch of `config` for `target`. `baseEnv` is what every child inherits (PATH, HOME, …);
 * the child also gets KEPTN_PROJECT, KEPTN_STAGE, KEPTN_SERVICE and IMAGE (when set), then `env`.
 * Throws a {@link ProcessConfigError} when a field uses `$IMAGE` and the sequence has no image.
 */
export function launchSpec(
  config: ProcessConfig,
  target: LaunchTarget,
  deployDir: string,
  baseEnv: Readonly<Record<string, string>>,
  where: string,
): LaunchSpec {
  const substitute = (value: string, field: string): string =>
    value.replace(IMAGE_REFERENCE, () => {
      if (target.image === undefined)
        throw new ProcessConfigError(
          where,
          undefined,
          `${field} uses $IMAGE, but the sequence has no configurationChange.values.image; trigger the delivery with ` +
            `'configurationChange: {values: {image: <version>}}' or remove $IMAGE from ${field}`,
        );
      return target.image;
    });
  const [program, ...rest] = config.command.map((word, i) => substitute(word, `command[${i}]`));
  const env: Record<string, string> = {
    ...baseEnv,
    KEPTN_PROJECT: target.project,
    KEPTN_STAGE: target.stage,
    KEPTN_SERVICE: target.service,
    ...(target.image === undefined ? {} : { IMAGE: target.image }),
  };
  for (const [name, value] of Object.entries(config.env)) env[name] = substitute(value, `env.${name}`);
  return Object.freeze({
    file: program!,
    args: Object.freeze(rest),
    cwd: isAbsolute(config.workingDir) ? config.workingDir : resolve(deployDir, config.workingDir),
    env: Object.freeze(env),
    portEnv: config.portEnv,
    healthCheck: config.healthCheck,
    image: target.image,
  });
}
