/** Check 1: the endpoint's form (scheme http/https, a host, the path ending in `/api`). */
import { parseApiEndpoint } from '../api-endpoint.js';
import type { ApiEndpoint } from '../api-endpoint.js';
import { failed, passed } from './check-result.js';
import type { CheckResult } from './check-result.js';

/** Checks the form of the configured endpoint; `source` names where it came from. */
export function checkEndpointForm(raw: string, source: string): CheckResult<ApiEndpoint> {
  const parsed = parseApiEndpoint(raw, source);
  if (!parsed.ok) return failed(`endpoint form: ${raw.trim() === '' ? `${source} is empty` : raw.trim()}`, parsed.cause, parsed.fix);
  const { endpoint } = parsed;
  return passed(
    `endpoint form: ${endpoint.base} (${endpoint.secure ? 'https' : 'http'}, host ${endpoint.host}, port ${endpoint.port})`,
    endpoint,
  );
}
