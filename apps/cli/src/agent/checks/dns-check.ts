/** Check 2: the endpoint's host resolves (IP addresses need no lookup). */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { failed, passed } from './check-result.js';
import type { CheckResult } from './check-result.js';

/** Resolves `host` the way connections will (getaddrinfo, so /etc/hosts counts); the value lists the addresses. */
export async function checkDns(host: string): Promise<CheckResult<readonly string[]>> {
  if (isIP(host) !== 0) return passed(`DNS: ${host} is an IP address, nothing to resolve`, [host]);
  try {
    const addresses = (await lookup(host, { all: true })).map((entry) => entry.address);
    return passed(`DNS: ${host} resolves to ${addresses.join(', ')}`, addresses);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    const temporary = code === 'EAI_AGAIN';
    return failed(
      `DNS: ${host} does not resolve`,
      temporary ? `the DNS server did not answer for '${host}' (${code})` : `no address is known for '${host}' (${code})`,
      temporary
        ? 'check the DNS settings of this cluster or machine, then retry'
        : "check the hostname in KEPTN_API_ENDPOINT (Helm value remoteControlPlane.api.hostname): the control plane's public host name, without scheme and without /api",
    );
  }
}
