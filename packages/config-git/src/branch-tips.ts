/**
 * Where the git resource store takes its branch tips from, in its two modes:
 *
 * - **one process** ({@link memoryBranchTips}): loaded from git once per project, then kept up to
 *   date by the writes, which all go through this process; a read runs no git command and touches no file.
 * - **several processes on one folder** ({@link sharedBranchTips}): another replica may have moved
 *   a branch a microsecond ago, so a read takes the tip from the ref file (see `ref-files.ts`), and a
 *   write, which holds the project's lock file, loads every tip from git when it starts.
 */
import type { BareRepository } from './bare-repository.js';
import { readBranchTip } from './ref-files.js';

/** Branch tips of the project repositories. */
export interface BranchTips {
  /** The tip of `branch` for a read, or undefined when the project or branch does not exist. */
  tip(project: string, branch: string): Promise<string | undefined>;
  /**
   * Every tip of `project` for a write that holds the project's lock, or undefined for an unknown
   * project. The write records its commits in the map it gets.
   */
  forWrite(project: string): Promise<Map<string, string> | undefined>;
  /** A new project's tips. */
  created(project: string, branches: Map<string, string>): void;
  /** Drops what is known of `project` (removed, or its branches were moved by someone else). */
  forget(project: string): void;
}

/** What the tips need of the store. */
export interface TipSources {
  /** True when the project's repository is there and not being removed by this process. */
  exists(project: string): boolean;
  /** Whether this process is removing the project now (tips loaded meanwhile must not be kept). */
  removing(project: string): boolean;
  repository(project: string): BareRepository;
  repositoryDir(project: string): string;
}

/** Tips in memory: this process is the only writer. */
export function memoryBranchTips(sources: TipSources): BranchTips {
  /** project → branch → tip */
  const tips = new Map<string, Map<string, string>>();

  async function branchesOf(project: string): Promise<Map<string, string> | undefined> {
    const known = tips.get(project);
    if (known) return known;
    if (!sources.exists(project)) return undefined;
    const loaded = await sources.repository(project).branches();
    if (sources.removing(project)) return undefined;
    tips.set(project, loaded);
    return loaded;
  }

  return {
    tip: async (project, branch) => (await branchesOf(project))?.get(branch),
    forWrite: branchesOf,
    created: (project, branches) => void tips.set(project, branches),
    forget: (project) => void tips.delete(project),
  };
}

/** Tips read from the repository: other processes write it too. */
export function sharedBranchTips(sources: TipSources): BranchTips {
  return {
    tip: (project, branch) => readBranchTip(sources.repositoryDir(project), branch),
    async forWrite(project) {
      if (!sources.exists(project)) return undefined;
      return sources.repository(project).branches();
    },
    created: () => undefined,
    forget: () => undefined,
  };
}
