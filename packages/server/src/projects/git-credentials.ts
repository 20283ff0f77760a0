/**
 * Validation of project `gitCredentials` as Keptn does it (control-plane.md §3.2). Secret parts
 * (token, password, certificate, private key) are checked here but not stored by this version:
 * the git-backed configuration store of a later issue keeps them encrypted.
 */
import { ErrorCode, InputError, isPlainObject } from '@shipmate/core';

const ALLOWED_TOP = ['remoteURL', 'user', 'https', 'ssh'];
const ALLOWED_HTTPS = ['token', 'certificate', 'insecureSkipTLS', 'proxy'];
const ALLOWED_PROXY = ['url', 'scheme', 'user', 'password'];
const ALLOWED_SSH = ['privateKey', 'privateKeyPass'];
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Validates credentials and returns the public part that may be stored and returned. */
export function validateGitCredentials(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) throw invalid('gitCredentials', 'must be an object');
  rejectUnknown(value, ALLOWED_TOP, 'gitCredentials');
  const remoteURL = optionalString(value, 'remoteURL', 'gitCredentials.remoteURL');
  if (remoteURL && !/^(https?|ssh|file):\/\//.test(remoteURL)) {
    throw invalid('gitCredentials.remoteURL', `'${remoteURL}' must start with http://, https://, ssh:// or file://`);
  }
  const user = optionalString(value, 'user', 'gitCredentials.user');
  if (value.https !== undefined && value.ssh !== undefined) {
    throw invalid('gitCredentials', "'https' and 'ssh' are mutually exclusive; give only the one matching the remoteURL");
  }
  const publicPart: Record<string, unknown> = { remoteURL: remoteURL ?? '', user: user ?? '' };
  if (value.https !== undefined) {
    if (!isPlainObject(value.https)) throw invalid('gitCredentials.https', 'must be an object');
    rejectUnknown(value.https, ALLOWED_HTTPS, 'gitCredentials.https');
    optionalString(value.https, 'token', 'gitCredentials.https.token');
    const certificate = optionalString(value.https, 'certificate', 'gitCredentials.https.certificate');
    if (certificate && !BASE64.test(certificate)) throw invalid('gitCredentials.https.certificate', 'must be base64 of a PEM certificate');
    const skip = value.https.insecureSkipTLS;
    if (skip !== undefined && typeof skip !== 'boolean') throw invalid('gitCredentials.https.insecureSkipTLS', 'must be true or false');
    const https: Record<string, unknown> = { insecureSkipTLS: skip ?? false };
    if (value.https.proxy !== undefined) {
      const proxy = value.https.proxy;
      if (!isPlainObject(proxy)) throw invalid('gitCredentials.https.proxy', 'must be an object');
      rejectUnknown(proxy, ALLOWED_PROXY, 'gitCredentials.https.proxy');
      const scheme = optionalString(proxy, 'scheme', 'gitCredentials.https.proxy.scheme');
      if (scheme && scheme !== 'http' && scheme !== 'https') throw invalid('gitCredentials.https.proxy.scheme', "must be 'http' or 'https'");
      https.proxy = {
        url: optionalString(proxy, 'url', 'gitCredentials.https.proxy.url') ?? '',
        scheme: scheme ?? '',
        user: optionalString(proxy, 'user', 'gitCredentials.https.proxy.user') ?? '',
      };
      optionalString(proxy, 'password', 'gitCredentials.https.proxy.password');
    }
    publicPart.https = https;
  }
  if (value.ssh !== undefined) {
    if (!isPlainObject(value.ssh)) throw invalid('gitCredentials.ssh', 'must be an object');
    rejectUnknown(value.ssh, ALLOWED_SSH, 'gitCredentials.ssh');
    const key = optionalString(value.ssh, 'privateKey', 'gitCredentials.ssh.privateKey');
    if (key && !BASE64.test(key)) throw invalid('gitCredentials.ssh.privateKey', 'must be base64 of a PEM private key');
    optionalString(value.ssh, 'privateKeyPass', 'gitCredentials.ssh.privateKeyPass');
  }
  return publicPart;
}

function rejectUnknown(value: Record<string, unknown>, allowed: string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new InputError(ErrorCode.unknownField, `Invalid request format: unknown field '${path}.${key}'; allowed: ${allowed.join(', ')}`);
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
