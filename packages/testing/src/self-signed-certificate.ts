/** Self-signed certificates for TLS tests, made by the `openssl` CLI (Node 20 cannot create X.509 certificates). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Why the openssl CLI cannot be used, or undefined when it can (tests skip their TLS cases with this reason). */
export function opensslUnavailable(): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `the openssl CLI is not available (${(error as Error).message}); Node 20 cannot create X.509 certificates itself`;
  }
}

/** A key and a self-signed certificate (PEM) written to `dir`. */
export interface SelfSignedCertificate {
  readonly keyFile: string;
  readonly certFile: string;
  readonly key: Buffer;
  readonly cert: Buffer;
}

/** Creates an RSA key and a certificate for `CN=<commonName>` valid one day, naming `subjectAltName` (e.g. `DNS:localhost`). */
export function createSelfSignedCertificate(dir: string, commonName: string, subjectAltName: string): SelfSignedCertificate {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      `/CN=${commonName}`,
      '-addext',
      `subjectAltName=${subjectAltName}`,
    ],
    { stdio: 'pipe' },
  );
  return { keyFile, certFile, key: readFileSync(keyFile), cert: readFileSync(certFile) };
}
