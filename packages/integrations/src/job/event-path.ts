/**
 * The JSONPath subset job/config.yaml uses to read the event (`env[].value` with `valueFrom: event`
 * and `events[].jsonpath.property`): `$` followed by `.key`, `['key']`, `["key"]` and `[index]`,
 * e.g. `$.data.deployment.deploymentURIsPublic[0]` or `$.data.labels['app-version']`. JES evaluated
 * full JSONPath (PaesslerAG/jsonpath); wildcards, filters and slices, which select several values,
 * are refused with the fix, since an env var and a match hold one value. Pure: no I/O.
 */
import { stringify as toYaml } from 'yaml';

/** One step of a path: a key of an object or an index of a list. */
export type EventPathSegment = string | number;

/** A path that cannot be read (the message says why and how to write it). */
export class EventPathError extends Error {}

const EXAMPLE = "write it as $.data.<key>, e.g. $.data.deployment.deploymentURIsPublic[0] or $.data.labels['app-version']";

/** The segments of `path`; throws {@link EventPathError} naming the position and the fix. */
export function parseEventPath(path: string): readonly EventPathSegment[] {
  const text = path.trim();
  if (!text.startsWith('$')) throw new EventPathError(`'${path}' is not a JSONPath: it must start with $; ${EXAMPLE}`);
  const segments: EventPathSegment[] = [];
  let at = 1;
  const refuse = (reason: string): never => {
    throw new EventPathError(`'${path}' ${reason} at position ${at + 1}; ${EXAMPLE}`);
  };
  while (at < text.length) {
    const char = text[at];
    if (char === '.') {
      if (text[at + 1] === '.') refuse('uses recursive descent (..), which selects several values,');
      const match = /^[^.[\]]+/.exec(text.slice(at + 1));
      if (!match) refuse('has an empty key');
      const key = match![0];
      if (key === '*') refuse('uses a wildcard (*), which selects several values,');
      segments.push(key);
      at += 1 + key.length;
    } else if (char === '[') {
      const rest = text.slice(at);
      const quoted = /^\[\s*(?:'([^']*)'|"([^"]*)")\s*\]/.exec(rest);
      const index = /^\[\s*(\d+)\s*\]/.exec(rest);
      if (quoted) {
        segments.push(quoted[1] ?? quoted[2] ?? '');
        at += quoted[0].length;
      } else if (index) {
        segments.push(Number(index[1]));
        at += index[0].length;
      } else {
        refuse('has a bracket that is neither a quoted key nor an index (filters, slices and wildcards select several values)');
      }
    } else {
      refuse(`has '${char}' where . or [ was expected`);
    }
  }
  return Object.freeze(segments);
}

/** What a lookup found: `found` false when a key or index along the path is absent. */
export type EventPathValue = { readonly found: true; readonly value: unknown } | { readonly found: false; readonly missing: string };

/** Reads `segments` from `root`; `missing` names the first absent step, e.g. `$.data.test`. */
export function lookupEventPath(root: unknown, segments: readonly EventPathSegment[]): EventPathValue {
  let value = root;
  let walked = '$';
  for (const segment of segments) {
    walked += typeof segment === 'number' ? `[${segment}]` : /^[A-Za-z_][\w-]*$/.test(segment) ? `.${segment}` : `['${segment}']`;
    if (typeof segment === 'number') {
      if (!Array.isArray(value) || segment >= value.length) return { found: false, missing: walked };
      value = value[segment] as unknown;
    } else {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, segment))
        return { found: false, missing: walked };
      value = (value as Record<string, unknown>)[segment];
    }
  }
  return { found: true, value };
}

/** How an env value is written (`env[].as`): JES's default, `json` or `yaml`. */
export const EnvFormat = { plain: 'plain', json: 'json', yaml: 'yaml' } as const;
/** One of {@link EnvFormat}. */
export type EnvFormat = (typeof EnvFormat)[keyof typeof EnvFormat];

/** Go's `%v` of a decoded JSON value, as JES wrote list values (`[a b]`, `map[k:v]`). */
function goValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([key, item]) => `${key}:${goValue(item)}`).join(' ')}]`;
  }
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/**
 * The env value JES gave `value`: `as: yaml` → YAML, `as: json` or an object → JSON, a string as
 * is, anything else as Go's `%v` (lists `[a b]`, null `<nil>`).
 */
export function formatEnvValue(value: unknown, as: EnvFormat): string {
  switch (as) {
    case EnvFormat.yaml:
      return toYaml(value);
    case EnvFormat.json:
      return JSON.stringify(value);
    case EnvFormat.plain:
      if (typeof value === 'string') return value;
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return JSON.stringify(value);
      return goValue(value);
    default: {
      const never: never = as;
      return never;
    }
  }
}
