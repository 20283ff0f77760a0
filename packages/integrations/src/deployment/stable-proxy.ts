/**
 * The stable address of one service in one stage: a reverse proxy (node:http) on a port that
 * stays the same across versions, forwarding each request to the version serving now. Switching
 * changes where the next request goes, also on client connections kept alive across the switch;
 * requests already forwarded finish against their version ({@link StableProxy.drained} waits for
 * them before that version is stopped). A bodiless request whose upstream connection fails before
 * an answer (a kept-alive socket closing as it was reused) is sent once more to the version
 * serving then. WebSocket upgrades are not forwarded.
 */
import { Agent, createServer, request } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running proxy. */
export interface StableProxy {
  readonly port: number;
  /** The version's port requests go to now; undefined answers 503. */
  target: number | undefined;
  /** Requests forwarded to `port` and not yet answered completely. */
  inFlight(port: number): number;
  /** Resolves once no request to `port` is in flight, or after `timeoutMs`. */
  drained(port: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

// Hop-by-hop headers (RFC 9110 7.6.1) are the proxy's own business on each side.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);
const RETRYABLE = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE']);
const BODILESS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
  return out;
}

/** Starts a proxy on `host:port` (port 0: any free port); `name` appears in its 502/503 answers. */
export async function startStableProxy(port: number, host: string, name: string): Promise<StableProxy> {
  const agent = new Agent({ keepAlive: true, maxFreeSockets: 64 });
  const inFlight = new Map<number, number>();
  const count = (upstream: number, delta: number): void => {
    const next = (inFlight.get(upstream) ?? 0) + delta;
    if (next <= 0) inFlight.delete(upstream);
    else inFlight.set(upstream, next);
  };

  const answer = (res: ServerResponse, status: number, message: string): void => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
  };

  function forward(req: IncomingMessage, res: ServerResponse, attempt: number): void {
    const upstream = proxy.target;
    if (upstream === undefined) return answer(res, 503, `no version of ${name} is deployed`);
    const bodiless = BODILESS.has(req.method ?? '') && req.headers['content-length'] === undefined && !req.headers['transfer-encoding'];
    const headers = endToEnd(req.headers);
    const remote = req.socket.remoteAddress;
    if (remote)
      headers['x-forwarded-for'] = req.headers['x-forwarded-for'] ? `${String(req.headers['x-forwarded-for'])}, ${remote}` : remote;
    if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;
    count(upstream, 1);
    let counted = true;
    const release = (): void => {
      if (counted) count(upstream, -1);
      counted = false;
    };
    const outgoing = request({ host: '127.0.0.1', port: upstream, method: req.method, path: req.url, headers, agent }, (incoming) => {
      res.writeHead(incoming.statusCode ?? 502, incoming.statusMessage, endToEnd(incoming.headers));
      incoming.pipe(res);
      incoming.once('end', release);
      incoming.once('close', release);
      incoming.once('error', () => {
        release();
        res.destroy();
      });
    });
    outgoing.once('error', (error: NodeJS.ErrnoException) => {
      release();
      if (!res.headersSent && bodiless && attempt === 0 && RETRYABLE.has(error.code ?? '')) return forward(req, res, 1);
      answer(res, 502, `${name}: the version on port ${upstream} did not answer: ${error.code ?? error.message}`);
    });
    res.once('close', () => {
      if (!res.writableFinished) outgoing.destroy();
    });
    if (bodiless) outgoing.end();
    else req.pipe(outgoing);
  }

  const server = createServer((req, res) => forward(req, res, 0));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const proxy: StableProxy = {
    port: (server.address() as AddressInfo).port,
    target: undefined,
    inFlight: (upstream) => inFlight.get(upstream) ?? 0,
    async drained(upstream, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while ((inFlight.get(upstream) ?? 0) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
  return proxy;
}
