/**
 * Where a git remote URL points, read the way git and the C resolver read it: `file://` URLs,
 * local paths and `<helper>::` addresses are local; `http(s)://`, `ssh://`, `git://` URLs and
 * scp-like `user@host:path` forms name a host. Hosts are classified without a resolver when they
 * are literals: IPv4 in every spelling `inet_aton` accepts (`2130706433`, `0x7f.1`, `0177.0.0.1`),
 * IPv6 including IPv4-mapped, -compatible and NAT64 forms, and the reserved name `localhost`.
 */
import { AddressRange, classifyIpAddress, parseIpv6 } from '../net/ip-address.js';

/** A local repository (no network), or a host to connect to. */
export type UpstreamTarget =
  | { readonly kind: 'local' }
  | {
      readonly kind: 'network';
      /** Lower case, without brackets, percent-decoding or trailing dot. */
      readonly host: string;
    };

/** Address classes an upstream may not reach by default: they lead to the control plane's own host or its link. */
export const RestrictedAddressKind = {
  loopback: 'loopback',
  linkLocal: 'link-local',
  unspecified: 'unspecified',
} as const;
/** One of {@link RestrictedAddressKind}. */
export type RestrictedAddressKind = (typeof RestrictedAddressKind)[keyof typeof RestrictedAddressKind];

/** A host or address in a restricted class, with the address as shown in messages. */
export interface RestrictedAddress {
  readonly kind: RestrictedAddressKind;
  readonly address: string;
}

/** Parses a git remote URL into what it reaches. */
export function upstreamTarget(url: string): UpstreamTarget {
  const text = url.trim();
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text);
  if (scheme) {
    if (scheme[1]!.toLowerCase() === 'file') return { kind: 'local' };
    const authority = text.slice(scheme[0].length).split(/[/?#\\]/, 1)[0]!;
    return network(hostOfAuthority(authority.slice(authority.lastIndexOf('@') + 1), true));
  }
  // git: `<transport>::<address>` runs a remote helper (e.g. ext::, fd::) on this host.
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(text)) return { kind: 'local' };
  // git: scp-like when the first ':' comes before any '/'; a local path otherwise.
  const colon = text.indexOf(':');
  const slash = text.indexOf('/');
  if (colon < 0 || (slash >= 0 && slash < colon)) return { kind: 'local' };
  const bracket = text.indexOf('[');
  if (bracket >= 0 && bracket <= colon) {
    const inner = text.slice(bracket + 1, text.indexOf(']', bracket) >>> 0);
    return network(hostOfAuthority(inner.slice(inner.lastIndexOf('@') + 1), false));
  }
  const userHost = text.slice(0, colon);
  return network(userHost.slice(userHost.lastIndexOf('@') + 1));
}

/** `host`, `host:port`, `[v6]` or `[v6]:port` (bracketed in URLs); inside scp brackets also a bare IPv6. */
function hostOfAuthority(authority: string, decode: boolean): string {
  let host: string;
  if (authority.startsWith('[')) host = authority.slice(1, authority.indexOf(']') >>> 0);
  else if (parseIpv6(authority)) host = authority;
  else host = authority.split(':', 1)[0]!;
  if (!decode) return host;
  try {
    return decodeURIComponent(host);
  } catch {
    return host;
  }
}

function network(host: string): UpstreamTarget {
  return { kind: 'network', host: host.toLowerCase().replace(/\.$/, '') };
}

/**
 * The restricted class of a host name or literal address, or undefined when it is a public or
 * private address, or a name that has to be resolved first. An empty host counts as unspecified.
 */
export function classifyHost(host: string): RestrictedAddress | undefined {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === '') return { kind: 'unspecified', address: '(no host)' };
  if (name === 'localhost' || name.endsWith('.localhost')) return { kind: 'loopback', address: name };
  return classifyAddress(name);
}

/** The restricted class of a literal IPv4 (any `inet_aton` spelling) or IPv6 address, or undefined (private ranges are allowed upstreams). */
export function classifyAddress(address: string): RestrictedAddress | undefined {
  const found = classifyIpAddress(address);
  if (!found) return undefined;
  switch (found.kind) {
    case AddressRange.loopback:
    case AddressRange.linkLocal:
    case AddressRange.unspecified:
      return { kind: found.kind, address: found.address };
    case AddressRange.private:
    case AddressRange.shared:
      return undefined;
    default: {
      const unknown: never = found.kind;
      throw new Error(`unknown address range ${String(unknown)}`);
    }
  }
}
