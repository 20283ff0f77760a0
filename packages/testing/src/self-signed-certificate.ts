/**
 * Certificates for TLS tests, made by the `openssl` CLI (Node 20 cannot create X.509 certificates):
 * a single self-signed certificate, or a private CA and server certificates it signs.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
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

/** A private certificate authority: its key and self-signed CA certificate (PEM) in a directory. */
export interface CertificateAuthority {
  readonly dir: string;
  readonly keyFile: string;
  /** The CA certificate: what a client trusts (e.g. SHIPMATE_CA_FILE). */
  readonly certFile: string;
  readonly cert: Buffer;
}

/** Creates a CA (`CN=<commonName>`, valid one day, allowed to sign certificates only) in `dir`. */
export function createCertificateAuthority(dir: string, commonName: string): CertificateAuthority {
  const keyFile = join(dir, 'ca-key.pem');
  const certFile = join(dir, 'ca.pem');
  openssl([
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1'],
    '-subj',
    `/CN=${commonName}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { dir, keyFile, certFile, cert: readFileSync(certFile) };
}

/**
 * Issues a server certificate signed by `ca` for `CN=<commonName>` naming `subjectAltName`
 * (e.g. `IP:10.0.0.1,DNS:cp.example`), valid one day; written to `<dir>/<commonName>-key.pem` and
 * `<dir>/<commonName>-cert.pem` (the certificate alone; the CA is in `ca.certFile`).
 */
export function issueServerCertificate(
  ca: CertificateAuthority,
  dir: string,
  commonName: string,
  subjectAltName: string,
): SelfSignedCertificate {
  const keyFile = join(dir, `${commonName}-key.pem`);
  const certFile = join(dir, `${commonName}-cert.pem`);
  const requestFile = join(dir, `${commonName}.csr`);
  const extensionsFile = join(dir, `${commonName}.ext`);
  writeFileSync(
    extensionsFile,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${subjectAltName}`,
      '',
    ].join('\n'),
  );
  openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', requestFile, '-subj', `/CN=${commonName}`]);
  openssl([
    ...['x509', '-req', '-in', requestFile, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial'],
    ...['-out', certFile, '-days', '1', '-extfile', extensionsFile],
  ]);
  return { keyFile, certFile, key: readFileSync(keyFile), cert: readFileSync(certFile) };
}

function openssl(args: readonly string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}
