import { afterEach, describe, expect, it } from 'vitest';
import { createServer, request } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { watchClientGone } from './client-gone.js';
import type { ClientGone } from './client-gone.js';

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server that hands each request's response and watcher to `onRequest`; returns its port. */
async function serve(onRequest: (response: ServerResponse, gone: ClientGone) => void): Promise<number> {
  server = createServer((_request, response) => onRequest(response, watchClientGone(response)));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return (server?.address() as AddressInfo).port;
}

describe('watchClientGone', () => {
  it('aborts once, calling each listener, when the client goes away before the answer', async () => {
    const calls: string[] = [];
    let watched: ClientGone | undefined;
    const port = await serve((_response, gone) => {
      watched = gone;
      gone.signal.addEventListener('abort', () => calls.push('first'));
      gone.signal.addEventListener('abort', () => calls.push('second'));
    });
    const client = request({ host: '127.0.0.1', port, path: '/' });
    client.on('error', () => undefined);
    client.end();
    await expect.poll(() => watched).toBeDefined();
    client.destroy();
    await expect.poll(() => watched?.signal.aborted).toBe(true);
    watched?.end();
    expect(calls).toEqual(['first', 'second']);
  });

  it('does not abort for an answered request, stops listening on end, and then ends the waits still on it', async () => {
    const calls: string[] = [];
    let closeListeners = -1;
    let aborted: boolean | undefined;
    const port = await serve((response, gone) => {
      const before = response.listenerCount('close');
      const removed = () => calls.push('removed');
      gone.signal.addEventListener('abort', removed);
      gone.signal.removeEventListener('abort', removed);
      gone.signal.addEventListener('abort', () => calls.push('still waiting'));
      response.end('ok', () => {
        aborted = gone.signal.aborted;
        gone.end();
        closeListeners = response.listenerCount('close') - before;
      });
    });
    const body = await new Promise<string>((resolve) => {
      request({ host: '127.0.0.1', port, path: '/' }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(text));
      }).end();
    });
    expect(body).toBe('ok');
    await expect.poll(() => closeListeners).toBe(-1);
    expect(aborted).toBe(false);
    expect(calls).toEqual(['still waiting']);
  });
});
