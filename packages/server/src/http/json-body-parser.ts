/**
 * The JSON body parser of the server: Fastify's own (with its prototype-poisoning checks), except
 * that an empty body is no body where `allowsEmpty` says so, instead of 400 "Body cannot be empty".
 * Keptn's Go handlers never read a DELETE body, and the Keptn Bridge's server sends
 * `Content-Type: application/json` with every call, bodiless DELETEs included; Keptn's clients
 * ping without a body too.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Replaces the `application/json` parser of `app` (and its children) with one that lets `allowsEmpty` requests have no body. */
export function useJsonParser(app: FastifyInstance, allowsEmpty: (request: FastifyRequest) => boolean): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    if (text === '' && allowsEmpty(request)) done(null, undefined);
    // Called in its callback form: it reports through done, the return value carries nothing.
    else void parseJson(request, text, done);
  });
}

/** DELETE requests carry no body that anything reads (Keptn's handlers ignore it). */
export const isDelete = (request: FastifyRequest): boolean => request.method === 'DELETE';
