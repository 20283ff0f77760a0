/** One row of the bad-input table tests: a request that must get a clear 4xx, and how to send it. */
import type { InProcessServer, Reply } from './in-process-server.js';

/** A request and the 4xx it must get. */
export interface BadInputCase {
  name: string;
  method: string;
  url: string;
  /** JSON body (ignored when `raw` is set). */
  body?: unknown;
  /** Body sent as is, for malformed JSON and oversized bodies. */
  raw?: string;
  status: number;
  /** Expected `errorCode`, when the table checks it. */
  errorCode?: string;
  /** Pattern the message must match. */
  message?: RegExp;
}

/** Sends the case's request with the test token (to `url`, when the table fills in ids). */
export function sendBadInput(api: InProcessServer, c: BadInputCase, url = c.url): Promise<Reply> {
  return c.raw === undefined ? api.call(c.method, url, c.body) : api.raw(c.method, url, c.raw);
}
