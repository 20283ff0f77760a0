/**
 * Replaces the placeholders of an SLI query exactly as Keptn's prometheus-service does
 * (`utils/prometheus/prometheus.go`, replaceQueryParameters), in this order:
 *
 * 1. each custom filter `{key, value}` of the request: `$<key>` and `$<KEY>` (upper-cased) → the
 *    value with every `'` and `"` removed (so a filter cannot close the query's quotes);
 * 2. `$PROJECT`, `$STAGE`, `$SERVICE`, `$DEPLOYMENT`;
 * 3. each label: `$LABEL.<name>` → its value;
 * 4. `$DURATION_SECONDS` → the window in whole seconds, rounded up, with `s` (e.g. `300s`).
 *
 * Replacement is plain text, as in Keptn: `$SERVICE` also matches the start of `$SERVICE_NAME`,
 * and filters go first, so a filter named `project` wins over `$PROJECT`. Pure: no I/O.
 */
import type { SliFilter } from './get-sli-request.js';

/** What the placeholders of a query are replaced with. */
export interface QueryVariables {
  readonly project: string;
  readonly stage: string;
  readonly service: string;
  readonly deployment: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly customFilters: readonly SliFilter[];
  readonly start: Date;
  readonly end: Date;
}

/** `$DURATION_SECONDS` of a window: whole seconds rounded up, with `s` (Keptn's getDurationInSeconds). */
export function durationSeconds(start: Date, end: Date): string {
  return `${Math.ceil((end.getTime() - start.getTime()) / 1000)}s`;
}

/** Plain-text replacement (no `$&`-style patterns in `to`, unlike String.replaceAll with a string). */
function replaceText(text: string, from: string, to: string): string {
  return text.split(from).join(to);
}

/** The query with Keptn's placeholders replaced. */
export function substitutePlaceholders(query: string, vars: QueryVariables): string {
  let out = query;
  for (const filter of vars.customFilters) {
    const value = filter.value.replaceAll("'", '').replaceAll('"', '');
    out = replaceText(replaceText(out, `$${filter.key}`, value), `$${filter.key.toUpperCase()}`, value);
  }
  out = replaceText(out, '$PROJECT', vars.project);
  out = replaceText(out, '$STAGE', vars.stage);
  out = replaceText(out, '$SERVICE', vars.service);
  out = replaceText(out, '$DEPLOYMENT', vars.deployment);
  for (const [name, value] of Object.entries(vars.labels)) out = replaceText(out, `$LABEL.${name}`, value);
  return replaceText(out, '$DURATION_SECONDS', durationSeconds(vars.start, vars.end));
}
