/**
 * Parses Keptn's `remediation.yaml` (`apiVersion: spec.keptn.sh/0.1.4`, `kind: Remediation`) into
 * a typed {@link Remediation}. Pure: no I/O.
 *
 * Keptn's remediation-service checked only `apiVersion` and let Go's YAML decoder drop anything
 * else it could not read, so a typo (`actionOnOpen`, a list where a mapping belongs) surfaced
 * later as "unable to find action". This parser fails closed instead: {@link RemediationParseError}
 * names the line, the field and the fix. Unknown keys are ignored, as Keptn did.
 */
import { ErrorCode } from '@shipmate/core';
import { isMap, isScalar, isSeq } from 'yaml';
import { ConfigFileError } from '../config-file/config-file-error.js';
import { fieldNode, parseLocatedYaml } from '../config-file/parse-located-yaml.js';
import type { Node } from 'yaml';

/** The only `apiVersion` Keptn's remediation-service accepted. */
export const REMEDIATION_API_VERSION = 'spec.keptn.sh/0.1.4';
/** The `kind` of a remediation file. */
export const REMEDIATION_KIND = 'Remediation';
/** The file name the remediation-service reads (service level). */
export const REMEDIATION_FILE = 'remediation.yaml';

/** One remediation action (Keptn's `ActionInfo`): what `get-action.finished` hands to the `action` task. */
export interface RemediationAction {
  /** Display name; empty when absent. */
  readonly name: string;
  /** What an action provider acts on, e.g. `scaling` or `toggle-feature`. */
  readonly action: string;
  /** Empty when absent. */
  readonly description: string;
  /** Any YAML value (a number, a string, a mapping), passed through as is; absent when not written. */
  readonly value?: unknown;
}

/** The actions for one problem type, tried in order. */
export interface ProblemRemediation {
  /** Matched against the problem's root cause, then its title; `default` (or Keptn 0.6's `*`) matches any problem. */
  readonly problemType: string;
  readonly actionsOnOpen: readonly RemediationAction[];
}

/** A parsed `remediation.yaml`. */
export interface Remediation {
  /** `metadata.name`; empty when absent. */
  readonly name: string;
  /** In file order: the first entry with a matching problem type wins. */
  readonly remediations: readonly ProblemRemediation[];
}

/** A `remediation.yaml` that cannot be used; the remediation-service fails `get-action` with this message. */
export class RemediationParseError extends ConfigFileError {
  constructor(line: number | undefined, reason: string) {
    super(ErrorCode.invalidRemediation, REMEDIATION_FILE, line, reason);
  }
}

const EXAMPLE = `e.g. '- problemType: Response time degradation' with 'actionsOnOpen: [{action: scaling, name: scaling, value: 1}]'`;

/** Parses `remediation.yaml` text; throws {@link RemediationParseError} naming the line, the field and the fix. */
export function parseRemediation(text: string): Remediation {
  const { doc, lineOf } = parseLocatedYaml(text, (line, reason) => new RemediationParseError(line, reason));
  const fail = (node: Node | null | undefined, reason: string): never => {
    throw new RemediationParseError(lineOf(node), reason);
  };
  const root = doc.contents;
  // Plain values (aliases resolved) for the free-form `value` of each action.
  const plain = doc.toJS() as { spec?: { remediations?: Array<{ actionsOnOpen?: Array<{ value?: unknown }> }> } } | null;
  if (!isMap(root))
    return fail(
      root,
      `the document must be a mapping with apiVersion: ${REMEDIATION_API_VERSION}, kind: ${REMEDIATION_KIND} and spec.remediations`,
    );

  const get = fieldNode;
  const str = (n: Node | undefined, what: string): string | undefined => {
    if (n === undefined) return undefined;
    if (isScalar(n) && (typeof n.value === 'string' || typeof n.value === 'number' || typeof n.value === 'boolean')) return String(n.value);
    return fail(n, `${what} must be a string`);
  };

  const apiVersion = str(get(root, 'apiVersion'), 'apiVersion');
  if (apiVersion !== REMEDIATION_API_VERSION) {
    const shown = apiVersion === undefined ? 'is missing' : `'${apiVersion}' is not supported`;
    return fail(
      get(root, 'apiVersion') ?? root,
      `apiVersion ${shown}; write 'apiVersion: ${REMEDIATION_API_VERSION}' (Keptn's remediation spec)`,
    );
  }
  const kind = str(get(root, 'kind'), 'kind');
  if (kind !== REMEDIATION_KIND) {
    const shown = kind === undefined ? 'is missing' : `'${kind}' is not ${REMEDIATION_KIND}`;
    return fail(get(root, 'kind') ?? root, `kind ${shown}; write 'kind: ${REMEDIATION_KIND}'`);
  }

  let name = '';
  const metadata = get(root, 'metadata');
  if (metadata !== undefined) {
    if (!isMap(metadata)) return fail(metadata, 'metadata must be a mapping such as {name: carts-remediation}');
    name = str(get(metadata, 'name'), 'metadata.name') ?? '';
  }

  const spec = get(root, 'spec');
  if (spec === undefined) return fail(root, `spec is missing; add 'spec:' with a 'remediations:' list, ${EXAMPLE}`);
  if (!isMap(spec)) return fail(spec, `spec must be a mapping with a 'remediations:' list`);
  const list = get(spec, 'remediations');
  if (list === undefined) return fail(spec, `spec.remediations is missing; add a list of problem types with their actions, ${EXAMPLE}`);
  if (!isSeq(list)) return fail(list, `spec.remediations must be a list of {problemType, actionsOnOpen}, ${EXAMPLE}`);

  const remediations = list.items.map((item, i): ProblemRemediation => {
    const entry = item as Node;
    const at = `spec.remediations[${i}]`;
    if (!isMap(entry)) return fail(entry, `${at} must be a mapping with problemType and actionsOnOpen`);
    const problemType = str(get(entry, 'problemType'), `${at}.problemType`);
    if (problemType === undefined || problemType === '')
      return fail(entry, `${at}.problemType is missing; name the problem title or root cause it handles, or 'default' for any problem`);
    const where = `${at} (problemType '${problemType}')`;
    const actionsNode = get(entry, 'actionsOnOpen');
    if (actionsNode === undefined)
      return fail(entry, `${where} has no actionsOnOpen; add the list of actions to try in order, e.g. '- action: scaling'`);
    if (!isSeq(actionsNode)) return fail(actionsNode, `${where}.actionsOnOpen must be a list of {action, name, description, value}`);
    const actionsOnOpen = actionsNode.items.map((actionItem, j): RemediationAction => {
      const node = actionItem as Node;
      const what = `${where}.actionsOnOpen[${j}]`;
      if (!isMap(node)) return fail(node, `${what} must be a mapping with at least 'action'`);
      const action = str(get(node, 'action'), `${what}.action`);
      if (action === undefined || action === '')
        return fail(node, `${what}.action is missing; name what the action provider does, e.g. 'action: scaling'`);
      const value = get(node, 'value') === undefined ? undefined : plain?.spec?.remediations?.[i]?.actionsOnOpen?.[j]?.value;
      return {
        name: str(get(node, 'name'), `${what}.name`) ?? '',
        action,
        description: str(get(node, 'description'), `${what}.description`) ?? '',
        ...(value === undefined ? {} : { value }),
      };
    });
    return { problemType, actionsOnOpen };
  });
  return { name, remediations };
}
