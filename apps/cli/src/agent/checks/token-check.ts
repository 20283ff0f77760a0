/** Check 5: the control plane accepts the token (`POST <endpoint>/v1/auth` with `x-token`). */
import { apiRequest } from '../api-request.js';
import type { ApiConnection } from '../api-request.js';
import { failed, passed } from './check-result.js';
import type { CheckResult } from './check-result.js';
import { NOT_KEPTN_API_FIX, WRONG_TOKEN_FIX } from './operator-fixes.js';

/** Asks Keptn's auth endpoint whether the token is valid; `source` names where the token came from. */
export async function checkToken(connection: ApiConnection, source: string, timeoutMs: number): Promise<CheckResult<undefined>> {
  if (connection.apiToken === '') {
    return failed(
      'token: not set',
      `${source} is empty, and the control plane requires a token on every API call`,
      `set ${source} to the control plane's API token (Keptn: Secret keptn-api-token, Helm value remoteControlPlane.api.token; Shipmate: a plane token from shipmate token create, or the admin token printed at the server's first start or its SHIPMATE_API_TOKEN)`,
    );
  }
  const call = `POST ${connection.apiEndpoint}/v1/auth`;
  let response;
  try {
    response = await apiRequest(connection, 'POST', '/v1/auth', timeoutMs);
  } catch (error) {
    return failed(
      `token: ${call} failed`,
      `the request failed: ${(error as Error).message}`,
      'retry; if it keeps failing, check the control plane is healthy (its /health endpoint)',
    );
  }
  const { status } = response;
  if (status >= 200 && status < 300) return passed(`token: accepted (${call} answered ${status})`, undefined);
  if (status === 401 || status === 403) {
    const revoked = revokedMessage(response.body);
    if (revoked !== undefined)
      return failed(
        `token: revoked (${call} answered ${status})`,
        `the control plane says: ${revoked}`,
        `create a new execution-plane token (shipmate token create <name> --stage …) and put it in ${source} (Helm: the Secret named by remoteControlPlane.api.tokenSecretName, or remoteControlPlane.api.token)`,
      );
    return failed(
      `token: rejected (${call} answered ${status})`,
      `the control plane does not accept the token from ${source}`,
      WRONG_TOKEN_FIX,
    );
  }
  if (status === 404 || status === 405)
    return failed(
      `token: ${call} answered ${status}`,
      `there is no Keptn auth endpoint at ${connection.apiEndpoint}/v1/auth`,
      NOT_KEPTN_API_FIX,
    );
  if (status === 429) {
    return failed(
      `token: ${call} answered 429`,
      'the control plane limits auth requests (Keptn: apiService.maxAuth)',
      'wait a few seconds and run the test again',
    );
  }
  return failed(
    `token: ${call} answered ${status}`,
    `the control plane answered ${status} instead of 200`,
    "check the control plane's log for this request; a proxy in between may answer instead of it",
  );
}

/** The message of Shipmate's `ERR_TOKEN_REVOKED` answer, if the body is one. */
function revokedMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { errorCode?: unknown; message?: unknown };
    return parsed.errorCode === 'ERR_TOKEN_REVOKED' && typeof parsed.message === 'string' ? parsed.message : undefined;
  } catch {
    return undefined;
  }
}
