/**
 * What a project's git upstream may reach. By default an upstream is a network host that is not
 * the control plane's own: `file://` URLs and local paths would read and write any repository on
 * the machine (other projects' included), and loopback, link-local and unspecified addresses would
 * make the server call its own services (or the cloud metadata address) with the project's
 * credentials. Both are opt-ins for single-host setups and tests. Private ranges stay allowed.
 * Names are checked by what they resolve to (all addresses), at validation and again before every
 * network command, since a name can re-resolve later (DNS rebinding).
 */
import { ErrorCode } from '../errors/error-codes.js';
import { UnprocessableError } from '../errors/errors.js';
import type { UpstreamCredentials } from '../ports/config-upstream.js';
import { classifyAddress, classifyHost, upstreamTarget } from './upstream-target.js';
import type { RestrictedAddress } from './upstream-target.js';

/** Which upstream targets are allowed beyond network hosts that are not the control plane's own. */
export interface UpstreamHostPolicy {
  /** `file://` URLs and local paths (SHIPMATE_UPSTREAM_ALLOW_FILE). */
  readonly allowFile: boolean;
  /** Loopback, link-local and unspecified addresses, and names resolving to them (SHIPMATE_UPSTREAM_ALLOW_LOOPBACK). */
  readonly allowLoopback: boolean;
}

/** The default policy: neither local repositories nor the control plane's own host. */
export const STRICT_UPSTREAM_HOSTS: UpstreamHostPolicy = Object.freeze({ allowFile: false, allowLoopback: false });

/** Every address a host name resolves to (e.g. `dns.lookup(host, { all: true })`). */
export type ResolveHost = (host: string) => Promise<readonly string[]>;

const WHY: Record<RestrictedAddress['kind'], string> = {
  loopback: 'a loopback address',
  'link-local': 'a link-local address',
  unspecified: 'the unspecified address',
};

/**
 * Checks `url` (the value of setting `field`) without resolving names; returns the host name still
 * to resolve, or undefined when nothing is left to check. Throws `UnprocessableError` on a refusal.
 */
export function checkUpstreamUrl(url: string, field: string, policy: UpstreamHostPolicy): string | undefined {
  const target = upstreamTarget(url);
  if (target.kind === 'local') {
    if (policy.allowFile) return undefined;
    throw new UnprocessableError(
      ErrorCode.upstreamHostDenied,
      `${field} '${url}' is a repository on the control plane's own disk (file:// or a local path); upstreams may not read or write the control plane's repositories. Use an http(s):// or ssh:// upstream, or set SHIPMATE_UPSTREAM_ALLOW_FILE=true to allow it (single-host setups)`,
    );
  }
  if (policy.allowLoopback) return undefined;
  const literal = classifyHost(target.host);
  if (literal) throw refusal(field, url, literal, undefined);
  return isAddressLiteral(target.host) ? undefined : target.host;
}

/** Checks `url` as {@link checkUpstreamUrl} does, then every address its host name resolves to. A name that does not resolve passes (git then fails on its own). */
export async function enforceUpstreamHostPolicy(
  url: string,
  field: string,
  policy: UpstreamHostPolicy,
  resolve: ResolveHost,
): Promise<void> {
  const host = checkUpstreamUrl(url, field, policy);
  if (host === undefined) return;
  let addresses: readonly string[];
  try {
    addresses = await resolve(host);
  } catch {
    return;
  }
  for (const address of addresses) {
    const found = classifyAddress(address);
    if (found) throw refusal(field, url, found, host);
  }
}

/** Checks the remote URL and the proxy of `credentials` (see {@link enforceUpstreamHostPolicy}). */
export async function enforceUpstreamCredentialsPolicy(
  credentials: UpstreamCredentials,
  policy: UpstreamHostPolicy,
  resolve: ResolveHost,
): Promise<void> {
  if (credentials.remoteURL) await enforceUpstreamHostPolicy(credentials.remoteURL, 'gitCredentials.remoteURL', policy, resolve);
  const proxy = credentials.https?.proxy?.url;
  if (proxy) {
    // git reaches the proxy over the network whatever the scheme says: check it as a URL with a host.
    const asUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
    await enforceUpstreamHostPolicy(asUrl, 'gitCredentials.https.proxy.url', { ...policy, allowFile: false }, resolve);
  }
}

/** A literal address (checked above without resolution): IPv6, or IPv4 in any `inet_aton` spelling. */
function isAddressLiteral(host: string): boolean {
  return host.includes(':') || /^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}$/i.test(host);
}

function refusal(field: string, url: string, found: RestrictedAddress, name: string | undefined): UnprocessableError {
  const where =
    name === undefined
      ? `${WHY[found.kind]} (${found.address})`
      : `host '${name}', which resolves to ${WHY[found.kind]} (${found.address})`;
  const reach = found.kind === 'link-local' ? "the control plane's link (e.g. the cloud metadata service)" : "the control plane's own host";
  return new UnprocessableError(
    ErrorCode.upstreamHostDenied,
    `${field} '${url}' points at ${where}; upstreams may not reach ${reach}. Set SHIPMATE_UPSTREAM_ALLOW_LOOPBACK=true to allow it (single-host setups)`,
  );
}
