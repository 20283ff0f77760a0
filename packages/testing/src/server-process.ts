/**
 * Starts the real `shipmate server` process on loopback for end-to-end tests and benchmarks,
 * waits until `/health` answers, and stops it with SIGTERM or SIGKILL.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnShipmate, waitUntilReady } from './shipmate-process.js';
import type { ShipmateProcess } from './shipmate-process.js';

/** Options of {@link startServerProcess}. */
export interface ServerProcessOptions {
  /** Reuse a data dir (restart after a crash); a fresh temp dir by default. */
  dataDir?: string;
  /** Port to use; a free one by default. */
  port?: number;
  token?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Limit of open file descriptors of the process (`ulimit -n`). @default inherited */
  maxOpenFiles?: number;
  /** How long to wait for /health. @default 20000 */
  startTimeoutMs?: number;
  /** `up` runs the control plane with the local execution plane. @default 'server' */
  command?: 'server' | 'up';
  /** More command-line arguments (e.g. `--log-format text`). */
  args?: readonly string[];
  /** Leave SHIPMATE_API_TOKEN unset (the server generates one; `token` is then ''). */
  generatedToken?: boolean;
}

/** A running server process. */
export interface ServerProcess extends ShipmateProcess {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly token: string;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Starts `shipmate server` and resolves once `/health` answers 200. */
export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'shipmate-e2e-'));
  const token = options.generatedToken ? '' : (options.token ?? 'e2e-token');
  const process = spawnShipmate(
    [options.command ?? 'server', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, ...(options.args ?? [])],
    {
      ...(options.generatedToken ? {} : { SHIPMATE_API_TOKEN: token }),
      SHIPMATE_LOG_LEVEL: 'warn',
      ...options.env,
    },
    options.maxOpenFiles === undefined ? {} : { maxOpenFiles: options.maxOpenFiles },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(process, 'shipmate server', async () => (await fetch(`${url}/health`)).ok, options.startTimeoutMs ?? 20_000);
  return { ...process, url, port, dataDir, token };
}
