/**
 * The document paths of `EventQuery.fieldIn` (mongodb-datastore's `filter` keys such as
 * `data.result` or `data.get-sli.start`), checked once here for every store adapter.
 */
import { ErrorCode } from '../errors/error-codes.js';
import { InputError } from '../errors/errors.js';

const FIELD_PATH = /^[A-Za-z0-9_.-]+$/;

/**
 * The segments of a dotted event document path (`data.get-sli.x` → `['data', 'get-sli', 'x']`).
 * Throws `ERR_INVALID_FIELD` on anything but letters, digits, `_`, `-` and non-empty
 * dot-separated segments, so an adapter may put the segments into its query language.
 */
export function eventFieldPathSegments(path: string): string[] {
  const segments = path.split('.');
  if (!FIELD_PATH.test(path) || segments.some((s) => s === '')) {
    throw new InputError(
      ErrorCode.invalidField,
      `filter key '${path}' is not a document path; use dot-separated names of letters, digits, '_' and '-', e.g. data.result or data.get-sli.start`,
    );
  }
  return segments;
}

/**
 * Paths of `EventQuery.fieldIn` that the SQL stores keep in an indexed column of their own, by
 * column name: a filter on them reads the column instead of the document.
 */
export const EVENT_FIELD_COLUMNS: Readonly<Record<string, string>> = Object.freeze({
  'data.project': 'project',
  'data.stage': 'stage',
  'data.service': 'service',
  id: 'id',
  type: 'type',
  source: 'source',
  shkeptncontext: 'shkeptncontext',
  triggeredid: 'triggeredid',
  time: 'time',
});
