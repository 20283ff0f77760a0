/**
 * The JSON body parser of the server: Fastify's own (with its prototype-poisoning checks), except
 * that an empty body is no body where `allowsEmpty` says so, instead of 400 "Body cannot be empty".
 * Keptn's Go handlers never read a DELETE body, and the Keptn Bridge's server sends
 * `Content-Type: application/json` with every call, bodiless DELETEs included; Keptn's clients
 * ping without a body too.
 *
 * A body that cannot hold a `__proto__` or `constructor` key (no such word, no `\u` escape that
 * could spell one, no byte order mark) is parsed with `JSON.parse` alone: Fastify's parser parses
 * it the same way and then scans it with two regular expressions for those keys, which cost a few
 * per cent of the server's time per event under load (issue 13 point 6). Any other body, and any
 * body `JSON.parse` refuses, goes through Fastify's parser and gets its answer.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Replaces the `application/json` parser of `app` (and its children) with one that lets `allowsEmpty` requests have no body. */
export function useJsonParser(app: FastifyInstance, allowsEmpty: (request: FastifyRequest) => boolean): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    if (text === '' && allowsEmpty(request)) return done(null, undefined);
    const parsed = plainJsonText(text) ? parsePlain(text) : undefined;
    if (parsed) return done(null, parsed.value);
    // Called in its callback form: it reports through done, the return value carries nothing.
    void parseJson(request, text, done);
  });
}

/** Whether the text cannot hold a `__proto__` or `constructor` key, however spelled, nor starts with a byte order mark. */
export function plainJsonText(text: string): boolean {
  return text.charCodeAt(0) !== 0xfeff && !text.includes('\\u') && !text.includes('__proto__') && !text.includes('constructor');
}

/** The parsed text, or undefined when it is not JSON. */
function parsePlain(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/** DELETE requests carry no body that anything reads (Keptn's handlers ignore it). */
export const isDelete = (request: FastifyRequest): boolean => request.method === 'DELETE';
