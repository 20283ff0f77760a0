/**
 * A connection that never sends a byte is closed after the headers timeout. Node's own headers
 * timeout only starts with a request, so this needs the server's own reaper; it is tested on a
 * real process because under the test runner Node happens to close such connections by itself.
 */
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';

describe('connection limits on a real server', () => {
  let server: ServerProcess | undefined;

  afterAll(async () => {
    await server?.stop();
  });

  it('closes 200 connections that never send a request after SHIPMATE_HEADERS_TIMEOUT, and keeps serving', async () => {
    server = await startServerProcess({ env: { SHIPMATE_HEADERS_TIMEOUT: '1s' } });
    const started = Date.now();
    const closedAfter = await Promise.all(
      Array.from(
        { length: 200 },
        () =>
          new Promise<number>((resolve) => {
            const socket = connect(server!.port, '127.0.0.1');
            socket.on('error', () => undefined);
            socket.on('close', () => resolve(Date.now() - started));
          }),
      ),
    );
    expect(Math.min(...closedAfter)).toBeGreaterThanOrEqual(900);
    expect(Math.max(...closedAfter)).toBeLessThan(10_000);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
