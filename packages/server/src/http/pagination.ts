/**
 * Query parsing and response fields of Keptn's three pagination shapes (control-plane.md §13.7):
 *
 * - in-memory (projects, stages, services, triggered events): `nextPageKey` is a decimal offset
 *   sent as a string, `"0"` when there are no more pages; `pageSize` defaults to 20 (0 too).
 * - DB (`/sequence`, `/sequence-execution`, `/log`): `nextPageKey` is a JSON number, left out when
 *   there are no more pages; `pageSize` defaults to 20 (0 too). Keptn returned everything without
 *   `pageSize`, which grows with the history (36 MB at 100k sequences); Shipmate pages always.
 * - datastore (`/mongodb-datastore/event`): `nextPageKey` is a string present only when more
 *   results exist; the response repeats `pageSize`; `pageSize` is 1..100, default 20.
 *
 * Invariant of all three: the next key is the offset plus the number of items returned, and it is
 * only given when items remain after them, so a client following keys never sees a page twice.
 *
 * `totalCount` of the store-backed lists (DB and datastore shapes) is counted only up to
 * {@link countLimitOf} (the page's end plus {@link TOTAL_COUNT_LOOKAHEAD}): exact while fewer
 * match, else that bound. Counting every match would read the whole history on every page.
 */
import { ErrorCode, InputError } from '@shipmate/core';

/** Offset and size of a requested page. */
export interface PageRequest {
  readonly offset: number;
  readonly pageSize: number;
}

/** Raw `pageSize` / `nextPageKey` query values as Fastify hands them over. */
export interface PaginationQuery {
  readonly pageSize?: unknown;
  readonly nextPageKey?: unknown;
}

/** How `pageSize` is read on one route. */
export interface PageSizeRule {
  /** Used when the parameter is missing or empty. */
  readonly defaultSize: number;
  /** Smallest accepted value. */
  readonly min: number;
  /** Largest accepted value; unbounded when missing. */
  readonly max?: number;
  /** Value that stands for "use the default" (Keptn's in-memory pagination treats 0 so). */
  readonly defaultWhen?: number;
  /** Parameter name used in messages. @default 'pageSize' */
  readonly name?: string;
}

/** Default page size of every shape. */
export const DEFAULT_PAGE_SIZE = 20;

/** How many matches past the requested page `totalCount` counts at most. */
export const TOTAL_COUNT_LOOKAHEAD = 500;

/** The `countLimit` of a store query for `request`: its page's end plus {@link TOTAL_COUNT_LOOKAHEAD}. */
export function countLimitOf(request: PageRequest): number {
  return request.offset + request.pageSize + TOTAL_COUNT_LOOKAHEAD;
}

/** Largest page of the datastore (`pageSize` and `limit`, go-swagger validation in Keptn). */
export const DATASTORE_MAX_PAGE_SIZE = 100;

const DIGITS = /^\d+$/;

/** Reads a whole number >= 0 from a query value; undefined when missing or empty. */
function wholeNumber(value: unknown, name: string, fix: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : undefined;
  if (text === undefined || !DIGITS.test(text)) {
    throw new InputError(ErrorCode.invalidPagination, `${name} '${display(value)}' is not a number; ${fix}`);
  }
  const parsed = Number(text);
  if (!Number.isSafeInteger(parsed)) throw new InputError(ErrorCode.invalidPagination, `${name} '${text}' is too large; ${fix}`);
  return parsed;
}

function display(value: unknown): string {
  return Array.isArray(value) ? value.map(String).join(',') : String(value);
}

/** The offset a `nextPageKey` query value stands for (0 when missing or empty). */
export function parseNextPageKey(value: unknown): number {
  return wholeNumber(value, 'nextPageKey', 'pass the nextPageKey of the previous page') ?? 0;
}

/** The page size a `pageSize` (or `limit`) query value stands for, checked against `rule`. */
export function parsePageSize(value: unknown, rule: PageSizeRule): number {
  const name = rule.name ?? 'pageSize';
  const range = rule.max === undefined ? `${rule.min} or more` : `from ${rule.min} to ${rule.max}`;
  const size = wholeNumber(value, name, `pass a whole number ${range}, e.g. ${name}=${rule.defaultSize}`);
  if (size === undefined || size === rule.defaultWhen) return rule.defaultSize;
  if (size < rule.min || (rule.max !== undefined && size > rule.max)) {
    throw new InputError(ErrorCode.invalidPagination, `${name} ${size} is out of range; pass a whole number ${range}`);
  }
  return size;
}

/** The offset of the page after one of `returned` items at `offset`, or undefined at the end. */
export function nextOffset(offset: number, returned: number, totalCount: number): number | undefined {
  const next = offset + returned;
  // returned 0 with items left would hand out the same key again; treat it as the end.
  return returned > 0 && next < totalCount ? next : undefined;
}

/** A page of the in-memory shape. */
export interface InMemoryPage<T> {
  items: T[];
  /** Offset of the next page as a string, `"0"` at the end. */
  nextPageKey: string;
  totalCount: number;
}

/** Page request of the in-memory shape: `pageSize` default 20 (also for 0), no upper bound. */
export function parseInMemoryPageRequest(query: PaginationQuery): PageRequest {
  return {
    offset: parseNextPageKey(query.nextPageKey),
    pageSize: parsePageSize(query.pageSize, { defaultSize: DEFAULT_PAGE_SIZE, min: 1, defaultWhen: 0 }),
  };
}

/** Slices an already sorted list into Keptn's in-memory page. */
export function paginateInMemory<T>(sorted: readonly T[], request: PageRequest): InMemoryPage<T> {
  const items = sorted.slice(request.offset, request.offset + request.pageSize);
  const next = nextOffset(request.offset, items.length, sorted.length);
  return { items, nextPageKey: next === undefined ? '0' : String(next), totalCount: sorted.length };
}

/**
 * Page request of the DB shape: `pageSize` 0 or missing = `defaultSize` ({@link DEFAULT_PAGE_SIZE}
 * unless the route knows its answer is bounded otherwise, e.g. by a list of contexts).
 */
export function parseDbPageRequest(query: PaginationQuery, defaultSize = DEFAULT_PAGE_SIZE): PageRequest {
  return {
    offset: parseNextPageKey(query.nextPageKey),
    pageSize: parsePageSize(query.pageSize, { defaultSize, min: 1, defaultWhen: 0 }),
  };
}

/** Response fields of the DB shape: `nextPageKey` is a number, left out at the end. */
export interface DbPageFields {
  nextPageKey?: number;
  totalCount: number;
}

/** `nextPageKey` and `totalCount` of a DB-shape page of `returned` items. */
export function dbPageFields(request: PageRequest, returned: number, totalCount: number): DbPageFields {
  const next = nextOffset(request.offset, returned, totalCount);
  return next === undefined ? { totalCount } : { nextPageKey: next, totalCount };
}

/** Page request of the datastore shape: `pageSize` 1..100, default 20. */
export function parseDatastorePageRequest(query: PaginationQuery): PageRequest {
  return {
    offset: parseNextPageKey(query.nextPageKey),
    pageSize: parsePageSize(query.pageSize, { defaultSize: DEFAULT_PAGE_SIZE, min: 1, max: DATASTORE_MAX_PAGE_SIZE }),
  };
}

/** Response fields of the datastore shape. */
export interface DatastorePageFields {
  /** Offset of the next page as a string; only present when more results exist. */
  nextPageKey?: string;
  /** The page size that was asked for. */
  pageSize: number;
  totalCount: number;
}

/** `nextPageKey`, `pageSize` and `totalCount` of a datastore-shape page of `returned` items. */
export function datastorePageFields(request: PageRequest, returned: number, totalCount: number): DatastorePageFields {
  const next = nextOffset(request.offset, returned, totalCount);
  const { pageSize } = request;
  return next === undefined ? { pageSize, totalCount } : { nextPageKey: String(next), pageSize, totalCount };
}
