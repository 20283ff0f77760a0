/** Starts a node:http server of the agent on a port, naming the variable to change when it is in use. */
import type { Server } from 'node:http';
import { ConfigError } from '../config/config-error.js';

/** A listening server: its port (the bound one when 0 was asked) and how to close it with its connections. */
export interface Listening {
  readonly port: number;
  readonly close: () => Promise<void>;
}

/** Listens on `host:port`; EADDRINUSE becomes a ConfigError telling to set `portVariable` to a free port. */
export async function listenHttp(server: Server, port: number, host: string, portVariable: string): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new ConfigError(`${portVariable} ${port} on ${host} is in use: set ${portVariable} to a free port`)
          : error,
      ),
    );
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
