/**
 * The deployment-service's settings from the environment (only apps read it): SHIPMATE_DEPLOY_DIR
 * (the plane's deploy dir, where `workingDir` of `deployment/process.yaml` is resolved and the
 * runtime keeps its state and logs; default `.shipmate-plane/deployments` under the working
 * directory) and SHIPMATE_PUBLIC_HOST (the host of `deploymentURIsPublic`; default the machine's
 * hostname). Deployed versions inherit only PATH, HOME, USER, LANG, LC_ALL, TZ and TMPDIR of this
 * process, never its tokens.
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { stderrLogger } from '@shipmate/agent-sdk';
import type { ProcessRuntimeOptions } from '@shipmate/integrations';
import { ConfigError } from '../config/config-error.js';

/** The deploy dir when SHIPMATE_DEPLOY_DIR is not set, relative to the working directory. */
export const DEFAULT_DEPLOY_DIR = '.shipmate-plane/deployments';

const INHERITED = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'];
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** The process runtime's options from `env`; relative paths are resolved against `cwd`. */
export function deploymentOptionsFromEnv(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): ProcessRuntimeOptions {
  const dir = env.SHIPMATE_DEPLOY_DIR?.trim();
  const options: ProcessRuntimeOptions = {
    deployDir: resolve(cwd, dir ? dir : DEFAULT_DEPLOY_DIR),
    childEnv: Object.fromEntries(INHERITED.flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]]]))),
    logger: stderrLogger('deployment-service'),
  };
  const host = env.SHIPMATE_PUBLIC_HOST?.trim();
  if (host) {
    const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    if (!HOST_NAME.test(host) && isIP(bare) === 0)
      throw new ConfigError(
        `SHIPMATE_PUBLIC_HOST='${host}' is not a host name or address: give the host only, without scheme or port (the runtime adds each service's port), e.g. SHIPMATE_PUBLIC_HOST=plane.example.com`,
      );
    options.publicHost = isIP(bare) === 6 ? `[${bare}]` : host;
  }
  return options;
}
