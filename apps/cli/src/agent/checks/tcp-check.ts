/** Check 3: a TCP connection to the endpoint's port, trying each resolved address in turn. */
import { connect } from 'node:net';
import { failed, passed } from './check-result.js';
import type { CheckResult } from './check-result.js';
import { NOT_EXPOSED_FIX } from './operator-fixes.js';

/** Connects to `port` on the addresses in order; the value is the first address that accepted. */
export async function checkTcp(addresses: readonly string[], port: number, timeoutMs: number): Promise<CheckResult<string>> {
  let lastError = 'no address to connect to';
  for (const address of addresses) {
    const started = Date.now();
    const error = await tryConnect(address, port, timeoutMs);
    if (error === undefined) return passed(`TCP: connected to ${hostPort(address, port)} in ${Date.now() - started} ms`, address);
    lastError = error;
  }
  const target = addresses.length === 1 ? hostPort(addresses[0] ?? '', port) : `port ${port} of ${addresses.join(', ')}`;
  const summary = `TCP: cannot connect to ${target}`;
  if (lastError === 'ECONNREFUSED') {
    return failed(
      summary,
      `nothing listens on ${target} (connection refused): a wrong port, or the control plane is not exposed there`,
      NOT_EXPOSED_FIX,
    );
  }
  if (lastError === 'ETIMEDOUT') {
    return failed(
      summary,
      `no answer from ${target} within ${timeoutMs} ms: a firewall or network policy drops the traffic, or the address is not the control plane's`,
      'open the port from this execution plane to the control plane (firewall, security group, NetworkPolicy), and check that remote control plane mode exposes it',
    );
  }
  if (lastError === 'EHOSTUNREACH' || lastError === 'ENETUNREACH') {
    return failed(
      summary,
      `there is no network route to ${target} (${lastError})`,
      'check the network between this execution plane and the control plane (routes, VPN, peering)',
    );
  }
  return failed(summary, `connecting to ${target} failed (${lastError})`, NOT_EXPOSED_FIX);
}

/** `host:port`, with brackets around an IPv6 address. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Resolves undefined when connected, else an error code (`ETIMEDOUT` after `timeoutMs`). */
function tryConnect(address: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('ETIMEDOUT');
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(error.code ?? error.message);
    });
  });
}
