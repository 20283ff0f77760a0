/**
 * Starts an HTTP server of the agent on its port. A port in use is a configuration error (exit 2)
 * that names the variable choosing the port.
 */
import type { Server } from 'node:http';
import { ConfigError } from '../config/config-error.js';

/** A listening server: the port it got, and how to stop it (open connections closed too). */
export interface ListeningHttp {
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on `port` (0: any free one) of `host`; EADDRINUSE becomes a ConfigError naming `portVariable`. */
export async function listenHttp(server: Server, port: number, host: string, portVariable: string): Promise<ListeningHttp> {
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
