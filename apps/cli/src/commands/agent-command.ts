import { resolveAgentConfig } from '../agent/agent-config.js';
import type { AgentFlags } from '../agent/agent-config.js';
import { testConnection } from '../agent/test-connection.js';
import { ConfigError } from '../config/config-error.js';
import { durationValue } from '../config/env-values.js';

/** Flags of `shipmate agent test-connection`. */
export interface TestConnectionFlags extends AgentFlags {
  /** Timeout of each network step, a Go duration. */
  timeout?: string;
}

/**
 * `shipmate agent test-connection`: resolves exit code 0 when every check passed, 1 when one
 * failed. A configuration error (other than the endpoint's form, which is check 1) throws
 * ConfigError, which main turns into exit code 2.
 */
export async function runTestConnection(flags: TestConnectionFlags): Promise<number> {
  const config = resolveAgentConfig(process.env, flags, { checkEndpoint: false });
  const timeoutMs = durationValue(flags.timeout, '5s', '--timeout');
  if (timeoutMs < 1) throw new ConfigError(`--timeout '${flags.timeout}' is too short: give at least 1ms, e.g. --timeout 5s`);
  const ok = await testConnection(config, { write: (line) => process.stdout.write(`${line}\n`), timeoutMs });
  return ok ? 0 : 1;
}
