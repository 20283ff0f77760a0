/**
 * Timeouts of the HTTP server, so that idle and slow connections cannot pile up until the process
 * runs out of file descriptors. Node's own checks run every `connectionsCheckingInterval`; it is
 * kept well under the timeouts so they are honoured within a second or two.
 *
 * - headers: from the connection's start (or the end of the previous request) until the headers
 *   have arrived; a connection that never sends a request is closed by it;
 * - request: until the whole request, body included, has arrived (a slow body);
 * - keep-alive: idle time between two requests on one connection.
 *
 * None of them limits how long the server takes to answer, so a long poll parked for a minute is
 * unaffected. The connection cap (`server.maxConnections`) is set when listening.
 *
 * Node's headers timeout only starts once a request has begun: a connection that never sends a
 * byte is never checked (2,000 such connections stayed open for good). {@link closeSilentConnections}
 * closes those itself after the same timeout.
 */
import type { IncomingMessage, Server, ServerOptions as NodeServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import type { ResolvedServerOptions } from '../server-options.js';

/** Fastify and node:http options applying the limits of `options`. */
export function httpLimits(options: Pick<ResolvedServerOptions, 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs'>): {
  requestTimeout: number;
  keepAliveTimeout: number;
  http: NodeServerOptions;
} {
  const checkEveryMs = Math.max(100, Math.min(1000, Math.floor(Math.min(options.headersTimeoutMs, options.requestTimeoutMs) / 4)));
  return {
    // node:http needs the request timeout to be at least the headers timeout.
    requestTimeout: Math.max(options.requestTimeoutMs, options.headersTimeoutMs),
    keepAliveTimeout: options.keepAliveTimeoutMs,
    http: { headersTimeout: options.headersTimeoutMs, connectionsCheckingInterval: checkEveryMs },
  };
}

/**
 * Closes every new connection of `server` that has not sent a whole request head within
 * `headersTimeoutMs` (later idleness is the keep-alive timeout's). Call once, before listening.
 * On an HTTPS server the clock starts once the TLS handshake is done (the request's socket is the
 * TLS socket, not the TCP one); the handshake itself has its own timeout (`handshakeTimeout`).
 */
export function closeSilentConnections(server: Server, headersTimeoutMs: number): void {
  const waiting = new WeakMap<object, NodeJS.Timeout>();
  server.on(server instanceof TlsServer ? 'secureConnection' : 'connection', (socket: Socket) => {
    const timer = setTimeout(() => socket.destroy(), headersTimeoutMs);
    timer.unref();
    waiting.set(socket, timer);
    socket.once('close', () => clearTimeout(timer));
  });
  server.on('request', (request: IncomingMessage) => {
    const timer = waiting.get(request.socket);
    if (timer === undefined) return;
    clearTimeout(timer);
    waiting.delete(request.socket);
  });
}
