/**
 * What the NATS tests share: the server they use ({@link TEST_NATS_URL_ENV}, the machine's NATS with
 * JetStream on loopback by default), names unique per test so that test files running at once on
 * one server never hear each other, and a TCP proxy in front of the server whose connections a test
 * can cut, to see a client lose its real connection and come back.
 */
import { randomBytes } from 'node:crypto';
import { createConnection, createServer } from 'node:net';
import type { Socket } from 'node:net';

/** Environment variable naming the NATS server (with JetStream) the tests use. */
export const TEST_NATS_URL_ENV = 'SHIPMATE_TEST_NATS_URL';

/** The server the tests use unless {@link TEST_NATS_URL_ENV} names another. */
export const DEFAULT_TEST_NATS_URL = 'nats://127.0.0.1:4222';

/** How to start the test server when it is down (what .ci/run's `ensure_service nats` does). */
export const START_TEST_NATS =
  'start it with JetStream, e.g. nats-server -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server (what .ci/run does)';

/** The URL of the test server: {@link TEST_NATS_URL_ENV}, else {@link DEFAULT_TEST_NATS_URL}. */
export function testNatsUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env[TEST_NATS_URL_ENV] || DEFAULT_TEST_NATS_URL;
}

/** A name no other test uses, valid as a NATS subject token, stream and consumer name: `<prefix>_<hex>`. */
export function uniqueNatsName(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** A TCP proxy on a loopback port that forwards to the NATS server. */
export interface CuttableNatsProxy {
  /** `nats://127.0.0.1:<port>` of the proxy. */
  readonly url: string;
  /** Connections currently forwarded. */
  readonly openConnections: number;
  /** Destroys every forwarded connection (both sides), as a network failure would; new ones are still accepted. */
  cutConnections(): void;
  /** While true, new connections are closed at once (the server looks down); false accepts them again. */
  refuseConnections(refuse: boolean): void;
  close(): Promise<void>;
}

/** Starts a proxy in front of `target` (a nats:// URL); an unreachable target fails with how to start it. */
export async function startCuttableNatsProxy(target: string = testNatsUrl()): Promise<CuttableNatsProxy> {
  const { hostname, port } = new URL(target);
  const pairs = new Set<[Socket, Socket]>();
  let refusing = false;
  const server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: hostname, port: Number(port || 4222) });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the NATS proxy has no port');
  const proxy: CuttableNatsProxy = {
    url: `nats://127.0.0.1:${address.port}`,
    get openConnections() {
      return pairs.size;
    },
    cutConnections() {
      for (const [client, upstream] of [...pairs]) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
    },
    refuseConnections(refuse) {
      refusing = refuse;
    },
    close() {
      proxy.cutConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
