/**
 * Waits until a started version is ready: `GET <path>` answers 2xx/3xx, or without a path its port
 * accepts a TCP connection; fails when it exits first, the time is up, or the task is aborted.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import type { HealthCheck } from './parse-process-config.js';
import type { ManagedProcess } from './managed-process.js';
import { describeExit } from './managed-process.js';

/** Why a version is not healthy; `exited` tells a crash from a timeout. */
export class HealthCheckFailed extends Error {
  readonly exited: boolean;
  constructor(message: string, exited: boolean) {
    super(message);
    this.name = 'HealthCheckFailed';
    this.exited = exited;
  }
}

const PROBE_INTERVAL_MS = 100;
const PROBE_TIMEOUT_MS = 2000;

function probeHttp(port: number, path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', agent: false, timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 400 ? undefined : `GET ${path} answered ${status}`);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(`GET ${path}: ${error.code ?? error.message}`));
    req.end();
  });
}

function probeTcp(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: PROBE_TIMEOUT_MS });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('no connection');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(`port ${port}: ${error.code ?? error.message}`));
  });
}

/** Resolves once `child` is healthy; throws {@link HealthCheckFailed}, or the signal's reason when aborted. */
export async function waitHealthy(child: ManagedProcess, check: HealthCheck, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + check.timeoutSeconds * 1000;
  const what = check.path === undefined ? `port ${child.port} accepting connections` : `GET ${check.path} answering 2xx/3xx`;
  let last = 'no answer yet';
  for (;;) {
    signal.throwIfAborted();
    if (child.exit) throw new HealthCheckFailed(`${describeExit(child.exit)} before it was healthy (${what})`, true);
    const problem = check.path === undefined ? await probeTcp(child.port) : await probeHttp(child.port, check.path);
    if (child.exit) throw new HealthCheckFailed(`${describeExit(child.exit)} before it was healthy (${what})`, true);
    if (problem === undefined) return;
    last = problem;
    if (Date.now() >= deadline)
      throw new HealthCheckFailed(`did not pass its health check (${what}) within ${check.timeoutSeconds} s; last: ${last}`, false);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, PROBE_INTERVAL_MS);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
      void child.exited.then(done);
    });
  }
}
