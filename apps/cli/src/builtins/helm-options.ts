/**
 * The Helm runtime's settings from the environment (only apps read it): SHIPMATE_HELM_BINARY (the
 * helm 3 binary, default `helm` on PATH), KUBECONFIG (the plane's cluster; a single file is passed
 * as `--kubeconfig`, a list is left to helm, which reads the variable itself; unset: helm's
 * `~/.kube/config`) and SHIPMATE_HELM_DRY_RUN (render with `helm template`, apply nothing).
 * The deployment integration (`helm-service`) is wired with these at merge.
 */
import { delimiter } from 'node:path';
import { createHelmRuntime } from '@shipmate/integrations';
import type { HelmRuntimeOptions } from '@shipmate/integrations';
import { booleanValue } from '../config/env-values.js';

/** The Helm runtime options `env` asks for. */
export function helmRuntimeOptionsFromEnv(env: NodeJS.ProcessEnv): HelmRuntimeOptions {
  const options: HelmRuntimeOptions = {
    helmBinary: env.SHIPMATE_HELM_BINARY === undefined || env.SHIPMATE_HELM_BINARY.trim() === '' ? 'helm' : env.SHIPMATE_HELM_BINARY.trim(),
    dryRun: booleanValue(env.SHIPMATE_HELM_DRY_RUN, false, 'SHIPMATE_HELM_DRY_RUN'),
  };
  const kubeconfig = env.KUBECONFIG?.trim();
  if (kubeconfig !== undefined && kubeconfig !== '' && !kubeconfig.includes(delimiter)) options.kubeconfig = kubeconfig;
  return options;
}

/** The Helm runtime configured from `env`. */
export const helmRuntimeFromEnv = (env: NodeJS.ProcessEnv): ReturnType<typeof createHelmRuntime> =>
  createHelmRuntime(helmRuntimeOptionsFromEnv(env));
