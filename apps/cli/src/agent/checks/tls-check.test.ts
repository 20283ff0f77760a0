import { describe, expect, it } from 'vitest';
import { explainTlsError } from './tls-check.js';

describe('explainTlsError', () => {
  it.each([
    [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      false,
      /self-signed or signed by a CA this machine does not trust/,
      /SHIPMATE_CA_FILE; only for tests, HTTP_SSL_VERIFY=false/,
    ],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', false, /does not trust \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)$/, /SHIPMATE_CA_FILE/],
    ['SELF_SIGNED_CERT_IN_CHAIN', true, /not even with SHIPMATE_CA_FILE/, /does not hold the CA that signed this certificate/],
    [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      false,
      /not valid for 'cp\.example\.com' \(hostname mismatch; it names DNS:other\.example\.com\)/,
      /hostname the certificate names/,
    ],
    ['CERT_HAS_EXPIRED', false, /expired on Jan {2}1 00:00:00 2020 GMT/, /renew/],
    ['CERT_NOT_YET_VALID', false, /not valid yet/, /clock/],
    ['CERT_REVOKED', false, /failed verification \(CERT_REVOKED\)/, /certificate chain/],
  ])('explains %s', (code, caFileGiven, cause, fix) => {
    const problem = explainTlsError(
      code,
      'cp.example.com',
      { subjectaltname: 'DNS:other.example.com', valid_to: 'Jan  1 00:00:00 2020 GMT', valid_from: 'x' },
      caFileGiven,
    );
    expect(problem.cause).toMatch(cause);
    expect(problem.fix).toMatch(fix);
  });
});
