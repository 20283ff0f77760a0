/**
 * Where a webhook request may go. A webhook URL is written by anyone who can change a project's
 * configuration, so by default it may reach only the public internet: loopback, link-local
 * (cloud metadata), private (10/8, 172.16/12, 192.168/16, fc00::/7), shared (100.64/10) and
 * unspecified addresses, and the control plane itself, are refused unless the operator's allow
 * list (SHIPMATE_WEBHOOK_ALLOW: CIDR blocks or host names) names them.
 *
 * The host name is resolved once here, every address it resolves to is checked, and the request
 * then connects to a checked address: no second resolution that could answer differently
 * (DNS rebinding).
 */
import { ErrorCode, UnprocessableError, classifyIpAddress, cidrContains, ipBytes, parseCidr } from '@shipmate/core';
import type { Cidr, ResolveHost, AddressRange } from '@shipmate/core';

/** An operator's allow list, parsed. */
export interface WebhookAllowList {
  readonly cidrs: readonly Cidr[];
  /** Lower-case host names; `*.example.com` entries are kept as `.example.com`. */
  readonly hosts: readonly string[];
}

/** The address a request connects to. */
export interface CheckedTarget {
  readonly address: string;
  readonly family: 4 | 6;
}

/** What {@link checkWebhookUrl} needs. */
export interface WebhookAddressPolicy {
  readonly allow: WebhookAllowList;
  /** Host names or addresses of the control plane (refused like private addresses unless allowed). */
  readonly controlPlaneHosts: readonly string[];
  readonly resolve: ResolveHost;
}

const HOST_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i;

const WHY: Record<AddressRange, string> = {
  loopback: 'a loopback address',
  'link-local': 'a link-local address',
  unspecified: 'the unspecified address',
  private: 'a private address',
  shared: 'a shared (carrier-grade NAT) address',
};

/** Parses allow-list entries (CIDR blocks, addresses, host names, `*.domain`); throws naming a bad entry. */
export function parseWebhookAllowList(entries: readonly string[], source = 'SHIPMATE_WEBHOOK_ALLOW'): WebhookAllowList {
  const cidrs: Cidr[] = [];
  const hosts: string[] = [];
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    const cidr = parseCidr(entry);
    if (cidr) cidrs.push(cidr);
    else if (!entry.includes('/') && !/^[\d.]+$/.test(entry) && HOST_NAME.test(entry))
      hosts.push(entry.replace(/^\*/, '').replace(/\.$/, ''));
    else
      throw new UnprocessableError(
        ErrorCode.invalidField,
        `${source} entry '${raw}' is neither a CIDR block (10.0.0.0/8, 127.0.0.1/32, fd00::/8), an address, nor a host name (hooks.internal, *.internal): fix or remove it`,
      );
  }
  return Object.freeze({ cidrs: Object.freeze(cidrs), hosts: Object.freeze(hosts) });
}

function hostAllowed(allow: WebhookAllowList, host: string): boolean {
  return allow.hosts.some((entry) => (entry.startsWith('.') ? host.endsWith(entry) && host.length > entry.length : host === entry));
}

function denied(url: string, reason: string, fix: string): UnprocessableError {
  return new UnprocessableError(ErrorCode.webhookAddressDenied, `refused ${url}: ${reason}; allow it with SHIPMATE_WEBHOOK_ALLOW=${fix}`);
}

const blockOf = (address: string): string => {
  const bytes = ipBytes(address);
  return bytes?.length === 4 ? `${bytes.join('.')}/32` : `${address}/128`;
};
const normalize = (host: string): string =>
  host
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');

/**
 * Checks `url` (an http or https URL, already rendered) against `policy` and returns the address to
 * connect to. Throws `UnprocessableError` (ERR_WEBHOOK_ADDRESS_DENIED) naming the URL, the rule and
 * the allow-list entry that would permit it; a name that does not resolve is an error too.
 */
export async function checkWebhookUrl(url: URL, policy: WebhookAddressPolicy, shown = url.href): Promise<CheckedTarget> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UnprocessableError(ErrorCode.webhookAddressDenied, `refused ${shown}: only http:// and https:// URLs can be called`);
  }
  const host = normalize(url.hostname);
  const literal = ipBytes(host) !== undefined && (host.includes(':') || /^[\d.]+$/.test(host));
  const byName = !literal && hostAllowed(policy.allow, host);
  let addresses: readonly string[];
  if (literal) addresses = [host];
  else {
    try {
      addresses = await policy.resolve(host);
    } catch (error) {
      throw new UnprocessableError(
        ErrorCode.webhookAddressDenied,
        `refused ${shown}: host '${host}' does not resolve (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
    }
    if (addresses.length === 0)
      throw new UnprocessableError(ErrorCode.webhookAddressDenied, `refused ${shown}: host '${host}' has no address`);
  }
  if (!byName) {
    const own = await controlPlaneAddresses(policy);
    const subject = (address: string) => (literal ? address : `${host} resolves to ${address}, which`);
    for (const address of addresses) {
      if (policy.allow.cidrs.some((cidr) => cidrContains(cidr, address))) continue;
      const fix = literal ? blockOf(address) : `${host} (or ${blockOf(address)})`;
      const found = classifyIpAddress(address);
      if (found) throw denied(shown, `${subject(found.address)} is ${WHY[found.kind]}`, fix);
      if (!literal && own.names.has(host)) throw denied(shown, `${host} is the control plane's own host`, fix);
      const ownAddress = [...own.addresses].find((candidate) => sameAddress(candidate, address));
      if (ownAddress !== undefined) throw denied(shown, `${subject(address)} is an address of the control plane`, fix);
    }
  }
  const address = addresses[0]!;
  return { address, family: address.includes(':') ? 6 : 4 };
}

function sameAddress(a: string, b: string): boolean {
  const x = ipBytes(a);
  const y = ipBytes(b);
  return x !== undefined && y !== undefined && x.length === y.length && x.every((byte, index) => byte === y[index]);
}

async function controlPlaneAddresses(policy: WebhookAddressPolicy): Promise<{ names: Set<string>; addresses: Set<string> }> {
  const names = new Set<string>();
  const addresses = new Set<string>();
  for (const entry of policy.controlPlaneHosts.map(normalize)) {
    if (ipBytes(entry) !== undefined && (entry.includes(':') || /^[\d.]+$/.test(entry))) {
      addresses.add(entry);
      continue;
    }
    names.add(entry);
    try {
      for (const address of await policy.resolve(entry)) addresses.add(address);
    } catch {
      // The control plane's name does not resolve from here: only the name is compared.
    }
  }
  return { names, addresses };
}
