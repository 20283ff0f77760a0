import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { helmRuntimeFromEnv, helmRuntimeOptionsFromEnv } from './helm-options.js';

describe('helmRuntimeOptionsFromEnv', () => {
  it.each<[string, NodeJS.ProcessEnv, ReturnType<typeof helmRuntimeOptionsFromEnv>]>([
    ['defaults: helm on PATH, helm’s own kubeconfig rules, applied for real', {}, { helmBinary: 'helm', dryRun: false }],
    [
      'a binary, a kubeconfig file and a dry run',
      { SHIPMATE_HELM_BINARY: '/opt/helm/helm', KUBECONFIG: '/etc/shipmate/kubeconfig', SHIPMATE_HELM_DRY_RUN: 'true' },
      { helmBinary: '/opt/helm/helm', kubeconfig: '/etc/shipmate/kubeconfig', dryRun: true },
    ],
    [
      'a KUBECONFIG list is left to helm, which merges it itself',
      { KUBECONFIG: '/a/config:/b/config' },
      { helmBinary: 'helm', dryRun: false },
    ],
    [
      'empty values count as unset',
      { SHIPMATE_HELM_BINARY: ' ', KUBECONFIG: '', SHIPMATE_HELM_DRY_RUN: '' },
      { helmBinary: 'helm', dryRun: false },
    ],
    ["Go's boolean spellings", { SHIPMATE_HELM_DRY_RUN: '1' }, { helmBinary: 'helm', dryRun: true }],
  ])('%s', (_name, env, options) => {
    expect(helmRuntimeOptionsFromEnv(env)).toEqual(options);
  });

  it('refuses a dry-run value that is not a boolean, naming the variable', () => {
    expect(() => helmRuntimeOptionsFromEnv({ SHIPMATE_HELM_DRY_RUN: 'yes please' })).toThrow(ConfigError);
    expect(() => helmRuntimeOptionsFromEnv({ SHIPMATE_HELM_DRY_RUN: 'yes please' })).toThrow(
      "SHIPMATE_HELM_DRY_RUN='yes please' is not valid: give true or false",
    );
  });

  it('builds the runtime registered as helm-service', () => {
    expect(helmRuntimeFromEnv({ SHIPMATE_HELM_DRY_RUN: 'true' }).integrationName).toBe('helm-service');
  });
});
