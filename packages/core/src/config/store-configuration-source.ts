import type { ConfigurationSource } from '../ports/configuration-source.js';
import type { ControlPlaneStore } from '../ports/store.js';

/** Configuration source backed by the control-plane store (embedded mode, no git). */
export function createStoreConfigurationSource(store: ControlPlaneStore): ConfigurationSource {
  return {
    async latestCommit(project) {
      return (await store.getProject(project))?.shipyardCommit;
    },
    async readShipyard(project, commit) {
      return store.getShipyardVersion(project, commit);
    },
  };
}
