/**
 * The values a deployment gives helm, written to a values file (never `--set` strings, whose
 * commas, dots and brackets would change what a value means): the sequence's
 * `configurationChange.values`, then Keptn's injected `keptn.project/stage/service/deployment`.
 * Helm merges the file over the chart's own values.yaml the same way {@link mergeValues} does.
 */

/** A Helm values tree. */
export type HelmValues = Readonly<Record<string, unknown>>;

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `override` merged into `base` as Helm coalesces values: maps merge key by key, anything else
 * (strings, numbers, lists, null) replaces what was there. Neither argument is changed.
 */
export function mergeValues(base: HelmValues, override: HelmValues): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] = isMap(current) && isMap(value) ? mergeValues(current, value) : value;
  }
  return merged;
}

/** What identifies a deployment to the chart (Keptn injects it as `.Values.keptn`). */
export interface KeptnValues {
  readonly project: string;
  readonly stage: string;
  readonly service: string;
  /** The deployment name: `direct` or `user_managed`. */
  readonly deployment: string;
}

/** The values file of a deployment: `configurationChange.values` with `keptn.*` injected over it. */
export function deploymentValues(configurationValues: HelmValues, keptn: KeptnValues): Record<string, unknown> {
  return mergeValues(configurationValues, { keptn: { ...keptn } });
}
