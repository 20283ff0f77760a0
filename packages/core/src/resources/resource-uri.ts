/**
 * Checks resource URIs of the resource API so that no URI can leave its level's folder: no
 * absolute paths, no `.`/`..` segments, no `~` (Keptn refuses it), no backslashes, no control
 * characters, no empty segments, and none of these hidden behind URL-encoding (`%2e%2e%2f`,
 * `%252e%252e%252f`).
 */
import { InputError } from '../errors/errors.js';
import { ErrorCode } from '../errors/error-codes.js';

/** Longest accepted URI in characters (git and file systems cope; clients never need more). */
export const MAX_RESOURCE_URI_LENGTH = 1024;

const ENCODED = /%[0-9A-Fa-f]{2}/;
// eslint-disable-next-line no-control-regex -- resource URIs may not contain control characters
const CONTROL = /[\u0000-\u001f\u007f]/;

function invalid(uri: string, why: string): InputError {
  return new InputError(
    ErrorCode.invalidResourceUri,
    `invalid resourceURI '${uri.slice(0, 200)}': ${why}; give a path relative to the level, e.g. helm/carts.tgz (URL-encoded as helm%2Fcarts.tgz in a path)`,
  );
}

/** Throws `ERR_INVALID_RESOURCE_URI` unless `uri` is a plain relative path without escapes. */
function checkPlain(original: string, uri: string): void {
  if (uri === '') throw invalid(original, 'it is empty');
  if (uri.length > MAX_RESOURCE_URI_LENGTH) throw invalid(original, `it is longer than ${MAX_RESOURCE_URI_LENGTH} characters`);
  if (CONTROL.test(uri)) throw invalid(original, 'it contains a control character');
  if (uri.includes('\\')) throw invalid(original, 'it contains a backslash');
  if (uri.includes('~')) throw invalid(original, "it contains '~'");
  if (uri.startsWith('/')) throw invalid(original, 'it is an absolute path');
  if (ENCODED.test(uri)) throw invalid(original, 'it is still URL-encoded after decoding');
  for (const segment of uri.split('/')) {
    if (segment === '') throw invalid(original, 'it has an empty path segment');
    if (segment === '.' || segment === '..') throw invalid(original, `it has a '${segment}' segment`);
  }
}

/**
 * A URI from a request path, as the router decoded it once. Keptn's resource service unescapes
 * the raw path once more (the Bridge sends `%252F`), so a remaining `%XX` is decoded once too;
 * the result must be a plain relative path. Returns the URI to use.
 */
export function checkResourceUriFromPath(decodedOnce: string): string {
  let uri = decodedOnce;
  if (ENCODED.test(uri)) {
    try {
      uri = decodeURIComponent(uri);
    } catch {
      throw invalid(decodedOnce, 'it is not valid URL-encoding');
    }
  }
  checkPlain(decodedOnce, uri);
  return uri;
}

/** A URI from a request body (not URL-encoded): must be a plain relative path. Returns it. */
export function checkResourceUri(uri: unknown): string {
  if (typeof uri !== 'string') throw invalid(String(uri), 'it must be a string');
  checkPlain(uri, uri);
  return uri;
}
