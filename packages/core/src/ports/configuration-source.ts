/**
 * Where the orchestrator reads project configuration. The embedded adapter keeps shipyard
 * versions in the store; the git-backed store of a later issue implements the same port
 * (commit ids instead of content hashes).
 */
export interface ConfigurationSource {
  /** Version (commit) a new sequence in this stage pins. */
  latestCommit(project: string, stage: string): Promise<string | undefined>;
  /** The shipyard YAML at a version, or undefined if that version is unknown. */
  readShipyard(project: string, commit: string): Promise<string | undefined>;
}
