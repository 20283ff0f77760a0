import { resolveAgentConfig } from '../agent/agent-config.js';
import type { AgentFlags } from '../agent/agent-config.js';
import { agentEnvironment } from '../agent/agent-config-file.js';
import { startAgent } from '../agent/run-agent.js';
import { testConnection } from '../agent/test-connection.js';
import { ConfigError } from '../config/config-error.js';
import { durationValue } from '../config/env-values.js';

/** Flags of `shipmate agent test-connection`. */
export interface TestConnectionFlags extends AgentFlags {
  /** Timeout of each network step, a Go duration. */
  timeout?: string;
  /** YAML configuration file (overrides SHIPMATE_AGENT_CONFIG). */
  config?: string;
}

/**
 * `shipmate agent test-connection`: resolves exit code 0 when every check passed, 1 when one
 * failed. A configuration error (other than the endpoint's form, which is check 1) throws
 * ConfigError, which main turns into exit code 2.
 */
export async function runTestConnection(flags: TestConnectionFlags): Promise<number> {
  const config = resolveAgentConfig(agentEnvironment(process.env, flags.config), flags, { checkEndpoint: false });
  const timeoutMs = durationValue(flags.timeout, '5s', '--timeout');
  if (timeoutMs < 1) throw new ConfigError(`--timeout '${flags.timeout}' is too short: give at least 1ms, e.g. --timeout 5s`);
  const ok = await testConnection(config, { write: (line) => process.stdout.write(`${line}\n`), timeoutMs });
  return ok ? 0 : 1;
}

/**
 * `shipmate agent`: runs the agent until SIGTERM or SIGINT, then drains and exits 0 (1 when the
 * control plane refused the registration). Configuration errors throw ConfigError (exit 2).
 */
export async function runAgent(flags: AgentFlags & { config?: string }): Promise<void> {
  const config = resolveAgentConfig(agentEnvironment(process.env, flags.config), flags);
  const agent = await startAgent(config);
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`${new Date().toISOString()} info  agent ${config.deploymentName}: ${signal}: draining\n`);
    void agent.stop().then(() => process.exit(process.exitCode ?? 0));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
