/**
 * Where a git remote URL points, read the way git and the C resolver read it: `file://` URLs,
 * local paths and `<helper>::` addresses are local; `http(s)://`, `ssh://`, `git://` URLs and
 * scp-like `user@host:path` forms name a host. Hosts are classified without a resolver when they
 * are literals: IPv4 in every spelling `inet_aton` accepts (`2130706433`, `0x7f.1`, `0177.0.0.1`),
 * IPv6 including IPv4-mapped, -compatible and NAT64 forms, and the reserved name `localhost`.
 */

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

/** The restricted class of a literal IPv4 (any `inet_aton` spelling) or IPv6 address, or undefined. */
export function classifyAddress(address: string): RestrictedAddress | undefined {
  const v4 = parseIpv4(address);
  if (v4) return classifyIpv4(v4);
  const v6 = parseIpv6(address);
  if (!v6) return undefined;
  const shown = address.toLowerCase();
  const zero = (from: number, to: number) => v6.slice(from, to).every((word) => word === 0);
  if (zero(0, 8)) return { kind: 'unspecified', address: shown };
  if (zero(0, 7) && v6[7] === 1) return { kind: 'loopback', address: shown };
  if ((v6[0]! & 0xffc0) === 0xfe80) return { kind: 'link-local', address: shown };
  const embedded =
    (zero(0, 5) && v6[5] === 0xffff) || // ::ffff:a.b.c.d (IPv4-mapped)
    (zero(0, 4) && v6[4] === 0xffff && v6[5] === 0) || // ::ffff:0:a.b.c.d (IPv4-translated)
    zero(0, 6) || // ::a.b.c.d (IPv4-compatible)
    (v6[0] === 0x64 && v6[1] === 0xff9b && zero(2, 6)); // 64:ff9b::a.b.c.d (NAT64)
  if (!embedded) return undefined;
  const found = classifyIpv4([v6[6]! >> 8, v6[6]! & 0xff, v6[7]! >> 8, v6[7]! & 0xff]);
  return found ? { kind: found.kind, address: `${shown} (${found.address})` } : undefined;
}

function classifyIpv4(bytes: readonly number[]): RestrictedAddress | undefined {
  const address = bytes.join('.');
  if (bytes[0] === 127) return { kind: 'loopback', address };
  if (bytes[0] === 0) return { kind: 'unspecified', address };
  if (bytes[0] === 169 && bytes[1] === 254) return { kind: 'link-local', address };
  return undefined;
}

/** IPv4 as `inet_aton` reads it: 1 to 4 parts in decimal, octal (`0…`) or hex (`0x…`); the last part fills the remaining bytes. */
function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length > 4) return undefined;
  const numbers: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]*$/i.test(part)) value = part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
    else if (/^0[0-7]*$/.test(part)) value = Number.parseInt(part, 8);
    else if (/^[1-9][0-9]*$/.test(part)) value = Number(part);
    else return undefined;
    numbers.push(value);
  }
  const last = numbers.pop()!;
  if (numbers.some((value) => value > 255) || last >= 256 ** (4 - numbers.length)) return undefined;
  const bytes = [...numbers];
  for (let index = 3 - numbers.length; index >= 0; index -= 1) bytes.push(Math.floor(last / 256 ** index) % 256);
  return bytes;
}

/** IPv6 text (optionally with a dotted IPv4 tail and a `%zone`) as eight 16-bit words. */
function parseIpv6(text: string): number[] | undefined {
  let address = text.split('%', 1)[0]!;
  if (!address.includes(':')) return undefined;
  const lastColon = address.lastIndexOf(':');
  const tail = address.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(tail)) return undefined;
    const b = tail.split('.').map(Number);
    if (b.some((value) => value > 255)) return undefined;
    address = `${address.slice(0, lastColon + 1)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const words = (half: string) => (half === '' ? [] : half.split(':'));
  const head = words(halves[0]!);
  const rest = halves.length === 2 ? words(halves[1]!) : [];
  const groups = [...head, ...rest];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return undefined;
  if (halves.length === 1 ? groups.length !== 8 : groups.length > 7) return undefined;
  const fill = new Array<string>(8 - groups.length).fill('0');
  return [...head, ...fill, ...rest].map((group) => Number.parseInt(group, 16));
}
