/** TLS settings of every connection the agent makes to the control plane. */
import { rootCertificates } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import type { AgentConfig } from './agent-config.js';

/** What the TLS settings are made from. */
export type TlsSettings = Pick<AgentConfig, 'sslVerify' | 'caPem'>;

/**
 * `rejectUnauthorized` from HTTP_SSL_VERIFY; SHIPMATE_CA_FILE is trusted in addition to (not
 * instead of) the system CAs, so a public certificate still verifies when a CA file is set.
 */
export function tlsConnectionOptions(settings: TlsSettings): Pick<ConnectionOptions, 'rejectUnauthorized' | 'ca'> {
  return settings.caPem === undefined
    ? { rejectUnauthorized: settings.sslVerify }
    : { rejectUnauthorized: settings.sslVerify, ca: [...rootCertificates, settings.caPem] };
}
