/**
 * Sends one webhook request with node:http(s) to an address the policy checked (the host name is
 * not resolved again: the connection's lookup answers with that address, while the Host header
 * and TLS server name stay the URL's). Redirects are not followed (as curl without `-L`, what
 * Keptn ran). The response body is read up to a cap; a longer one is cut and says so.
 */
import { request as httpRequest } from 'node:http';
import type { IncomingMessage, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { CheckedTarget } from './webhook-address-policy.js';

/** A rendered request. */
export interface OutgoingRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  readonly payload: string;
}

/** The answer. */
export interface WebhookResponse {
  readonly status: number;
  /** The body as text, cut at the cap (then ending with a note). */
  readonly body: string;
  readonly truncated: boolean;
  /** The Location header of a redirect. */
  readonly location?: string;
}

/** Limits of one request. */
export interface SendLimits {
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

/** Sends `outgoing` to `target`; rejects on a network error, the timeout or `signal`. */
export function sendWebhookRequest(
  outgoing: OutgoingRequest,
  target: CheckedTarget,
  limits: SendLimits,
  signal: AbortSignal,
): Promise<WebhookResponse> {
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const headers: Record<string, string> = {};
  for (const header of outgoing.headers) headers[header.key] = header.value;
  const body = outgoing.method === 'GET' || outgoing.method === 'HEAD' ? '' : outgoing.payload;
  const has = (name: string) => Object.keys(headers).some((key) => key.toLowerCase() === name);
  // curl --data (what Keptn ran) sends a form content type unless the webhook names one.
  if (body !== '' && !has('content-type')) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  if (body !== '') headers['Content-Length'] = String(Buffer.byteLength(body));
  const url = outgoing.url;
  const options: RequestOptions = {
    method: outgoing.method,
    headers,
    lookup,
    agent: false,
    ...(url.username || url.password ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` } : {}),
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  if (signal.aborted) return Promise.reject(new Error('the task was aborted'));
  return new Promise<WebhookResponse>((resolve, reject) => {
    let settled = false;
    // Callbacks run later, once `request`, `timer` and `onAbort` exist.
    const finish = (error: Error | undefined, response?: WebhookResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (error) {
        request.destroy();
        reject(error);
      } else resolve(response!);
    };
    const request = send(url, options, (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const done = () => {
        let text = Buffer.concat(chunks).toString('utf8');
        if (truncated) text += `\n[response truncated after ${limits.maxResponseBytes} bytes]`;
        const location = response.headers.location;
        finish(undefined, { status: response.statusCode ?? 0, body: text, truncated, ...(location ? { location } : {}) });
      };
      response.on('data', (chunk: Buffer) => {
        if (truncated) return;
        const room = limits.maxResponseBytes - size;
        if (chunk.length > room) {
          chunks.push(chunk.subarray(0, room));
          truncated = true;
          done();
          response.destroy();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      response.on('end', done);
      response.on('error', (error) => finish(error));
    });
    const timer = setTimeout(() => finish(new Error(`no complete answer within ${limits.timeoutMs} ms`)), limits.timeoutMs);
    const onAbort = () => finish(new Error('the task was aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error) => finish(error));
    request.end(body === '' ? undefined : body);
  });
}
