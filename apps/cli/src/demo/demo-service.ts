/**
 * The demo's sample HTTP service (`shipmate demo` deploys it): `node demo-service.js --version
 * fast|slow` listens on PORT (the deployment integration gives each version its own) and answers
 * `GET /` with its version after a delay (fast: 5 ms, slow: 400 ms) and `GET /health` at once.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

/** Delay of each version in milliseconds. */
const DEMO_LATENCY_MS: Readonly<Record<string, number>> = Object.freeze({ fast: 5, slow: 400 });

const { values } = parseArgs({ options: { version: { type: 'string', default: 'fast' } } });
const version = values.version ?? 'fast';
const delayMs = DEMO_LATENCY_MS[version];
if (delayMs === undefined) {
  process.stderr.write(`demo-service: --version '${version}' is not one of ${Object.keys(DEMO_LATENCY_MS).join(', ')}\n`);
  process.exit(2);
}
const server = createServer((request, response) => {
  if (request.url === '/health') {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  setTimeout(() => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ service: 'carts', version }));
  }, delayMs);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`carts ${version} listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
