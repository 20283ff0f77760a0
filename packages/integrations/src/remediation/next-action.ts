/**
 * Which remediation action comes next, by Keptn's rule (`remediation-service`, GetNextAction):
 * the first `problemType` equal to the problem's root cause, else the first equal to its title,
 * else the `default` entry; Keptn before 0.7 spelled the catch-all `*`, which is still taken
 * after `default`. The n-th run of the remediation in one keptn context takes the n-th action of
 * that entry; none left ends the remediation. Pure: no I/O.
 */
import { isPlainObject } from '@shipmate/core';
import type { ProblemRemediation, Remediation, RemediationAction } from './parse-remediation.js';
import { REMEDIATION_FILE } from './parse-remediation.js';

/** The catch-all problem types, in the order they are tried. */
export const DEFAULT_PROBLEM_TYPES = ['default', '*'] as const;

/** The parts of `data.problem` the choice reads (Keptn's `ProblemDetails`). */
export interface ProblemDetails {
  readonly problemTitle: string;
  readonly rootCause: string;
}

/** How the problem type was matched. */
export const MatchedBy = { rootCause: 'root cause', problemTitle: 'problem title', default: 'default' } as const;
/** One of {@link MatchedBy}. */
export type MatchedBy = (typeof MatchedBy)[keyof typeof MatchedBy];

/** What to do for this run of the remediation. */
export type NextAction =
  | {
      readonly kind: 'action';
      readonly action: RemediationAction;
      /** 0-based index of the action in its entry. */
      readonly index: number;
      /** How many actions the entry has. */
      readonly of: number;
      readonly problemType: string;
      readonly matchedBy: MatchedBy;
    }
  /** No entry matches and there is no `default` entry. */
  | { readonly kind: 'unmatched'; readonly message: string }
  /** The entry matched but every action was already taken. */
  | { readonly kind: 'exhausted'; readonly problemType: string; readonly matchedBy: MatchedBy; readonly message: string };

/** Reads `data.problem` leniently: Keptn decoded missing or mistyped fields as empty strings. */
export function problemDetailsOf(data: Record<string, unknown>): ProblemDetails {
  const problem = isPlainObject(data.problem) ? data.problem : {};
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  return { problemTitle: text(problem.problemTitle), rootCause: text(problem.rootCause) };
}

/** The problem as Keptn's messages describe it. */
export function describeProblem(problem: ProblemDetails): string {
  if (problem.rootCause !== '') return `root cause '${problem.rootCause}'`;
  if (problem.problemTitle !== '') return `problem title '${problem.problemTitle}'`;
  return 'a problem without root cause or title';
}

function find(remediation: Remediation, problemType: string): ProblemRemediation | undefined {
  return problemType === '' ? undefined : remediation.remediations.find((r) => r.problemType === problemType);
}

function match(remediation: Remediation, problem: ProblemDetails): { entry: ProblemRemediation; matchedBy: MatchedBy } | undefined {
  const byRootCause = find(remediation, problem.rootCause);
  if (byRootCause) return { entry: byRootCause, matchedBy: MatchedBy.rootCause };
  const byTitle = find(remediation, problem.problemTitle);
  if (byTitle) return { entry: byTitle, matchedBy: MatchedBy.problemTitle };
  for (const problemType of DEFAULT_PROBLEM_TYPES) {
    const fallback = find(remediation, problemType);
    if (fallback) return { entry: fallback, matchedBy: MatchedBy.default };
  }
  return undefined;
}

/** The action for the `index`-th run (0-based) of the remediation of `problem`. */
export function nextAction(remediation: Remediation, problem: ProblemDetails, index: number): NextAction {
  const found = match(remediation, problem);
  if (!found) {
    const types = remediation.remediations.map((r) => `'${r.problemType}'`).join(', ') || 'none';
    const wanted = [problem.problemTitle, problem.rootCause].find((t) => t !== '') ?? 'default';
    return {
      kind: 'unmatched',
      message:
        `${REMEDIATION_FILE} has no remediation for ${describeProblem(problem)} and no 'default' entry (problem types: ${types}); ` +
        `add '- problemType: ${wanted}' (or 'default' for any problem) with its actionsOnOpen`,
    };
  }
  const { entry, matchedBy } = found;
  const action = entry.actionsOnOpen[index];
  if (action === undefined) {
    const tried = entry.actionsOnOpen.map((a) => a.name || a.action).join(', ');
    const count = entry.actionsOnOpen.length;
    const has =
      count === 0 ? 'has no actions' : `has ${count} action${count === 1 ? '' : 's'} (${tried}), all already taken in this remediation`;
    return {
      kind: 'exhausted',
      problemType: entry.problemType,
      matchedBy,
      message:
        `no remediation action left for ${describeProblem(problem)}: problemType '${entry.problemType}' in ${REMEDIATION_FILE} ${has}; ` +
        'the remediation ends here (add actions to its actionsOnOpen to try more)',
    };
  }
  return { kind: 'action', action, index, of: entry.actionsOnOpen.length, problemType: entry.problemType, matchedBy };
}
