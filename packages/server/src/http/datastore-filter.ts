/**
 * The `filter` query parameter of mongodb-datastore's `GET /event/type/{eventType}`
 * (control-plane.md §6.3): clauses `key:value` joined by ` AND `; a value with commas means "one
 * of". Keys are document paths of the stored event: `shkeptncontext`, `source`, `id`, `type`,
 * `triggeredid` or `data.<field>`. Keptn requires `data.project` or `shkeptncontext`.
 */
import { ErrorCode, InputError } from '@shipmate/core';
import type { EventQuery } from '@shipmate/core';

/** One `key:value[,value...]` clause. */
export interface FilterClause {
  key: string;
  values: string[];
}

/** The parts of an {@link EventQuery} a filter sets. */
export type FilterQuery = Pick<EventQuery, 'keptnContext' | 'source' | 'eventId' | 'type' | 'triggeredId' | 'fieldIn'>;

/** Top-level event attributes a filter may name, with the query field a single value goes to. */
const TOP_LEVEL_KEYS = {
  shkeptncontext: 'keptnContext',
  source: 'source',
  id: 'eventId',
  type: 'type',
  triggeredid: 'triggeredId',
} as const satisfies Record<string, keyof FilterQuery>;

type TopLevelKey = keyof typeof TOP_LEVEL_KEYS;

const EXAMPLE = 'data.project:sockshop AND data.stage:dev AND data.result:pass,warning';
const LOWER_CASE_AND = /\sand\s/;
const DATA_KEY = /^data(\.[A-Za-z0-9_-]+)+$/;

function isTopLevelKey(key: string): key is TopLevelKey {
  return Object.hasOwn(TOP_LEVEL_KEYS, key);
}

/** Parses a filter into its clauses; each bad clause gives a 400 naming it and the expected form. */
export function parseDatastoreFilter(filter: string): FilterClause[] {
  if (filter.trim() === '') {
    throw new InputError(ErrorCode.invalidField, `filter is empty; write key:value clauses joined by ' AND ', e.g. ${EXAMPLE}`);
  }
  const clauses: FilterClause[] = [];
  const seen = new Set<string>();
  for (const raw of filter.split(' AND ')) {
    const clause = raw.trim();
    const colon = clause.indexOf(':');
    if (clause === '' || colon <= 0 || colon === clause.length - 1) {
      throw new InputError(
        ErrorCode.invalidField,
        `filter clause '${clause}' is not key:value; write key:value clauses joined by ' AND ' (upper case), e.g. ${EXAMPLE}`,
      );
    }
    if (LOWER_CASE_AND.test(clause)) {
      // Keptn would take 'p and data.stage:dev' as one value that never matches; say so instead.
      throw new InputError(
        ErrorCode.invalidField,
        `filter clause '${clause}' contains a lower-case 'and'; write key:value clauses joined by ' AND ' (upper case), e.g. ${EXAMPLE}`,
      );
    }
    const key = clause.slice(0, colon).trim();
    if (!isTopLevelKey(key) && !DATA_KEY.test(key)) {
      throw new InputError(
        ErrorCode.invalidField,
        `filter clause '${clause}' has unknown key '${key}'; use ${Object.keys(TOP_LEVEL_KEYS).join(', ')} or data.<field>, e.g. ${EXAMPLE}`,
      );
    }
    if (seen.has(key)) {
      throw new InputError(
        ErrorCode.invalidField,
        `filter names '${key}' twice; give one clause per key and list values with commas, e.g. ${key}:a,b`,
      );
    }
    seen.add(key);
    const values = clause
      .slice(colon + 1)
      .split(',')
      .map((value) => value.trim());
    if (values.some((value) => value === '')) {
      throw new InputError(ErrorCode.invalidField, `filter clause '${clause}' has an empty value; list values as ${key}:a,b`);
    }
    clauses.push({ key, values });
  }
  if (!seen.has('data.project') && !seen.has('shkeptncontext')) {
    throw new InputError(
      ErrorCode.missingField,
      `either 'shkeptncontext' or 'data.project' must be set in filter '${filter}'; add e.g. data.project:sockshop`,
    );
  }
  return clauses;
}

/**
 * The event query fields of a parsed filter: one value of a top-level key goes to its own field,
 * anything else (several values, `data.*` keys) to `fieldIn`.
 */
export function filterToEventQuery(clauses: readonly FilterClause[]): FilterQuery {
  const query: FilterQuery = {};
  const fieldIn: Record<string, string[]> = {};
  for (const { key, values } of clauses) {
    const [only] = values;
    if (isTopLevelKey(key) && values.length === 1 && only !== undefined) query[TOP_LEVEL_KEYS[key]] = only;
    else fieldIn[key] = values;
  }
  if (Object.keys(fieldIn).length > 0) query.fieldIn = fieldIn;
  return query;
}
