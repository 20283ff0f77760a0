import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPlainHttp } from './plain-http-check.js';
import { closeServer, listenHttp } from '../test-support/loopback-http.js';
import type { Server } from 'node:http';

describe('checkPlainHttp', () => {
  let http: Server;
  let port: number;

  beforeAll(async () => {
    ({ server: http, port } = await listenHttp((_request, response) => response.end()));
  });

  afterAll(async () => {
    await closeServer(http);
  });

  const endpoint = (p: number) => ({ base: `http://127.0.0.1:${p}/api`, secure: false, host: '127.0.0.1', port: p });

  it('passes an HTTP server', async () => {
    expect(await checkPlainHttp(endpoint(port), '127.0.0.1', 2000)).toMatchObject({ ok: true });
  });

  it('fails a port that accepts but does not speak HTTP or TLS', async () => {
    // resume(): a paused socket never sees the peer's FIN, and close() would wait for it forever.
    const silent = createServer((socket) => socket.resume().end());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as AddressInfo).port;
    try {
      const result = await checkPlainHttp(endpoint(silentPort), '127.0.0.1', 1000);
      expect(result).toMatchObject({ ok: false, summary: `HTTP: no HTTP answer from 127.0.0.1:${silentPort}` });
    } finally {
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('recognizes the "plain HTTP request was sent to HTTPS port" answer of nginx', async () => {
    const nginx = createServer((socket) =>
      socket.once('data', () =>
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\nThe plain HTTP request was sent to HTTPS port'),
      ),
    );
    await new Promise<void>((resolve) => nginx.listen(0, '127.0.0.1', resolve));
    const nginxPort = (nginx.address() as AddressInfo).port;
    try {
      const result = await checkPlainHttp(endpoint(nginxPort), '127.0.0.1', 1000);
      expect(result).toMatchObject({ ok: false, fix: expect.stringMatching(/^this port speaks TLS: use https:\/\//) });
    } finally {
      await new Promise((resolve) => nginx.close(resolve));
    }
  });
});
