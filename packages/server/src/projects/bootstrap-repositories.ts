/**
 * Gives projects created before the configuration repositories existed (shipyard versions in the
 * store only) their repository: the stored shipyard on `master`, a branch per stage and the
 * services' folders. Runs once at start, before the orchestrator resumes.
 */
import type { ControlPlaneStore, ResourceStore } from '@shipmate/core';
import { gitProjectConfig } from './project-config.js';

/** Creates the missing repositories; returns the names of the projects that got one. */
export async function bootstrapRepositories(store: ControlPlaneStore, resources: ResourceStore): Promise<string[]> {
  const config = gitProjectConfig(resources);
  const created: string[] = [];
  for (const project of await store.listProjects()) {
    if (await resources.hasProject(project.name)) continue;
    const commit = await config.createProject(project.name, project.shipyard, project.stages);
    const services = new Set((await store.listServices(project.name)).map((service) => service.name));
    for (const service of services) await config.createService(project.name, project.stages, service);
    await store.updateProject({ ...project, shipyardCommit: commit });
    created.push(project.name);
  }
  return created;
}
