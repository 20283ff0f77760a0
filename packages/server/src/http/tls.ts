/**
 * HTTPS for the control plane itself (SHIPMATE_TLS_CERT_FILE / SHIPMATE_TLS_KEY_FILE): the options
 * of the node:https server Fastify builds, with the same connection limits as plain HTTP.
 *
 * Fastify ignores its `http` options once `https` is given, so the limits of {@link httpLimits}
 * go into the https options here; a TLS handshake that does not finish within the headers timeout
 * is dropped, as a connection that sends no request head is on plain HTTP.
 */
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import { createSecureContext } from 'node:tls';
import { ErrorCode, InputError } from '@shipmate/core';
import { httpLimits } from './http-limits.js';
import type { ResolvedServerOptions } from '../server-options.js';

/** The server's certificate chain and private key, PEM. */
export interface ServerTls {
  /** The certificate, followed by any intermediate CA certificates (PEM). */
  readonly cert: string | Buffer;
  /** The certificate's private key (PEM, unencrypted). */
  readonly key: string | Buffer;
}

/**
 * Checks that `tls` is a usable certificate and key pair; throws an InputError naming what is wrong
 * (`certName`/`keyName` say where each came from, e.g. the environment variable).
 */
export function checkServerTls(tls: ServerTls, certName = 'tls.cert', keyName = 'tls.key'): ServerTls {
  try {
    createSecureContext({ cert: tls.cert, key: tls.key });
  } catch (error) {
    const reason = (error as Error).message;
    const hint = /key values mismatch/i.test(reason)
      ? `${keyName} is not the private key of the certificate in ${certName}: give the key the certificate was issued for`
      : `give ${certName} a PEM certificate (-----BEGIN CERTIFICATE-----) and ${keyName} its unencrypted PEM private key`;
    throw new InputError(ErrorCode.invalidField, `the TLS certificate and key cannot be used (${reason}): ${hint}`);
  }
  return tls;
}

/** The node:https options serving `tls` under the connection limits of `options`. */
export function httpsServerOptions(
  tls: ServerTls,
  options: Pick<ResolvedServerOptions, 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs'>,
): HttpsServerOptions {
  return {
    cert: tls.cert,
    key: tls.key,
    minVersion: 'TLSv1.2',
    handshakeTimeout: options.headersTimeoutMs,
    ...httpLimits(options).http,
  };
}
