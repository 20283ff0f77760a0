import type { ConfigurationSource } from './configuration-source.js';

/**
 * A level of a project's configuration, as in Keptn's resource service: the project (default
 * branch), a stage (its branch), or a service of a stage (a folder on the stage's branch).
 */
export interface ResourceLevel {
  readonly project: string;
  readonly stage?: string;
  readonly service?: string;
}

/** A file to write: a checked relative URI and its decoded bytes. */
export interface ResourceFile {
  readonly uri: string;
  readonly content: Buffer;
}

/** The URIs of a level at one commit. */
export interface ResourceListing {
  /** Commit the listing was read from. */
  readonly commit: string;
  /** URIs relative to the level, sorted. */
  readonly uris: string[];
}

/** One file read at a commit. */
export interface ResourceContent {
  /** Commit the file was read from. */
  readonly commit: string;
  readonly content: Buffer;
}

/**
 * The configuration repositories of all projects (Keptn's resource service): one repository per
 * project, a branch per stage, a folder per service. It is also the {@link ConfigurationSource}
 * the orchestrator reads shipyards through: `latestCommit` is the tip of the stage's branch.
 *
 * Reads and writes of an unknown project, stage or service throw `NotFoundError`
 * (`ERR_PROJECT_NOT_FOUND`, `ERR_STAGE_NOT_FOUND`, `ERR_SERVICE_NOT_FOUND`); a missing file
 * `ERR_RESOURCE_NOT_FOUND`; an unknown commit `ERR_COMMIT_NOT_FOUND`. URIs reach the store
 * already checked (`checkResourceUri`). Writes return the new commit id.
 */
export interface ResourceStore extends ConfigurationSource {
  /** Creates the project's repository with `shipyard.yaml` and `metadata.yaml` on the default branch; throws ConflictError if it exists. */
  createProject(project: string, shipyardYaml: string): Promise<string>;
  /** Removes the project's repository; no-op when it does not exist. */
  deleteProject(project: string): Promise<void>;
  /** Whether the project's repository exists. */
  hasProject(project: string): Promise<boolean>;
  /** Creates the stage's branch from the default branch; returns its tip. */
  createStage(project: string, stage: string): Promise<string>;
  /** Creates `<service>/metadata.yaml` on the stage's branch. */
  createService(project: string, stage: string, service: string): Promise<string>;
  /** Removes the service's folder from the stage's branch; no-op when it is not there. */
  deleteService(project: string, stage: string, service: string): Promise<void>;
  /** The files of a level at `commit` (default: the tip of its branch). */
  listResources(level: ResourceLevel, commit?: string): Promise<ResourceListing>;
  /** One file of a level at `commit` (default: the tip of its branch). */
  getResource(level: ResourceLevel, uri: string, commit?: string): Promise<ResourceContent>;
  /**
   * Writes files at a level in one commit. `shipyard.yaml` written at the project level is also
   * committed to every stage branch, so new sequences of every stage read it.
   */
  putResources(level: ResourceLevel, files: readonly ResourceFile[]): Promise<string>;
  /** Deletes one file of a level in one commit; throws `ERR_RESOURCE_NOT_FOUND` when it is not there. */
  deleteResource(level: ResourceLevel, uri: string): Promise<string>;
}
