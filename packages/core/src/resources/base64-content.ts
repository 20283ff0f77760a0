/** Strict base64 decoding of `resourceContent` with the configured size limit. */
import { InputError, TooLargeError } from '../errors/errors.js';
import { ErrorCode } from '../errors/error-codes.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Name of the setting that limits the decoded size of one resource. */
export const MAX_RESOURCE_BYTES_SETTING = 'SHIPMATE_MAX_RESOURCE_BYTES';

/**
 * Decodes standard base64 (RFC 4648, padded; line breaks are ignored as Go's decoder does) and
 * checks the decoded size. Throws `ERR_INVALID_BASE64` (400) or `ERR_RESOURCE_TOO_LARGE` (413).
 */
export function decodeResourceContent(value: unknown, uri: string, maxBytes: number): Buffer {
  if (typeof value !== 'string')
    throw new InputError(ErrorCode.invalidContent, `resourceContent of '${uri}' must be a base64 string, e.g. $(base64 -w0 ${uri})`);
  const text = value.replace(/[\r\n]/g, '');
  if (!BASE64.test(text))
    throw new InputError(
      ErrorCode.invalidContent,
      `resourceContent of '${uri}' is not valid base64; encode the file with base64 -w0 ${uri}`,
    );
  const decodedLength = (text.length / 4) * 3 - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0);
  if (decodedLength > maxBytes) {
    throw new TooLargeError(
      ErrorCode.resourceTooLarge,
      `resource '${uri}' is ${decodedLength} bytes, more than the limit of ${maxBytes} bytes; store a smaller file or raise ${MAX_RESOURCE_BYTES_SETTING}`,
    );
  }
  return Buffer.from(text, 'base64');
}
