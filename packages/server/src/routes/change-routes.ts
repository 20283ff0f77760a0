/**
 * `GET /api/shipmate/v1/changes` (Shipmate extension): server-sent events that say which projects
 * changed, so the web UI reloads what it shows without polling. It needs the token like every API
 * call; browsers cannot send a header with `EventSource`, so the UI reads it with `fetch` (never
 * with the token in the URL). The stream:
 *
 * - `event: ready` once connected (the client knows it is live, and re-reads what it shows);
 * - `event: change` with `{"projects": ["shop"], "topics": ["integrations"]}` after changes
 *   (gathered per `changeCoalesceMs`; topics: `integrations` for registrations, instances,
 *   subscriptions and the error log, `secrets` for secret writes);
 * - a `: ping` comment every 15 s, so proxies keep the connection and dead peers are noticed.
 *
 * The stream ends when the client goes or the server closes; clients reconnect (`retry: 3000`).
 */
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ChangeBatch, ChangeFeed } from '../changes/change-feed.js';
import { errorResponses } from '@shipmate/api';

/** The path of the change stream. */
export const CHANGES_PATH = '/api/shipmate/v1/changes';

/** How often an idle stream sends a comment line. */
const PING_MS = 15_000;

/** One server-sent event. */
function sseEvent(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Registers the change stream. */
export function registerChangeRoutes(app: FastifyInstance, changes: ChangeFeed): void {
  app.get(
    CHANGES_PATH,
    {
      schema: {
        tags: ['ui'],
        summary:
          'Shipmate: server-sent events (text/event-stream) naming the projects and topics that changed: `ready` once, then `change` with {"projects": [...], "topics": [...]}; the stream stays open',
        response: {
          200: {
            description:
              'text/event-stream: `event: ready`, then `event: change` with `data: {"projects": ["shop"], "topics": ["integrations"]}`',
            type: 'string',
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const stream = new PassThrough();
      let ended = false;
      let unsubscribe = () => {};
      const ping = setInterval(() => stream.write(': ping\n\n'), PING_MS);
      ping.unref();
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(ping);
        unsubscribe();
        stream.end();
      };
      // The answer ended: the client went away (closed tab, lost network), or the stream ended.
      reply.raw.once('close', end);
      unsubscribe = changes.subscribe((batch: ChangeBatch) => {
        if (!ended) stream.write(sseEvent('change', { projects: batch.projects, topics: batch.topics }));
      }, end);
      if (!ended) stream.write(`retry: 3000\n${sseEvent('ready', {})}`);
      return (
        reply
          .status(200)
          .header('content-type', 'text/event-stream; charset=utf-8')
          .header('cache-control', 'no-cache, no-transform')
          .header('x-accel-buffering', 'no')
          // The connection ends with the stream: a closing server then waits for no kept-alive socket.
          .header('connection', 'close')
          .send(stream)
      );
    },
  );
}
