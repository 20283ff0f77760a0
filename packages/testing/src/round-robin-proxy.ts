/**
 * A small TCP load balancer for tests with several control-plane replicas: each new connection
 * goes to the next backend in turn; a backend that refuses the connection (stopped, killed) is
 * skipped for that connection. A connection stays with its backend until either side closes it, as
 * behind a Kubernetes Service, so a replica that dies resets the connections it held and the
 * clients' next connections go to the others.
 */
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

/** A running proxy. */
export interface RoundRobinProxy {
  readonly port: number;
  readonly url: string;
  /** Connections handed to each backend port so far. */
  readonly connections: ReadonlyMap<number, number>;
  close(): Promise<void>;
}

/** Connects to `port`, or rejects when it refuses. */
function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Starts the proxy on a free loopback port in front of `backends` (ports on 127.0.0.1). */
export async function startRoundRobinProxy(backends: readonly number[]): Promise<RoundRobinProxy> {
  if (backends.length === 0) throw new Error('startRoundRobinProxy needs at least one backend port');
  let next = 0;
  const open = new Set<Socket>();
  const connections = new Map<number, number>();

  async function forward(client: Socket): Promise<void> {
    open.add(client);
    client.once('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    for (let tried = 0; tried < backends.length; tried++) {
      const port = backends[next % backends.length] ?? 0;
      next += 1;
      let upstream: Socket;
      try {
        upstream = await dial(port);
      } catch {
        continue;
      }
      connections.set(port, (connections.get(port) ?? 0) + 1);
      open.add(upstream);
      upstream.once('close', () => {
        open.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => upstream.destroy());
      client.once('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
      return;
    }
    client.destroy();
  }

  const server: Server = createServer((client) => void forward(client));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
