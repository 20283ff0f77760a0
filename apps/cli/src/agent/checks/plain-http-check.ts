/** Check 4 for http: the port answers plain HTTP; a TLS port means the scheme is wrong. */
import type { ApiEndpoint } from '../api-endpoint.js';
import { failed, passed } from './check-result.js';
import type { CheckResult } from './check-result.js';
import { probePlainHttp, probeTls } from './protocol-probe.js';
import { hostPort } from './tcp-check.js';

/** Sends a plain HTTP request and, when nothing HTTP comes back, tries a TLS handshake. */
export async function checkPlainHttp(endpoint: ApiEndpoint, address: string, timeoutMs: number): Promise<CheckResult<undefined>> {
  const target = hostPort(endpoint.host, endpoint.port);
  const http = await probePlainHttp(address, endpoint.port, endpoint.host, timeoutMs);
  if (http === 'http') return passed(`HTTP: ${target} answers plain HTTP (no TLS: the token travels unencrypted)`, undefined);
  if (http === 'http-to-tls-port' || (await probeTls(address, endpoint.port, endpoint.host, undefined, timeoutMs)).handshake) {
    return failed(
      `HTTP: ${target} speaks TLS`,
      `the server on ${target} expects TLS, but the endpoint says http://`,
      'this port speaks TLS: use https:// in KEPTN_API_ENDPOINT (Helm value remoteControlPlane.api.protocol: https)',
    );
  }
  return failed(
    `HTTP: no HTTP answer from ${target}`,
    `the server on ${target} accepted the connection but did not answer an HTTP request`,
    "check that the port in KEPTN_API_ENDPOINT is the control plane's API port (Shipmate: the server's --port; Keptn: api-gateway-nginx), not another service",
  );
}
