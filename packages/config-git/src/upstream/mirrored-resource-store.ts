/**
 * A {@link ResourceStore} that keeps a project's upstream in step: before a write, and before a read
 * at a branch tip, the upstream's new commits are pulled (bounded wait; skipped while the upstream
 * is failing); after a write, a push is scheduled. Reads at a given commit and the orchestrator's
 * calls (`latestCommit`, `readShipyard`) never touch the network: the server pulls before a
 * sequence starts, outside the orchestrator's step (see `pull`).
 */
import type { ConfigUpstream, ResourceStore } from '@shipmate/core';

/** Wraps `store` so that its projects follow their upstreams. */
export function withUpstream(store: ResourceStore, upstream: ConfigUpstream): ResourceStore {
  async function written<T>(project: string, write: () => Promise<T>): Promise<T> {
    await upstream.pull(project);
    const result = await write();
    upstream.pushSoon(project);
    return result;
  }
  async function pulledUnlessPinned(project: string, commit: string | undefined): Promise<void> {
    if (commit === undefined) await upstream.pull(project);
  }

  return {
    hasProject: (project) => store.hasProject(project),
    latestCommit: (project, stage) => store.latestCommit(project, stage),
    readShipyard: (project, commit) => store.readShipyard(project, commit),
    createProject: (project, shipyardYaml) => store.createProject(project, shipyardYaml),
    async deleteProject(project) {
      await upstream.forget(project);
      await store.deleteProject(project);
    },
    createStage: (project, stage) => written(project, () => store.createStage(project, stage)),
    createService: (project, stage, service) => written(project, () => store.createService(project, stage, service)),
    deleteService: (project, stage, service) => written(project, () => store.deleteService(project, stage, service)),
    putResources: (level, files) => written(level.project, () => store.putResources(level, files)),
    deleteResource: (level, uri) => written(level.project, () => store.deleteResource(level, uri)),
    async listResources(level, commit) {
      await pulledUnlessPinned(level.project, commit);
      return store.listResources(level, commit);
    },
    async getResource(level, uri, commit) {
      await pulledUnlessPinned(level.project, commit);
      return store.getResource(level, uri, commit);
    },
  };
}
