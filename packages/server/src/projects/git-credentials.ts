/**
 * Validation of project `gitCredentials` as Keptn does it (control-plane.md §3.2): the public part
 * (URL, user, TLS and proxy settings) is kept in the project and returned; the whole, with token,
 * passwords, certificate and key decoded from base64, goes to the upstream mirror, which stores it
 * encrypted. A `remoteURL` matching a line of the deny list is refused with 422 as in Keptn.
 */
import { ErrorCode, InputError, UnprocessableError, isBase64, isPlainObject } from '@shipmate/core';
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
  const credentials: UpstreamCredentials = {
    remoteURL: remoteURL ?? '',
    ...(user ? { user } : {}),
    ...(value.https !== undefined ? { https: parseHttps(value.https) } : {}),
    ...(value.ssh !== undefined ? { ssh: parseSsh(value.ssh) } : {}),
  };
  return { publicPart: publicGitCredentials(credentials), credentials };
}

/** What may be stored in the project and returned: no token, password, certificate or key. */
function publicGitCredentials(credentials: UpstreamCredentials): Record<string, unknown> {
  const { https } = credentials;
  const proxy = https?.proxy;
  return {
    remoteURL: credentials.remoteURL,
    user: credentials.user ?? '',
    ...(https
      ? {
          https: {
            insecureSkipTLS: https.insecureSkipTLS === true,
            ...(proxy ? { proxy: { url: proxy.url, scheme: proxy.scheme ?? '', user: proxy.user ?? '' } } : {}),
          },
        }
      : {}),
  };
}

function parseHttps(value: unknown): NonNullable<UpstreamCredentials['https']> {
  if (!isPlainObject(value)) throw invalid('gitCredentials.https', 'must be an object');
  rejectUnknown(value, ALLOWED_HTTPS, 'gitCredentials.https');
  const token = optionalString(value, 'token', 'gitCredentials.https.token');
  const certificate = optionalString(value, 'certificate', 'gitCredentials.https.certificate');
  if (certificate && !isBase64(certificate)) throw invalid('gitCredentials.https.certificate', 'must be base64 of a PEM certificate');
  const skip = value.insecureSkipTLS;
  if (skip !== undefined && typeof skip !== 'boolean') throw invalid('gitCredentials.https.insecureSkipTLS', 'must be true or false');
  return {
    ...(token ? { token } : {}),
    ...(certificate ? { certificate: Buffer.from(certificate, 'base64').toString('utf8') } : {}),
    insecureSkipTLS: skip === true,
    ...(value.proxy !== undefined ? { proxy: parseProxy(value.proxy) } : {}),
  };
}

function parseProxy(value: unknown): NonNullable<NonNullable<UpstreamCredentials['https']>['proxy']> {
  if (!isPlainObject(value)) throw invalid('gitCredentials.https.proxy', 'must be an object');
  rejectUnknown(value, ALLOWED_PROXY, 'gitCredentials.https.proxy');
  const scheme = optionalString(value, 'scheme', 'gitCredentials.https.proxy.scheme');
  if (scheme && scheme !== 'http' && scheme !== 'https') throw invalid('gitCredentials.https.proxy.scheme', "must be 'http' or 'https'");
  const password = optionalString(value, 'password', 'gitCredentials.https.proxy.password');
  return {
    url: optionalString(value, 'url', 'gitCredentials.https.proxy.url') ?? '',
    scheme: scheme ?? '',
    user: optionalString(value, 'user', 'gitCredentials.https.proxy.user') ?? '',
    ...(password ? { password } : {}),
  };
}

function parseSsh(value: unknown): NonNullable<UpstreamCredentials['ssh']> {
  if (!isPlainObject(value)) throw invalid('gitCredentials.ssh', 'must be an object');
  rejectUnknown(value, ALLOWED_SSH, 'gitCredentials.ssh');
  const key = optionalString(value, 'privateKey', 'gitCredentials.ssh.privateKey');
  if (key && !isBase64(key)) throw invalid('gitCredentials.ssh.privateKey', 'must be base64 of a PEM private key');
  const passphrase = optionalString(value, 'privateKeyPass', 'gitCredentials.ssh.privateKeyPass');
  return {
    ...(key ? { privateKey: Buffer.from(key, 'base64').toString('utf8') } : {}),
    ...(passphrase ? { privateKeyPass: passphrase } : {}),
  };
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
