/**
 * Keep-alive HTTP/1.1 client on `node:http`: one Agent per target, JSON in, text or JSON out.
 * {@link HttpClient.send} takes a pre-encoded body and returns the raw text (the timed reads of (h));
 * everything else uses {@link HttpClient.json}.
 */
import { Agent, request } from 'node:http';

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

/** Creates a keep-alive client for `baseUrl`. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const url = new URL(options.baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });
  let closed = allClosed;
  const hostname = url.hostname;
  const port = Number(url.port || 80);
  const baseHeaders: Record<string, string> = options.token ? { 'x-token': options.token } : {};

  function send(method: string, path: string, body?: Buffer): Promise<TextResponse> {
    const headers = body ? { ...baseHeaders, 'content-type': 'application/json', 'content-length': String(body.length) } : baseHeaders;
    if (closed) return Promise.reject(new Error(`client of ${options.baseUrl} is closed`));
    return new Promise((resolve, reject) => {
      const req = request({ agent, hostname, port, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString() }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
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
      agent.destroy();
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
