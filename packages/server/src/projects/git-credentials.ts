/**
 * Validation of project `gitCredentials` as Keptn does it (control-plane.md §3.2): the public part
 * (URL, user, TLS and proxy settings) is kept in the project and returned; the whole, with token,
 * passwords, certificate and key decoded from base64, goes to the upstream mirror, which stores it
 * encrypted. A `remoteURL` matching a line of the deny list is refused with 422 as in Keptn.
 */
import { ErrorCode, InputError, UnprocessableError, isPlainObject } from '@shipmate/core';
import type { UpstreamCredentials } from '@shipmate/core';

/** Validated credentials: what may be shown, and what the mirror needs. */
export interface ValidatedGitCredentials {
  readonly publicPart: Record<string, unknown>;
  readonly credentials: UpstreamCredentials;
}

const ALLOWED_TOP = ['remoteURL', 'user', 'https', 'ssh'];
const ALLOWED_HTTPS = ['token', 'certificate', 'insecureSkipTLS', 'proxy'];
const ALLOWED_PROXY = ['url', 'scheme', 'user', 'password'];
const ALLOWED_SSH = ['privateKey', 'privateKeyPass'];
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Validates credentials (`denylist`: Keptn's git-remote-url-denylist lines as regular expressions). */
export function validateGitCredentials(value: unknown, denylist: readonly RegExp[] = []): ValidatedGitCredentials | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) throw invalid('gitCredentials', 'must be an object');
  rejectUnknown(value, ALLOWED_TOP, 'gitCredentials');
  const remoteURL = optionalString(value, 'remoteURL', 'gitCredentials.remoteURL');
  if (remoteURL && !/^(https?|ssh|file):\/\//.test(remoteURL)) {
    throw invalid('gitCredentials.remoteURL', `'${remoteURL}' must start with http://, https://, ssh:// or file://`);
  }
  const denied = remoteURL ? denylist.find((pattern) => pattern.test(remoteURL)) : undefined;
  if (denied) {
    throw new UnprocessableError(
      ErrorCode.remoteUrlDenied,
      `Invalid RemoteURL: ${remoteURL} matches the deny list entry '${denied.source}'; use another upstream or ask the operator to change SHIPMATE_GIT_REMOTE_URL_DENYLIST_FILE`,
    );
  }
  const user = optionalString(value, 'user', 'gitCredentials.user');
  if (value.https !== undefined && value.ssh !== undefined) {
    throw invalid('gitCredentials', "'https' and 'ssh' are mutually exclusive; give only the one matching the remoteURL");
  }
  const publicPart: Record<string, unknown> = { remoteURL: remoteURL ?? '', user: user ?? '' };
  const credentials: { -readonly [K in keyof UpstreamCredentials]: UpstreamCredentials[K] } = {
    remoteURL: remoteURL ?? '',
    ...(user ? { user } : {}),
  };
  if (value.https !== undefined) {
    if (!isPlainObject(value.https)) throw invalid('gitCredentials.https', 'must be an object');
    rejectUnknown(value.https, ALLOWED_HTTPS, 'gitCredentials.https');
    const token = optionalString(value.https, 'token', 'gitCredentials.https.token');
    const certificate = optionalString(value.https, 'certificate', 'gitCredentials.https.certificate');
    if (certificate && !BASE64.test(certificate)) throw invalid('gitCredentials.https.certificate', 'must be base64 of a PEM certificate');
    const skip = value.https.insecureSkipTLS;
    if (skip !== undefined && typeof skip !== 'boolean') throw invalid('gitCredentials.https.insecureSkipTLS', 'must be true or false');
    const https: Record<string, unknown> = { insecureSkipTLS: skip ?? false };
    let proxyCredentials: { url: string; scheme: string; user: string; password?: string } | undefined;
    if (value.https.proxy !== undefined) {
      const proxy = value.https.proxy;
      if (!isPlainObject(proxy)) throw invalid('gitCredentials.https.proxy', 'must be an object');
      rejectUnknown(proxy, ALLOWED_PROXY, 'gitCredentials.https.proxy');
      const scheme = optionalString(proxy, 'scheme', 'gitCredentials.https.proxy.scheme');
      if (scheme && scheme !== 'http' && scheme !== 'https')
        throw invalid('gitCredentials.https.proxy.scheme', "must be 'http' or 'https'");
      https.proxy = {
        url: optionalString(proxy, 'url', 'gitCredentials.https.proxy.url') ?? '',
        scheme: scheme ?? '',
        user: optionalString(proxy, 'user', 'gitCredentials.https.proxy.user') ?? '',
      };
      const password = optionalString(proxy, 'password', 'gitCredentials.https.proxy.password');
      const shown = https.proxy as { url: string; scheme: string; user: string };
      proxyCredentials = { ...shown, ...(password ? { password } : {}) };
    }
    publicPart.https = https;
    credentials.https = {
      ...(token ? { token } : {}),
      ...(certificate ? { certificate: Buffer.from(certificate, 'base64').toString('utf8') } : {}),
      insecureSkipTLS: skip === true,
      ...(proxyCredentials ? { proxy: proxyCredentials } : {}),
    };
  }
  if (value.ssh !== undefined) {
    if (!isPlainObject(value.ssh)) throw invalid('gitCredentials.ssh', 'must be an object');
    rejectUnknown(value.ssh, ALLOWED_SSH, 'gitCredentials.ssh');
    const key = optionalString(value.ssh, 'privateKey', 'gitCredentials.ssh.privateKey');
    if (key && !BASE64.test(key)) throw invalid('gitCredentials.ssh.privateKey', 'must be base64 of a PEM private key');
    const passphrase = optionalString(value.ssh, 'privateKeyPass', 'gitCredentials.ssh.privateKeyPass');
    credentials.ssh = {
      ...(key ? { privateKey: Buffer.from(key, 'base64').toString('utf8') } : {}),
      ...(passphrase ? { privateKeyPass: passphrase } : {}),
    };
  }
  return { publicPart, credentials };
}

function rejectUnknown(value: Record<string, unknown>, allowed: string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      throw new InputError(
        ErrorCode.unknownField,
        `Invalid request format: unknown field '${path}.${key}'; allowed: ${allowed.join(', ')}`,
      );
  }
}

function optionalString(value: Record<string, unknown>, key: string, path: string): string | undefined {
  const field = value[key];
  if (field === undefined || field === null) return undefined;
  if (typeof field !== 'string') throw invalid(path, 'must be a string');
  return field;
}

function invalid(path: string, reason: string): InputError {
  return new InputError(ErrorCode.invalidField, `Could not validate payload: ${path} ${reason}`);
}

/**
 * Keptn's deny list format: one regular expression per line; blank lines and lines starting with
 * `#` are skipped. Throws with the line number for an invalid expression.
 */
export function parseRemoteUrlDenylist(text: string, source: string): RegExp[] {
  const patterns: RegExp[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const entry = line.trim();
    if (entry === '' || entry.startsWith('#')) return;
    try {
      patterns.push(new RegExp(entry));
    } catch (error) {
      throw new InputError(
        ErrorCode.invalidField,
        `${source} line ${index + 1}: '${entry}' is not a valid regular expression (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  });
  return patterns;
}
