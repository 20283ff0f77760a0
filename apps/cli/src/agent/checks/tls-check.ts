/** Check 4 for https: the TLS handshake, honouring HTTP_SSL_VERIFY and SHIPMATE_CA_FILE. */
import { rootCertificates } from 'node:tls';
import type { PeerCertificate } from 'node:tls';
import type { ApiEndpoint } from '../api-endpoint.js';
import type { TlsSettings } from '@shipmate/agent-sdk';
import { failed, passed } from './check-result.js';
import type { CheckResult } from './check-result.js';
import { probePlainHttp, probeTls } from './protocol-probe.js';
import { hostPort } from './tcp-check.js';

/** What verification failure codes mean for the operator. */
export interface TlsProblem {
  readonly cause: string;
  readonly fix: string;
}

const UNKNOWN_CA_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
]);

/** Handshakes with the endpoint's port; with https, this is where a wrong scheme shows. */
export async function checkTls(
  endpoint: ApiEndpoint,
  address: string,
  settings: TlsSettings,
  timeoutMs: number,
): Promise<CheckResult<undefined>> {
  const target = hostPort(endpoint.host, endpoint.port);
  const ca = settings.caPem === undefined ? undefined : [...rootCertificates, settings.caPem];
  const probe = await probeTls(address, endpoint.port, endpoint.host, ca, timeoutMs);
  if (!probe.handshake) {
    if ((await probePlainHttp(address, endpoint.port, endpoint.host, timeoutMs)) === 'http') {
      return failed(
        `TLS: ${target} does not speak TLS`,
        `the server on ${target} answers plain HTTP, not TLS: the endpoint says https:// but the port serves http`,
        'wrong scheme: use http:// in KEPTN_API_ENDPOINT (Helm value remoteControlPlane.api.protocol: http), or put TLS in front of the control plane (an ingress with a certificate)',
      );
    }
    return failed(
      `TLS: handshake with ${target} failed`,
      `the TLS handshake with ${target} failed (${probe.error})`,
      "check that this port is the control plane's TLS port (ingress or load balancer) and that it accepts TLS 1.2 or newer",
    );
  }
  const certificate = describeCertificate(probe.certificate);
  if (probe.authorizationError === undefined) {
    return passed(`TLS: ${probe.protocol} with ${target}, certificate verified (${certificate})`, undefined);
  }
  const problem = explainTlsError(probe.authorizationError, endpoint.host, probe.certificate, settings.caPem !== undefined);
  if (!settings.sslVerify) {
    return passed(`TLS: ${probe.protocol} with ${target}, certificate NOT verified (HTTP_SSL_VERIFY=false)`, undefined, [
      `verification would fail: ${problem.cause}`,
      'HTTP_SSL_VERIFY=false is for tests only: give the CA in SHIPMATE_CA_FILE and turn verification back on',
    ]);
  }
  return failed(`TLS: certificate of ${target} is not trusted`, problem.cause, problem.fix);
}

/** Turns a certificate verification code into cause and fix. */
export function explainTlsError(code: string, host: string, certificate: Partial<PeerCertificate>, caFileGiven: boolean): TlsProblem {
  if (UNKNOWN_CA_CODES.has(code)) {
    return {
      cause: `the control plane's certificate is self-signed or signed by a CA this machine does not trust (${code})${caFileGiven ? ', not even with SHIPMATE_CA_FILE' : ''}`,
      fix: caFileGiven
        ? "SHIPMATE_CA_FILE does not hold the CA that signed this certificate: put the control plane's CA certificate (PEM) in it"
        : "give the control plane's CA certificate (PEM) in SHIPMATE_CA_FILE; only for tests, HTTP_SSL_VERIFY=false (Helm value remoteControlPlane.api.apiValidateTls: false) turns verification off",
    };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const cn = firstValue(certificate.subject?.CN);
    const names = certificate.subjectaltname ?? (cn === undefined ? 'no names' : `CN=${cn}`);
    return {
      cause: `the certificate is not valid for '${host}' (hostname mismatch; it names ${names})`,
      fix: 'use a hostname the certificate names in KEPTN_API_ENDPOINT, or issue the certificate for this hostname',
    };
  }
  if (code === 'CERT_HAS_EXPIRED') {
    return {
      cause: `the control plane's certificate expired${certificate.valid_to ? ` on ${certificate.valid_to}` : ''}`,
      fix: "renew the control plane's certificate (the ingress's TLS secret, cert-manager); if it looks valid, check this machine's clock",
    };
  }
  if (code === 'CERT_NOT_YET_VALID') {
    return {
      cause: `the control plane's certificate is not valid yet${certificate.valid_from ? ` (from ${certificate.valid_from})` : ''}`,
      fix: "check this machine's clock (NTP), or wait until the certificate's start date",
    };
  }
  return {
    cause: `the certificate failed verification (${code})`,
    fix: "check the control plane's certificate chain; give its CA in SHIPMATE_CA_FILE if it is a private CA",
  };
}

function describeCertificate(certificate: PeerCertificate): string {
  const subject = firstValue(certificate.subject?.CN) ?? certificate.subjectaltname ?? 'no subject';
  const issuer = firstValue(certificate.issuer?.CN) ?? firstValue(certificate.issuer?.O) ?? 'unknown issuer';
  return `subject ${subject}, issuer ${issuer}, valid until ${certificate.valid_to}`;
}

/** A certificate name field is an array when the name appears more than once. */
function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
