import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueServerCertificate, opensslUnavailable } from '@shipmate/testing';
import type { SelfSignedCertificate } from '@shipmate/testing';
import { resolveTlsFiles } from './tls-files.js';

const skip = opensslUnavailable();

describe.skipIf(skip !== undefined)(`resolveTlsFiles${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: string;
  let leaf: SelfSignedCertificate;
  let other: SelfSignedCertificate;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shipmate-tls-files-'));
    const ca = createCertificateAuthority(dir, 'test-ca');
    leaf = issueServerCertificate(ca, dir, 'cp.test', 'DNS:cp.test');
    other = issueServerCertificate(ca, dir, 'other.test', 'DNS:other.test');
  });

  it('is plain HTTP when neither variable is set (or both are empty)', () => {
    expect(resolveTlsFiles({})).toBeUndefined();
    expect(resolveTlsFiles({ SHIPMATE_TLS_CERT_FILE: '', SHIPMATE_TLS_KEY_FILE: ' ' })).toBeUndefined();
  });

  it('reads the certificate and its key', () => {
    const tls = resolveTlsFiles({ SHIPMATE_TLS_CERT_FILE: leaf.certFile, SHIPMATE_TLS_KEY_FILE: leaf.keyFile });
    expect(tls?.cert.toString()).toBe(leaf.cert.toString());
    expect(tls?.key.toString()).toBe(leaf.key.toString());
  });

  it('wants both variables, naming the missing one', () => {
    expect(() => resolveTlsFiles({ SHIPMATE_TLS_CERT_FILE: leaf.certFile })).toThrow(
      /SHIPMATE_TLS_CERT_FILE is set but SHIPMATE_TLS_KEY_FILE is not: HTTPS needs both/,
    );
    expect(() => resolveTlsFiles({ SHIPMATE_TLS_KEY_FILE: leaf.keyFile })).toThrow(
      /SHIPMATE_TLS_KEY_FILE is set but SHIPMATE_TLS_CERT_FILE is not/,
    );
  });

  it('names a file that cannot be read', () => {
    const missing = join(dir, 'missing.pem');
    expect(() => resolveTlsFiles({ SHIPMATE_TLS_CERT_FILE: leaf.certFile, SHIPMATE_TLS_KEY_FILE: missing })).toThrow(
      `SHIPMATE_TLS_KEY_FILE='${missing}' cannot be read (ENOENT): give the path of a PEM file the server's user can read`,
    );
  });

  it('names a key that does not belong to the certificate', () => {
    expect(() => resolveTlsFiles({ SHIPMATE_TLS_CERT_FILE: leaf.certFile, SHIPMATE_TLS_KEY_FILE: other.keyFile })).toThrow(
      /SHIPMATE_TLS_KEY_FILE \(.*other\.test-key\.pem\) is not the private key of the certificate in SHIPMATE_TLS_CERT_FILE/,
    );
  });

  it('names a certificate file that is not PEM', () => {
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'hello');
    expect(() => resolveTlsFiles({ SHIPMATE_TLS_CERT_FILE: garbage, SHIPMATE_TLS_KEY_FILE: leaf.keyFile })).toThrow(
      /give SHIPMATE_TLS_CERT_FILE \(.*garbage\.pem\) a PEM certificate/,
    );
  });
});
