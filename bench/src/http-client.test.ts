import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient, parseChunked, parseHead } from './http-client.js';
import type { HttpClient } from './http-client.js';

const servers: Array<{ close(): void }> = [];
const clients: HttpClient[] = [];

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  for (const server of servers.splice(0)) server.close();
});

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<{ url: string; server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString()));
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => server.close() });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, sockets };
}

function client(url: string, maxSockets?: number, token?: string): HttpClient {
  const created = createHttpClient({ baseUrl: url, ...(maxSockets ? { maxSockets } : {}), ...(token ? { token } : {}) });
  clients.push(created);
  return created;
}

describe('the bench HTTP client', () => {
  it('sends method, path, token and JSON body, and decodes a JSON answer with a content-length', async () => {
    const { url } = await listen((req, res, body) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          method: req.method,
          url: req.url,
          token: req.headers['x-token'],
          type: req.headers['content-type'],
          body: JSON.parse(body),
        }),
      );
    });
    const answer = await client(url, undefined, 'secret').json('POST', '/api/v1/event?x=1', { a: 'ü' });
    expect(answer).toEqual({
      status: 200,
      body: { method: 'POST', url: '/api/v1/event?x=1', token: 'secret', type: 'application/json', body: { a: 'ü' } },
    });
  });

  it('reads a chunked answer, an empty 204 and a non-JSON text', async () => {
    const { url } = await listen((req, res) => {
      if (req.url === '/chunked') {
        res.write('{"part":');
        setTimeout(() => res.end('"two"}'), 5);
      } else if (req.url === '/empty') {
        res.statusCode = 204;
        res.end();
      } else res.end('plain words');
    });
    const http = client(url);
    expect(await http.json('GET', '/chunked')).toEqual({ status: 200, body: { part: 'two' } });
    expect(await http.json('DELETE', '/empty')).toEqual({ status: 204, body: null });
    expect(await http.send('GET', '/text')).toEqual({ status: 200, text: 'plain words' });
  });

  it('reuses one keep-alive connection for requests one after another', async () => {
    const { url, server } = await listen((_req, res) => res.end('ok'));
    let connections = 0;
    server.on('connection', () => connections++);
    const http = client(url);
    for (let i = 0; i < 20; i++) expect((await http.send('GET', '/')).text).toBe('ok');
    expect(connections).toBe(1);
  });

  it('opens at most maxSockets connections and queues the rest', async () => {
    let inFlight = 0;
    let most = 0;
    const { url, server } = await listen((_req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight--;
        res.end('ok');
      }, 5);
    });
    let connections = 0;
    server.on('connection', () => connections++);
    const http = client(url, 3);
    const answers = await Promise.all(Array.from({ length: 12 }, () => http.send('GET', '/')));
    expect(answers.every((a) => a.text === 'ok')).toBe(true);
    expect(most).toBe(3);
    expect(connections).toBe(3);
  });

  it('opens a new connection after the server closed the idle one, and after a connection: close answer', async () => {
    const { url, server, sockets } = await listen((req, res) => {
      if (req.url === '/bye') res.setHeader('connection', 'close');
      res.end('ok');
    });
    let connections = 0;
    server.on('connection', () => connections++);
    const http = client(url, 1);
    await http.send('GET', '/');
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await http.send('GET', '/')).text).toBe('ok');
    expect((await http.send('GET', '/bye')).text).toBe('ok');
    expect((await http.send('GET', '/')).text).toBe('ok');
    expect(connections).toBe(3);
  });

  it('rejects when nothing listens, when the server hangs up mid-answer, and once closed', async () => {
    const tcp = createTcpServer((socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort'));
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => tcp.close() });
    const cut = client(`http://127.0.0.1:${(tcp.address() as AddressInfo).port}`);
    await expect(cut.send('GET', '/')).rejects.toThrow(/before its answer was complete/);

    const gone = await listen((_req, res) => res.end());
    gone.server.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(client(gone.url).send('GET', '/')).rejects.toThrow(/ECONNREFUSED/);

    const http = client(gone.url);
    http.close();
    await expect(http.send('GET', '/')).rejects.toThrow(/is closed/);
  });

  it('parses heads and chunked bodies given in pieces', () => {
    const head = Buffer.from('HTTP/1.1 201 Created\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}');
    expect(parseHead(head.subarray(0, 20))).toBeUndefined();
    expect(parseHead(head)).toEqual({ status: 201, length: head.length - 2, contentLength: 2, chunked: false, close: true });
    expect(() => parseHead(Buffer.from('SSH-2.0\r\n\r\n'))).toThrow(/not an HTTP\/1.1 answer/);
    const chunked = Buffer.from('3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n');
    expect(parseChunked(chunked.subarray(0, 12))).toBeUndefined();
    expect(parseChunked(chunked.subarray(0, chunked.length - 1))).toBeUndefined();
    const whole = parseChunked(chunked);
    expect(whole?.body.toString()).toBe('abcde');
    expect(whole?.length).toBe(chunked.length);
    const trailers = Buffer.from('1\r\na\r\n0\r\nx-t: 1\r\n\r\n');
    expect(parseChunked(trailers)).toEqual({ body: Buffer.from('a'), length: trailers.length });
  });
});
