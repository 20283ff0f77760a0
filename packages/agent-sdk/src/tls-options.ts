/** TLS settings of every connection an agent makes to the control plane. */
import { rootCertificates } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';

/** What the TLS settings are made from. */
export interface TlsSettings {
  /** HTTP_SSL_VERIFY: verify the control plane's certificate. */
  readonly sslVerify: boolean;
  /** PEM bundle trusted in addition to the system CAs (SHIPMATE_CA_FILE's contents). */
  readonly caPem: string | undefined;
}

/**
 * `rejectUnauthorized` from HTTP_SSL_VERIFY; the CA bundle is trusted in addition to (not instead
 * of) the system CAs, so a public certificate still verifies when a CA file is set.
 */
export function tlsConnectionOptions(settings: TlsSettings): Pick<ConnectionOptions, 'rejectUnauthorized' | 'ca'> {
  return settings.caPem === undefined
    ? { rejectUnauthorized: settings.sslVerify }
    : { rejectUnauthorized: settings.sslVerify, ca: [...rootCertificates, settings.caPem] };
}
