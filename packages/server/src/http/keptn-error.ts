import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ShipmateError, systemResourceError } from '@shipmate/core';
import type { ErrorCategory } from '@shipmate/core';

/** Keptn's wire error body. */
export interface KeptnErrorBody {
  code: number;
  message: string;
  /** Shipmate's stable error code (extra field; Keptn clients ignore it). */
  errorCode?: string;
}

/** The body limit of a route, for the 413 message: its size, the setting that raises it and the error code. */
export interface BodyLimit {
  readonly bytes: number;
  readonly setting: string;
  readonly errorCode: string;
  /** What the limit is made of, when it is not the setting's own value (said in the message). */
  readonly derivation?: string;
}

/** The global limit (`SHIPMATE_MAX_BODY_BYTES`). */
export function defaultBodyLimit(maxBodyBytes: number): BodyLimit {
  return { bytes: maxBodyBytes, setting: 'SHIPMATE_MAX_BODY_BYTES', errorCode: 'ERR_BODY_TOO_LARGE' };
}

const STATUS_BY_CATEGORY: Record<ErrorCategory, number> = {
  input: 400,
  auth: 401,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
  tooLarge: 413,
  unprocessable: 422,
  unavailable: 503,
};

/** HTTP status and body for any error thrown while handling a request. */
export function toKeptnError(error: unknown, limit: BodyLimit): KeptnErrorBody {
  if (error instanceof ShipmateError) {
    return { code: STATUS_BY_CATEGORY[error.category], message: error.message, errorCode: error.code };
  }
  const fastifyError = error as Partial<FastifyError> & { validation?: unknown };
  if (fastifyError.validation && Array.isArray(fastifyError.validation)) {
    return { code: 400, message: describeValidation(fastifyError as FastifyError), errorCode: 'ERR_INVALID_FIELD' };
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        code: 413,
        message: `request body is larger than the limit of ${limit.bytes} bytes${limit.derivation ? ` (${limit.derivation})` : ''}; send a smaller body or raise ${limit.setting}`,
        errorCode: limit.errorCode,
      };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 400, message: `request body is not valid JSON: ${fastifyError.message ?? ''}`, errorCode: 'ERR_INVALID_JSON' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 415, message: 'unsupported Content-Type; send application/json', errorCode: 'ERR_INVALID_FIELD' };
    default:
      break;
  }
  if (error instanceof SyntaxError || (fastifyError.statusCode === 400 && fastifyError.code?.startsWith('FST_ERR_CTP'))) {
    return { code: 400, message: `request body is not valid JSON: ${fastifyError.message ?? ''}`, errorCode: 'ERR_INVALID_JSON' };
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return { code: fastifyError.statusCode, message: fastifyError.message ?? 'bad request', errorCode: 'ERR_INVALID_FIELD' };
  }
  // A file operation anywhere (not translated where it happened) that ran out of descriptors or disk.
  const exhausted = systemResourceError(error, 'the request could not be completed');
  if (exhausted) return { code: STATUS_BY_CATEGORY[exhausted.category], message: exhausted.message, errorCode: exhausted.code };
  return { code: 500, message: 'internal error; the server log has the details', errorCode: 'ERR_INTERNAL' };
}

/** One sentence naming the field and what is wrong with it, from an Ajv validation error. */
function describeValidation(error: FastifyError): string {
  const first = error.validation?.[0];
  const where = error.validationContext ?? 'request';
  if (!first) return `invalid ${where}`;
  const params: Record<string, unknown> = first.params;
  const base = first.instancePath ? first.instancePath.replace(/^\//, '').replaceAll('/', '.') : '';
  const join = (name: string) => (base ? `${base}.${name}` : name);
  switch (first.keyword) {
    case 'required':
      return `${where}: missing required field '${join(String(params.missingProperty))}'`;
    case 'additionalProperties':
      return `${where}: unknown field '${join(String(params.additionalProperty))}'; remove it`;
    case 'enum':
      return `${where}: field '${base}' must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
    default:
      return `${where}: field '${base || '(root)'}' ${first.message ?? 'is invalid'}`;
  }
}

/** Fastify error handler writing Keptn's body. 5xx are logged with the request. */
export function keptnErrorHandler(limit: BodyLimit) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    const body = toKeptnError(error, limit);
    if (body.code >= 500) request.log.error({ err: error }, 'request failed');
    void reply.status(body.code).send(body);
  };
}

/**
 * Errors Fastify raises before any route or hook runs. A path that is not valid percent-encoded
 * UTF-8 (e.g. an overlong encoding) matches no route: 404 as for any unknown path, so such
 * spellings are answered like every other path no route serves.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const path = request.url.split('?')[0] ?? '';
  if (error.code === 'FST_ERR_BAD_URL') {
    void reply.status(404).send({
      code: 404,
      message: `no route for ${request.method} ${path}: the path is not valid percent-encoded UTF-8`,
      errorCode: 'ERR_ROUTE_NOT_FOUND',
    });
    return;
  }
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  void reply.status(status).send({ code: status, message: `${error.message}`, errorCode: 'ERR_INVALID_FIELD' });
}
