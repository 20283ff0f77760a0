/**
 * Keep-alive HTTP/1.1 client on plain TCP sockets: JSON in, text or JSON out, one request at a time
 * per connection. {@link HttpClient.send} takes a pre-encoded body and returns the raw text (the
 * timed reads of (h)); everything else uses {@link HttpClient.json}.
 *
 * Why not `node:http`: the bench is the load generator of its figures and shares the machine's
 * cores with the server, so its own cost per request is taken from the server. In (a) its executor
 * sends about eight requests per sequence, and on `node:http`'s client (a ClientRequest, an
 * IncomingMessage, the Agent's bookkeeping and header checks per request) the bench used about
 * half a core beside the server's one (bench/README.md). Here a request is one string written to a
 * socket and an answer is its status line, its `content-length` (or chunks) and its bytes: the
 * subset of HTTP/1.1 that the servers the bench talks to (Shipmate, its agent's local surface, the
 * recipient, the replicas' proxy) answer with.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';

/** A response with its body as text. */
export interface TextResponse {
  status: number;
  text: string;
}

/** A response with its body JSON-decoded (`null` when empty). */
export interface JsonResponse {
  status: number;
  body: unknown;
}

/** Options of {@link createHttpClient}. */
export interface HttpClientOptions {
  /** e.g. `http://127.0.0.1:8080` */
  baseUrl: string;
  /** Sent as `x-token` when set. */
  token?: string;
  /** Upper bound of open connections. @default 64 */
  maxSockets?: number;
}

/** A client bound to one server. */
export interface HttpClient {
  readonly baseUrl: string;
  /** True once closed: further requests reject. */
  readonly closed: boolean;
  /** Sends `body` (already JSON-encoded) and resolves with the response text. */
  send(method: string, path: string, body?: Buffer): Promise<TextResponse>;
  /** JSON-encodes `body`, sends it, and JSON-decodes the response. */
  json(method: string, path: string, body?: unknown): Promise<JsonResponse>;
  /** Closes the idle keep-alive connections. */
  close(): void;
}

/** Clients not closed yet, for {@link closeAllClients}. */
const openClients = new Set<HttpClient>();
let allClosed = false;

/** Closes every client, and makes clients created later start closed (on interrupt, so that servers can shut down). */
export function closeAllClients(): void {
  allClosed = true;
  for (const client of openClients) client.close();
}

/**
 * A connection idle this long is closed instead of reused: below the 5 s keep-alive timeout of a
 * default `node:http` server, so a request is never written to a socket its server is closing.
 */
const IDLE_REUSE_MS = 4_000;
const HEAD_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/** One request on its way. */
interface Exchange {
  readonly method: string;
  readonly request: Buffer;
  readonly resolve: (response: TextResponse) => void;
  readonly reject: (error: Error) => void;
}

/** What the head of an answer says about its body. */
interface Head {
  status: number;
  /** Bytes of the head, blank line included. */
  length: number;
  contentLength?: number;
  chunked: boolean;
  close: boolean;
}

/** The head at the start of `data`, or undefined while it is incomplete; throws for a malformed one. */
export function parseHead(data: Buffer): Head | undefined {
  const end = data.indexOf(HEAD_END);
  if (end < 0) return undefined;
  const lines = data.toString('latin1', 0, end).split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!match) throw new Error(`not an HTTP/1.1 answer: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  const head: Head = { status: Number(match[1]), length: end + HEAD_END.length, chunked: false, close: false };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line
      .slice(colon + 1)
      .trim()
      .toLowerCase();
    if (name === 'content-length') head.contentLength = Number(value);
    else if (name === 'transfer-encoding') head.chunked = value.split(',').some((coding) => coding.trim() === 'chunked');
    else if (name === 'connection') head.close = value.split(',').some((option) => option.trim() === 'close');
  }
  if (head.contentLength !== undefined && !(Number.isInteger(head.contentLength) && head.contentLength >= 0)) {
    throw new Error(`bad content-length in answer: ${String(head.contentLength)}`);
  }
  return head;
}

/**
 * The body of a chunked answer from `data` (which starts after the head), or undefined while it is
 * incomplete; trailers are skipped.
 */
export function parseChunked(data: Buffer): { body: Buffer; length: number } | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf(CRLF, at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(data.toString('latin1', at, lineEnd).split(';')[0]!.trim(), 16);
    if (!Number.isInteger(size) || size < 0) throw new Error('bad chunk size in answer');
    at = lineEnd + CRLF.length;
    if (size === 0) {
      // The last chunk's line, any trailer lines, then an empty line: the body ends at the first blank line from here.
      const end = data.indexOf(HEAD_END, at - CRLF.length);
      if (end < 0) return undefined;
      return { body: parts.length === 1 ? parts[0]! : Buffer.concat(parts), length: end + HEAD_END.length };
    }
    if (data.length < at + size + CRLF.length) return undefined;
    parts.push(data.subarray(at, at + size));
    at += size + CRLF.length;
  }
}

/** Whether an answer to `method` with status `status` has a body at all (RFC 9112, 6.3). */
function hasBody(method: string, status: number): boolean {
  return method !== 'HEAD' && status !== 204 && status !== 304 && !(status >= 100 && status < 200);
}

/** One keep-alive connection: one exchange at a time. */
class Connection {
  private readonly socket: Socket;
  private current: Exchange | undefined;
  private received: Buffer[] = [];
  private receivedBytes = 0;
  private head: Head | undefined;
  /** Bytes the answer has at least (its head and `content-length`), once its head is read: fewer wait for more data. */
  private needed = 0;
  private ended = false;
  /** The pool was told this connection is gone (it is told once). */
  private released = false;
  /** When the connection last finished an exchange (performance.now()). */
  idleSince = 0;

  constructor(
    host: string,
    port: number,
    private readonly onDone: (connection: Connection, reusable: boolean) => void,
  ) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.onClose());
    this.socket.on('end', () => this.onEnd());
  }

  get usable(): boolean {
    return !this.ended && !this.socket.destroyed;
  }

  start(exchange: Exchange): void {
    this.current = exchange;
    this.received = [];
    this.receivedBytes = 0;
    this.head = undefined;
    this.needed = 0;
    this.socket.write(exchange.request);
  }

  destroy(): void {
    this.ended = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (!this.current) {
      this.fail(new Error('the server sent bytes no request asked for'));
      return;
    }
    this.received.push(chunk);
    this.receivedBytes += chunk.length;
    if (this.receivedBytes < this.needed) return;
    try {
      this.tryComplete(false);
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Resolves the exchange once its answer is whole; `atEnd`: the server closed, which ends a body without a length. */
  private tryComplete(atEnd: boolean): void {
    const exchange = this.current;
    if (!exchange) return;
    const data = this.received.length === 1 ? this.received[0]! : Buffer.concat(this.received, this.receivedBytes);
    this.received = [data];
    if (!this.head) {
      this.head = parseHead(data);
      if (this.head?.contentLength !== undefined && !this.head.chunked) this.needed = this.head.length + this.head.contentLength;
    }
    const head = this.head;
    if (!head) return;
    let body: Buffer;
    let used: number;
    if (!hasBody(exchange.method, head.status)) {
      body = Buffer.alloc(0);
      used = head.length;
    } else if (head.chunked) {
      const chunked = parseChunked(data.subarray(head.length));
      if (!chunked) return;
      body = chunked.body;
      used = head.length + chunked.length;
    } else if (head.contentLength !== undefined) {
      if (data.length < head.length + head.contentLength) return;
      body = data.subarray(head.length, head.length + head.contentLength);
      used = head.length + head.contentLength;
    } else {
      // No length: the body runs to the end of the connection.
      if (!atEnd) return;
      body = data.subarray(head.length);
      used = data.length;
      head.close = true;
    }
    if (used !== data.length) throw new Error(`the server sent ${data.length - used} bytes more than its answer`);
    this.current = undefined;
    this.received = [];
    exchange.resolve({ status: head.status, text: body.toString() });
    if (head.close) this.destroy();
    this.release(!head.close);
  }

  /** Tells the pool the exchange ended: the connection can take the next one, or it is gone (said once). */
  private release(reusable: boolean): void {
    if (!reusable) {
      if (this.released) return;
      this.released = true;
    }
    this.onDone(this, reusable);
  }

  private onEnd(): void {
    this.ended = true;
    if (this.current) {
      try {
        this.tryComplete(true);
      } catch (error) {
        this.fail(error instanceof Error ? error : new Error(String(error)));
        return;
      }
    }
    if (this.current) this.fail(new Error('the server closed the connection before its answer was complete'));
    this.socket.end();
  }

  private onClose(): void {
    this.ended = true;
    if (this.current) this.fail(new Error('the connection closed before the answer was complete'));
    // Closed while idle (by the server): no longer counts against maxSockets.
    else this.release(false);
  }

  private fail(error: Error): void {
    const exchange = this.current;
    this.current = undefined;
    this.destroy();
    if (exchange) {
      exchange.reject(error);
      this.release(false);
    }
  }
}

/** Creates a keep-alive client for `baseUrl`. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const url = new URL(options.baseUrl);
  if (url.protocol !== 'http:') throw new Error(`the bench's HTTP client speaks http only, not ${url.protocol} (${options.baseUrl})`);
  const maxSockets = options.maxSockets ?? 64;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 80);
  const fixedHeaders = `host: ${url.host}\r\n${options.token ? `x-token: ${options.token}\r\n` : ''}`;
  const idle: Connection[] = [];
  const open = new Set<Connection>();
  const queue: Exchange[] = [];
  let closed = allClosed;

  function done(connection: Connection, reusable: boolean): void {
    if (!reusable || closed) {
      open.delete(connection);
      connection.destroy();
    } else {
      connection.idleSince = performance.now();
      idle.push(connection);
    }
    const next = queue.shift();
    if (next) dispatch(next);
  }

  function dispatch(exchange: Exchange): void {
    for (let connection = idle.pop(); connection; connection = idle.pop()) {
      if (connection.usable && performance.now() - connection.idleSince < IDLE_REUSE_MS) {
        connection.start(exchange);
        return;
      }
      open.delete(connection);
      connection.destroy();
    }
    if (open.size >= maxSockets) {
      queue.push(exchange);
      return;
    }
    const connection = new Connection(host, port, done);
    open.add(connection);
    connection.start(exchange);
  }

  function send(method: string, path: string, body?: Buffer): Promise<TextResponse> {
    if (closed) return Promise.reject(new Error(`client of ${options.baseUrl} is closed`));
    const head =
      `${method} ${path} HTTP/1.1\r\n${fixedHeaders}` +
      (body
        ? `content-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`
        : method === 'GET'
          ? '\r\n'
          : 'content-length: 0\r\n\r\n');
    const request = body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
    return new Promise((resolve, reject) => dispatch({ method, request, resolve, reject }));
  }

  const client: HttpClient = {
    baseUrl: options.baseUrl,
    get closed() {
      return closed;
    },
    send,
    async json(method, path, body) {
      const response = await send(method, path, body === undefined ? undefined : Buffer.from(JSON.stringify(body)));
      let parsed: unknown = null;
      if (response.text) {
        try {
          parsed = JSON.parse(response.text);
        } catch {
          parsed = response.text;
        }
      }
      return { status: response.status, body: parsed };
    },
    close() {
      closed = true;
      for (const connection of open) connection.destroy();
      open.clear();
      idle.length = 0;
      for (const exchange of queue.splice(0)) exchange.reject(new Error(`client of ${options.baseUrl} is closed`));
      openClients.delete(client);
    },
  };
  openClients.add(client);
  return client;
}

/** Throws unless `response.status` is `expected`; the message names the call and shows the body. */
export function expectStatus(response: JsonResponse, expected: number, what: string): void {
  if (response.status !== expected) {
    throw new Error(`${what}: expected HTTP ${expected}, got ${response.status} ${JSON.stringify(response.body)}`);
  }
}
