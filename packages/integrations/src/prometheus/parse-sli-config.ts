/**
 * Parses Keptn's SLI file of the Prometheus provider, `prometheus/sli.yaml`: a mapping
 * `indicators` of indicator name → PromQL query (with placeholders, see `substitute-placeholders.ts`),
 * beside an optional `spec_version`. Pure: no I/O.
 *
 * Keptn's prometheus-service (`eventhandling/get_sli_event_handler.go`) unmarshals the file with
 * yaml.v2 and fails only when the merged indicators are empty ("missing required field:
 * indicators"); anything else it silently coerces. This parser fails closed with
 * {@link SliConfigError} naming the file's level and line: a query that is not a non-empty string
 * would otherwise surface as a confusing PromQL error at evaluation time.
 */
import { ErrorCode } from '@shipmate/core';
import { isMap, isScalar, isSeq } from 'yaml';
import { ConfigFileError } from '../config-file/config-file-error.js';
import { parseLocatedYaml } from '../config-file/parse-located-yaml.js';
import type { Node } from 'yaml';

/** Where the provider reads its SLI file (Keptn's `SliResourceURI`). */
export const SLI_RESOURCE_URI = 'prometheus/sli.yaml';

/** Indicator name → PromQL query, as written (placeholders not yet replaced). */
export type SliQueries = Readonly<Record<string, string>>;

/** A `prometheus/sli.yaml` that cannot be used; the provider answers `get-sli` with `errored`. */
export class SliConfigError extends ConfigFileError {
  constructor(where: string, line: number | undefined, reason: string) {
    super(ErrorCode.invalidSliConfig, where, line, reason);
  }
}

const EXAMPLE =
  'e.g. "indicators:\\n  response_time_p95: histogram_quantile(0.95, sum by(le) (rate(http_request_duration_seconds_bucket[$DURATION_SECONDS])))"';

function kindOf(node: Node | null | undefined): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    if (node.value === null) return 'nothing';
    return `a ${typeof node.value}`;
  }
  return 'an alias';
}

/**
 * Parses the text of one `prometheus/sli.yaml`; `where` names it in messages (e.g.
 * `prometheus/sli.yaml (service level)`). Throws {@link SliConfigError}.
 */
export function parseSliConfig(text: string, where: string = SLI_RESOURCE_URI): SliQueries {
  const { doc, lineOf } = parseLocatedYaml(text, (line, reason) => new SliConfigError(where, line, reason));
  const root = doc.contents;
  if (!isMap(root)) {
    throw new SliConfigError(
      where,
      lineOf(root),
      `the file must be a mapping with an 'indicators' mapping (it is ${kindOf(root)}); ${EXAMPLE}`,
    );
  }
  const indicators = root.get('indicators', true) as Node | null | undefined;
  if (indicators === undefined || indicators === null || (isScalar(indicators) && indicators.value === null)) {
    throw new SliConfigError(where, lineOf(indicators ?? root), `missing required field 'indicators'; ${EXAMPLE}`);
  }
  if (!isMap(indicators)) {
    throw new SliConfigError(
      where,
      lineOf(indicators),
      `'indicators' must be a mapping of indicator name to PromQL query, not ${kindOf(indicators)}`,
    );
  }
  const queries: Record<string, string> = {};
  for (const pair of indicators.items) {
    const key = pair.key as Node | null;
    if (!isScalar(key) || (typeof key.value !== 'string' && typeof key.value !== 'number')) {
      throw new SliConfigError(where, lineOf(key), `an indicator name must be a string, not ${kindOf(key)}`);
    }
    const name = String(key.value);
    const value = pair.value as Node | null;
    if (!isScalar(value) || typeof value.value !== 'string') {
      const hint = isScalar(value) && value.value !== null ? ' (quote it if you mean it as PromQL)' : '';
      throw new SliConfigError(
        where,
        lineOf(value ?? key),
        `indicators.${name} must be a PromQL query string, not ${kindOf(value)}${hint}`,
      );
    }
    if (value.value.trim() === '')
      throw new SliConfigError(where, lineOf(value), `indicators.${name} is an empty query; write its PromQL query`);
    queries[name] = value.value;
  }
  if (Object.keys(queries).length === 0) {
    throw new SliConfigError(where, lineOf(indicators), `'indicators' is empty; ${EXAMPLE}`);
  }
  return Object.freeze(queries);
}
