/**
 * Where the project service writes a project's configuration: the git repositories (a
 * `ResourceStore`, the server's default) or, without one, shipyard versions in the control-plane
 * store (content hashes as commit ids; no resource API).
 */
import { contentVersion } from '@shipmate/core';
import type { ControlPlaneStore, ResourceStore } from '@shipmate/core';

/** Configuration writes of the project lifecycle; each returns after the write is durable. */
export interface ProjectConfigWriter {
  /** Creates the project's configuration with its stages; returns the version of the shipyard. */
  createProject(project: string, shipyardYaml: string, stages: readonly string[]): Promise<string>;
  /** Writes a new shipyard (every stage sees it); returns its version. */
  updateShipyard(project: string, shipyardYaml: string): Promise<string>;
  /** Removes the project's configuration (idempotent). */
  deleteProject(project: string): Promise<void>;
  /** Creates the service in each stage. */
  createService(project: string, stages: readonly string[], service: string): Promise<void>;
  /** Removes the service from each stage (idempotent). */
  deleteService(project: string, stages: readonly string[], service: string): Promise<void>;
}

/** Writes into the git repositories: repository, stage branches and service folders, as Keptn's resource service. */
export function gitProjectConfig(resources: ResourceStore): ProjectConfigWriter {
  return {
    async createProject(project, shipyardYaml, stages) {
      // A repository left without a project (a crash between the two writes) is replaced.
      await resources.deleteProject(project);
      try {
        const commit = await resources.createProject(project, shipyardYaml);
        for (const stage of stages) await resources.createStage(project, stage);
        return commit;
      } catch (error) {
        await resources.deleteProject(project);
        throw error;
      }
    },
    async updateShipyard(project, shipyardYaml) {
      return resources.putResources({ project }, [{ uri: 'shipyard.yaml', content: Buffer.from(shipyardYaml, 'utf8') }]);
    },
    async deleteProject(project) {
      await resources.deleteProject(project);
    },
    async createService(project, stages, service) {
      for (const stage of stages) await resources.createService(project, stage, service);
    },
    async deleteService(project, stages, service) {
      for (const stage of stages) await resources.deleteService(project, stage, service);
    },
  };
}

/** Keeps shipyard versions in the control-plane store (embedded use without git; tests). */
export function storeProjectConfig(store: ControlPlaneStore): ProjectConfigWriter {
  async function putShipyard(project: string, shipyardYaml: string): Promise<string> {
    const version = contentVersion(shipyardYaml);
    await store.putShipyardVersion(project, version, shipyardYaml);
    return version;
  }
  return {
    createProject: (project, shipyardYaml) => putShipyard(project, shipyardYaml),
    updateShipyard: putShipyard,
    async deleteProject() {},
    async createService() {},
    async deleteService() {},
  };
}
