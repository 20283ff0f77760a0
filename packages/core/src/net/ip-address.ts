/**
 * IP address literals as the C resolver reads them, and the address ranges that lead somewhere
 * other than the public internet. Shared by the upstream host policy (git remotes) and the webhook
 * address policy (outgoing HTTP requests). Pure: no resolution here.
 *
 * - IPv4 in every spelling `inet_aton` accepts (`2130706433`, `0x7f.1`, `0177.0.0.1`).
 * - IPv6 with an optional dotted IPv4 tail and `%zone`; IPv4-mapped (`::ffff:a.b.c.d`),
 *   -translated, -compatible and NAT64 (`64:ff9b::/96`) forms are classified by their IPv4 part.
 */

/** Address ranges that are not the public internet. */
export const AddressRange = {
  /** 127.0.0.0/8, ::1: this host. */
  loopback: 'loopback',
  /** 169.254.0.0/16, fe80::/10: the host's link (e.g. the cloud metadata service). */
  linkLocal: 'link-local',
  /** 0.0.0.0/8, ::: "this host" to most stacks. */
  unspecified: 'unspecified',
  /** 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7 (unique local). */
  private: 'private',
  /** 100.64.0.0/10: carrier-grade NAT, often a cluster's internal network. */
  shared: 'shared',
} as const;
/** One of {@link AddressRange}. */
export type AddressRange = (typeof AddressRange)[keyof typeof AddressRange];

/** An address in one of the {@link AddressRange}s, with the address as shown in messages. */
export interface ClassifiedAddress {
  readonly kind: AddressRange;
  /** As given (lower case); an embedded IPv4 is added in parentheses: `::ffff:127.0.0.1 (127.0.0.1)`. */
  readonly address: string;
}

/** A parsed address: 4 bytes (IPv4) or 16 bytes (IPv6). */
export type IpBytes = readonly number[];

/** IPv4 as `inet_aton` reads it: 1 to 4 parts in decimal, octal (`0…`) or hex (`0x…`); the last part fills the remaining bytes. */
export function parseIpv4(text: string): number[] | undefined {
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
export function parseIpv6(text: string): number[] | undefined {
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

/** The IPv4 address embedded in IPv6 words (mapped, translated, compatible or NAT64), or undefined. */
function embeddedIpv4(v6: readonly number[]): number[] | undefined {
  const zero = (from: number, to: number) => v6.slice(from, to).every((word) => word === 0);
  const embedded =
    (zero(0, 5) && v6[5] === 0xffff) || // ::ffff:a.b.c.d (IPv4-mapped)
    (zero(0, 4) && v6[4] === 0xffff && v6[5] === 0) || // ::ffff:0:a.b.c.d (IPv4-translated)
    (zero(0, 6) && !(v6[6] === 0 && v6[7]! <= 1)) || // ::a.b.c.d (IPv4-compatible; not :: or ::1)
    (v6[0] === 0x64 && v6[1] === 0xff9b && zero(2, 6)); // 64:ff9b::a.b.c.d (NAT64)
  return embedded ? [v6[6]! >> 8, v6[6]! & 0xff, v6[7]! >> 8, v6[7]! & 0xff] : undefined;
}

/**
 * The bytes of a literal address: 4 for IPv4 (any `inet_aton` spelling) and for IPv6 forms that
 * embed an IPv4 address, 16 for other IPv6; undefined when `text` is not an address.
 */
export function ipBytes(text: string): IpBytes | undefined {
  const v4 = parseIpv4(text);
  if (v4) return v4;
  const v6 = parseIpv6(text);
  if (!v6) return undefined;
  const inner = embeddedIpv4(v6);
  if (inner) return inner;
  return v6.flatMap((word) => [word >> 8, word & 0xff]);
}

function rangeOfIpv4(b: readonly number[]): AddressRange | undefined {
  if (b[0] === 127) return AddressRange.loopback;
  if (b[0] === 0) return AddressRange.unspecified;
  if (b[0] === 169 && b[1] === 254) return AddressRange.linkLocal;
  if (b[0] === 10 || (b[0] === 172 && (b[1]! & 0xf0) === 16) || (b[0] === 192 && b[1] === 168)) return AddressRange.private;
  if (b[0] === 100 && (b[1]! & 0xc0) === 64) return AddressRange.shared;
  return undefined;
}

/**
 * The range of a literal IPv4 or IPv6 address, or undefined for a public address or a text that
 * is not an address (a host name still to resolve).
 */
export function classifyIpAddress(address: string): ClassifiedAddress | undefined {
  const v4 = parseIpv4(address);
  if (v4) {
    const kind = rangeOfIpv4(v4);
    return kind ? { kind, address: v4.join('.') } : undefined;
  }
  const v6 = parseIpv6(address);
  if (!v6) return undefined;
  const shown = address.toLowerCase();
  if (v6.every((word) => word === 0)) return { kind: AddressRange.unspecified, address: shown };
  if (v6.slice(0, 7).every((word) => word === 0) && v6[7] === 1) return { kind: AddressRange.loopback, address: shown };
  if ((v6[0]! & 0xffc0) === 0xfe80) return { kind: AddressRange.linkLocal, address: shown };
  if ((v6[0]! & 0xfe00) === 0xfc00) return { kind: AddressRange.private, address: shown };
  const inner = embeddedIpv4(v6);
  const kind = inner ? rangeOfIpv4(inner) : undefined;
  return kind ? { kind, address: `${shown} (${inner!.join('.')})` } : undefined;
}

/** A CIDR block such as `10.0.0.0/8` or `fd00::/8`. */
export interface Cidr {
  readonly bytes: IpBytes;
  readonly prefix: number;
  /** Canonical text, e.g. `127.0.0.1/32`. */
  readonly text: string;
}

/** Parses `a.b.c.d/n`, `v6/n`, or a bare address (a /32 or /128 block); undefined when it is neither. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  // Only dotted quads here: `10` alone is a host name to a reader, not 0.0.0.10.
  if (!addressText.includes(':') && !/^\d{1,3}(\.\d{1,3}){3}$/.test(addressText)) return undefined;
  const bytes = ipBytes(addressText);
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  // An IPv6 block around an embedded IPv4 address counts in IPv4 bits (::ffff:10.0.0.0/104 is 10.0.0.0/8).
  const v6Embedded = addressText.includes(':') && bytes.length === 4;
  let prefix = max;
  if (slash >= 0) {
    const given = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(given)) return undefined;
    prefix = Number(given) - (v6Embedded ? 96 : 0);
    if (prefix < 0 || prefix > max) return undefined;
  }
  const masked = bytes.map((byte, index) => {
    const bits = Math.min(8, Math.max(0, prefix - index * 8));
    return byte & (0xff << (8 - bits)) & 0xff;
  });
  const shown = bytes.length === 4 ? masked.join('.') : formatIpv6(masked);
  return { bytes: masked, prefix, text: `${shown}/${prefix}` };
}

/** Whether the literal `address` lies in `cidr` (IPv4-embedding IPv6 forms count as their IPv4 address). */
export function cidrContains(cidr: Cidr, address: string): boolean {
  const bytes = ipBytes(address);
  if (!bytes || bytes.length !== cidr.bytes.length) return false;
  for (let index = 0; index < bytes.length; index += 1) {
    const bits = Math.min(8, Math.max(0, cidr.prefix - index * 8));
    const mask = (0xff << (8 - bits)) & 0xff;
    if ((bytes[index]! & mask) !== cidr.bytes[index]) return false;
  }
  return true;
}

function formatIpv6(bytes: IpBytes): string {
  const words: string[] = [];
  for (let index = 0; index < 16; index += 2) words.push(((bytes[index]! << 8) | bytes[index + 1]!).toString(16));
  // The longest run of zero words (two or more) becomes `::`.
  let best = { at: -1, length: 0 };
  for (let start = 0; start < 8; start += 1) {
    let length = 0;
    while (start + length < 8 && words[start + length] === '0') length += 1;
    if (length > best.length) best = { at: start, length };
  }
  if (best.length < 2) return words.join(':');
  return `${words.slice(0, best.at).join(':')}::${words.slice(best.at + best.length).join(':')}`;
}
