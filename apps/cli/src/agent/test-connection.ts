/**
 * `shipmate agent test-connection`: checks, in order, the endpoint's form, DNS, TCP, TLS (or plain
 * HTTP), the token and API compatibility, printing one line per check and stopping at the first
 * failure with its cause and fix. Each check lives in its own module under checks/.
 */
import type { AgentConfig } from './agent-config.js';
import { checkApiCompatibility } from './checks/api-compat-check.js';
import { formatCheckResult } from './checks/check-result.js';
import type { CheckResult } from './checks/check-result.js';
import { checkDns } from './checks/dns-check.js';
import { checkEndpointForm } from './checks/endpoint-form-check.js';
import { checkPlainHttp } from './checks/plain-http-check.js';
import { checkTcp } from './checks/tcp-check.js';
import { checkTls } from './checks/tls-check.js';
import { checkToken } from './checks/token-check.js';

/** Options of {@link testConnection}. */
export interface TestConnectionOptions {
  /** Receives each printed line (without newline). */
  write(line: string): void;
  /** Timeout of each network step. @default 5000 */
  timeoutMs?: number;
}

/** Number of checks, for the closing line. */
const CHECK_COUNT = 6;

/** Runs the checks; resolves true when all passed. */
export async function testConnection(config: AgentConfig, options: TestConnectionOptions): Promise<boolean> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const report = <T>(result: CheckResult<T>): result is Extract<CheckResult<T>, { ok: true }> => {
    for (const line of formatCheckResult(result)) options.write(line);
    return result.ok;
  };
  const form = checkEndpointForm(config.apiEndpoint, config.apiEndpointSource);
  if (!report(form)) return false;
  const endpoint = form.value;
  // The later checks need the normalized endpoint (no trailing slash).
  const connection = { ...config, apiEndpoint: endpoint.base };
  const dns = await checkDns(endpoint.host);
  if (!report(dns)) return false;
  const tcp = await checkTcp(dns.value, endpoint.port, timeoutMs);
  if (!report(tcp)) return false;
  const transport = endpoint.secure
    ? await checkTls(endpoint, tcp.value, config, timeoutMs)
    : await checkPlainHttp(endpoint, tcp.value, timeoutMs);
  if (!report(transport)) return false;
  if (!report(await checkToken(connection, config.apiTokenSource, timeoutMs))) return false;
  if (!report(await checkApiCompatibility(connection, timeoutMs))) return false;
  options.write(`all ${CHECK_COUNT} checks passed: this execution plane can reach the control plane at ${endpoint.base}`);
  return true;
}
