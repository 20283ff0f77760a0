/**
 * `helm/endpoints.yaml`: where a `user_managed` deployment can be reached, since the runtime cannot
 * know it (Keptn's helm-service reads the same file): `deploymentURIsLocal` and
 * `deploymentURIsPublic`, lists of URLs. Other keys are ignored, as Keptn ignores them.
 */
import type { Node } from 'yaml';
import { isMap, isSeq } from 'yaml';
import { ErrorCode, InputError } from '@shipmate/core';
import { parseLocatedYaml } from '../config-file/parse-located-yaml.js';

/** The file's URI, read at the service level. */
export const HELM_ENDPOINTS_URI = 'helm/endpoints.yaml';

/** `helm/endpoints.yaml` is not valid (`ERR_INVALID_HELM_ENDPOINTS`); the message names the line and the field. */
export class HelmEndpointsError extends InputError {
  constructor(line: number | undefined, reason: string) {
    super(ErrorCode.invalidHelmEndpoints, `${HELM_ENDPOINTS_URI}${line === undefined ? '' : ` line ${line}`}: ${reason}`);
  }
}

/** The URIs of a user-managed deployment. */
export interface UserEndpoints {
  readonly deploymentURIsLocal: readonly string[];
  readonly deploymentURIsPublic: readonly string[];
}

const FIELDS = ['deploymentURIsLocal', 'deploymentURIsPublic'] as const;

/** Parses `helm/endpoints.yaml`; an empty file has no URIs. */
export function parseUserEndpoints(text: string): UserEndpoints {
  const { doc, lineOf } = parseLocatedYaml(text, (line, reason) => new HelmEndpointsError(line, reason));
  const root = doc.contents;
  if (root === null || (root as Node | null) === undefined) return { deploymentURIsLocal: [], deploymentURIsPublic: [] };
  if (!isMap(root))
    throw new HelmEndpointsError(
      lineOf(root),
      `expected a mapping with ${FIELDS.join(' and ')}, e.g. deploymentURIsLocal: [http://carts.shop-dev:8080]`,
    );
  const result: Record<(typeof FIELDS)[number], string[]> = { deploymentURIsLocal: [], deploymentURIsPublic: [] };
  for (const name of FIELDS) {
    const node = root.get(name, true) as Node | undefined;
    if (node === undefined || (node as { value?: unknown }).value === null) continue;
    if (!isSeq(node))
      throw new HelmEndpointsError(lineOf(node), `'${name}' must be a list of URLs, e.g. ${name}: [http://carts.shop-dev:8080]`);
    for (const item of node.items) {
      const value = (item as { value?: unknown }).value;
      if (typeof value !== 'string' || value === '')
        throw new HelmEndpointsError(lineOf(item as Node), `every entry of '${name}' must be a URL string`);
      result[name].push(value);
    }
  }
  return result;
}
