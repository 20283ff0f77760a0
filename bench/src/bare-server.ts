/**
 * The baseline for figure (b): a bare `node:http` server that reads a small JSON POST body,
 * parses it, and answers `{"ok":true}`; `GET /health` answers 200. Run as
 * `node bench/dist/bare-server.js --port <port>`; SIGTERM stops it.
 */
import { createServer } from 'node:http';

const portIndex = process.argv.indexOf('--port');
const port = Number(portIndex >= 0 ? process.argv[portIndex + 1] : 0);
const OK = Buffer.from('{"ok":true}');

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': OK.length }).end(OK);
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString());
    } catch {
      body = undefined;
    }
    if (typeof body !== 'object' || body === null) {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"ok":false}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': OK.length }).end(OK);
  });
});

server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
