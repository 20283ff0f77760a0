/**
 * The nesting limit of JSON request bodies. JSON.parse copes with any depth, but what handles a
 * body later (JSON.stringify when it is stored, the deep copies and merges of the orchestrator,
 * YAML and schema walks) recurses and throws RangeError past a few thousand levels: a body that
 * would be acknowledged and then fail. Refusing it at the door keeps that from happening.
 */
import { ErrorCode, InputError } from '@shipmate/core';

/** Default deepest nesting of objects and arrays in a request body (the body itself is level 1). */
export const DEFAULT_MAX_EVENT_DEPTH = 64;

/**
 * How deeply `value` nests objects and arrays (a scalar is 0, `{}` is 1, `{"a":[1]}` is 2), counted
 * with an explicit stack so that no depth can overflow the call stack; stops early and returns a
 * value above `limit` as soon as one is found.
 */
export function jsonDepth(value: unknown, limit: number = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 1 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    if (top.value === null || typeof top.value !== 'object') continue;
    if (top.depth > deepest) deepest = top.depth;
    if (deepest > limit) return deepest;
    const children = Array.isArray(top.value) ? (top.value as unknown[]) : Object.values(top.value);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push({ value: child, depth: top.depth + 1 });
  }
  return deepest;
}

/** Throws `ERR_BODY_TOO_DEEP` when the parsed body nests objects and arrays deeper than `maxDepth`. */
export function checkBodyDepth(body: unknown, maxDepth: number): void {
  const depth = jsonDepth(body, maxDepth);
  if (depth <= maxDepth) return;
  throw new InputError(
    ErrorCode.bodyTooDeep,
    `request body nests objects and arrays more than ${maxDepth} levels deep (the body itself is level 1); ` +
      `flatten the data (e.g. send a deep structure as a JSON string or a resource file) or raise SHIPMATE_MAX_EVENT_DEPTH`,
  );
}
