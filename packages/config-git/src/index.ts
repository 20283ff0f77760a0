export {
  createGitResourceStore,
  COMMIT_MESSAGES,
  DEFAULT_BRANCH,
  DEFAULT_SHIPYARD_CACHE_SIZE,
  METADATA_FILE,
  SHIPYARD_FILE,
} from './git-resource-store.js';
export type { GitResourceStoreOptions } from './git-resource-store.js';
export { createGitRunner, gitEnvironment, requireGit, GitCommandError, KEPTN_AUTHOR } from './git-runner.js';
export type { GitAuthor, GitCall, GitRunner, GitRunnerOptions } from './git-runner.js';
export type { GitResourceStore } from './git-resource-store.js';
export { createUpstreamMirror } from './upstream/upstream-mirror.js';
export type { UpstreamMirror, UpstreamMirrorOptions } from './upstream/upstream-mirror.js';
export { withUpstream } from './upstream/mirrored-resource-store.js';
export { CONFLICT_PREFIX } from './upstream/upstream-remote.js';
