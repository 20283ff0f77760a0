/** Check 6: the API is Keptn-compatible (`GET <endpoint>/v1/metadata` returns `shipyardversion`). */
import { apiRequest } from '../api-request.js';
import type { ApiConnection } from '../api-request.js';
import { failed, passed } from './check-result.js';
import type { CheckResult } from './check-result.js';
import { NOT_KEPTN_API_FIX, WRONG_TOKEN_FIX } from './operator-fixes.js';

/** Versions the control plane reports. */
export interface ControlPlaneMetadata {
  readonly shipyardversion: string;
  readonly keptnversion: string | undefined;
  readonly shipmateversion: string | undefined;
}

/** Reads Keptn's metadata endpoint and checks it has the shape of Keptn's api-service answer. */
export async function checkApiCompatibility(connection: ApiConnection, timeoutMs: number): Promise<CheckResult<ControlPlaneMetadata>> {
  const call = `GET ${connection.apiEndpoint}/v1/metadata`;
  let response;
  try {
    response = await apiRequest(connection, 'GET', '/v1/metadata', timeoutMs);
  } catch (error) {
    return failed(
      `API: ${call} failed`,
      `the request failed: ${(error as Error).message}`,
      'retry; if it keeps failing, check the control plane is healthy (its /health endpoint)',
    );
  }
  if (response.status === 401 || response.status === 403) {
    return failed(
      `API: ${call} answered ${response.status}`,
      'the control plane accepted the token for /v1/auth but not for /v1/metadata',
      WRONG_TOKEN_FIX,
    );
  }
  if (response.status !== 200) {
    return failed(
      `API: ${call} answered ${response.status}`,
      `the metadata endpoint answered ${response.status} instead of 200`,
      NOT_KEPTN_API_FIX,
    );
  }
  const metadata = parseMetadata(response.body);
  if (metadata === undefined) {
    const what = response.contentType.includes('json')
      ? 'JSON without a shipyardversion'
      : `a non-JSON answer (${response.contentType || 'no content type'})`;
    return failed(`API: ${call} is not Keptn's metadata`, `the endpoint returned ${what}`, NOT_KEPTN_API_FIX);
  }
  const versions = [`shipyardversion ${metadata.shipyardversion}`];
  if (metadata.keptnversion !== undefined) versions.push(`keptnversion ${metadata.keptnversion}`);
  if (metadata.shipmateversion !== undefined) versions.push(`shipmateversion ${metadata.shipmateversion}`);
  return passed(`API: Keptn-compatible (${versions.join(', ')})`, metadata);
}

function parseMetadata(body: string): ControlPlaneMetadata | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  const text = (key: string) => (typeof record[key] === 'string' ? record[key] : undefined);
  const shipyardversion = text('shipyardversion');
  if (shipyardversion === undefined) return undefined;
  return { shipyardversion, keptnversion: text('keptnversion'), shipmateversion: text('shipmateversion') };
}
