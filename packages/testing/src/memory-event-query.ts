/**
 * Which stored events an {@link EventQuery} matches in the in-memory store, with the SQLite
 * store's meaning of each filter: exact matches on the indexed fields, exclusive time bounds,
 * `fieldIn` on string values only, roots by time then arrival, and invalidations per project.
 */
import { eventFieldPathSegments, isPlainObject } from '@shipmate/core';
import type { EventQuery, KeptnEvent } from '@shipmate/core';

/** An event as the in-memory store keeps it: its document as JSON text and the fields queries use. */
export interface EventRow {
  /** Arrival order; the pending queue's order. */
  readonly seq: number;
  readonly id: string;
  /** `data.project`, `data.stage`, `data.service` when they are strings, else null. */
  readonly project: string | null;
  readonly stage: string | null;
  readonly service: string | null;
  readonly type: string;
  readonly shkeptncontext: string;
  /** Null when the event has none or an empty one (an empty id ties nothing together). */
  readonly triggeredid: string | null;
  readonly source: string;
  readonly time: string;
  readonly pending: boolean;
  readonly doc: string;
}

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The row of an event arriving with sequence number `seq` (throws when the event is not JSON, e.g. holds a BigInt). */
export function eventRow(event: KeptnEvent, seq: number, pending: boolean): EventRow {
  return {
    seq,
    id: event.id,
    project: textOrNull(event.data.project),
    stage: textOrNull(event.data.stage),
    service: textOrNull(event.data.service),
    type: event.type,
    shkeptncontext: event.shkeptncontext,
    triggeredid: event.triggeredid ? event.triggeredid : null,
    source: event.source,
    time: event.time,
    pending,
    doc: JSON.stringify(event),
  };
}

/** `fieldIn` keys read from a row's fields rather than the document (so `data.project` must be a string, as in SQLite). */
const ROW_FIELDS: Readonly<Record<string, (row: EventRow) => string | null>> = {
  'data.project': (r) => r.project,
  'data.stage': (r) => r.stage,
  'data.service': (r) => r.service,
  id: (r) => r.id,
  type: (r) => r.type,
  source: (r) => r.source,
  shkeptncontext: (r) => r.shkeptncontext,
  triggeredid: (r) => r.triggeredid,
  time: (r) => r.time,
};

/** The value at a document path: object keys only (an array is never indexed, as `json_extract`'s `.key`). */
function valueAt(document: unknown, segments: readonly string[]): unknown {
  let value = document;
  for (const segment of segments) {
    if (!isPlainObject(value) || !Object.hasOwn(value, segment)) return undefined;
    value = value[segment];
  }
  return value;
}

/** A check of one `fieldIn` entry (the key is checked when the query is built). */
function fieldInMatcher(path: string, values: readonly string[]): (row: EventRow) => boolean {
  const wanted = new Set(values);
  const field = ROW_FIELDS[path];
  if (field)
    return (row) => {
      const value = field(row);
      return value !== null && wanted.has(value);
    };
  const segments = eventFieldPathSegments(path);
  return (row) => {
    const value = valueAt(JSON.parse(row.doc), segments);
    return typeof value === 'string' && wanted.has(value);
  };
}

/** Same context and project (null projects alike), earlier by time, then by arrival. */
function rootKey(row: EventRow): string {
  return JSON.stringify([row.shkeptncontext, row.project]);
}

/**
 * The rows `query` matches, newest first (time, then arrival), before paging. Throws
 * `ERR_INVALID_FIELD` for a `fieldIn` key that is not a document path.
 */
export function matchEvents(rows: readonly EventRow[], query: EventQuery): EventRow[] {
  const checks: Array<(row: EventRow) => boolean> = [];
  const equal = (value: string | undefined, field: (row: EventRow) => string | null) => {
    if (value !== undefined) checks.push((row) => field(row) === value);
  };
  equal(query.keptnContext, (r) => r.shkeptncontext);
  equal(query.type, (r) => r.type);
  equal(query.project, (r) => r.project);
  equal(query.stage, (r) => r.stage);
  equal(query.service, (r) => r.service);
  equal(query.eventId, (r) => r.id);
  equal(query.source, (r) => r.source);
  equal(query.triggeredId, (r) => r.triggeredid);
  const { fromTime, beforeTime } = query;
  if (fromTime !== undefined) checks.push((row) => row.time > fromTime);
  if (beforeTime !== undefined) checks.push((row) => row.time < beforeTime);
  for (const [path, values] of Object.entries(query.fieldIn ?? {})) checks.push(fieldInMatcher(path, values));
  if (query.rootOnly) {
    const roots = new Map<string, EventRow>();
    for (const row of rows) {
      const root = roots.get(rootKey(row));
      if (!root || row.time < root.time || (row.time === root.time && row.seq < root.seq)) roots.set(rootKey(row), row);
    }
    checks.push((row) => roots.get(rootKey(row)) === row);
  }
  if (query.excludeInvalidated) {
    const invalidated = new Set(
      rows.filter((r) => r.type.endsWith('.invalidated') && r.triggeredid !== null).map((r) => JSON.stringify([r.triggeredid, r.project])),
    );
    checks.push((row) => row.triggeredid === null || !invalidated.has(JSON.stringify([row.triggeredid, row.project])));
  }
  return rows
    .filter((row) => checks.every((check) => check(row)))
    .sort((a, b) => (a.time === b.time ? b.seq - a.seq : a.time < b.time ? 1 : -1));
}
