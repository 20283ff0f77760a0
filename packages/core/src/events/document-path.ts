/**
 * Dotted paths into an event document (`data.result`, `data.get-sli.start`), as the datastore's
 * `filter` names fields. Every store adapter reads them the same way: object keys only, one per
 * segment (an array is never indexed), and refuses anything that is not such a path.
 */
import { InputError } from '../errors/errors.js';
import { ErrorCode } from '../errors/error-codes.js';

const DOCUMENT_PATH = /^[A-Za-z0-9_.-]+$/;

/**
 * The keys of a dotted document path (`data.get-sli.x` → `['data', 'get-sli', 'x']`). Throws
 * `ERR_INVALID_FIELD` on anything but letters, digits, `_`, `-` and non-empty dot-separated segments.
 */
export function documentPathSegments(path: string): string[] {
  const segments = path.split('.');
  if (!DOCUMENT_PATH.test(path) || segments.some((s) => s === '')) {
    throw new InputError(
      ErrorCode.invalidField,
      `filter key '${path}' is not a document path; use dot-separated names of letters, digits, '_' and '-', e.g. data.result or data.get-sli.start`,
    );
  }
  return segments;
}
