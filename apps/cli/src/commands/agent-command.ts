import { resolveAgentConfig } from '../agent/agent-config.js';
import type { AgentFlags } from '../agent/agent-config.js';
import { agentEnvironment } from '../agent/agent-config-file.js';
import { startAgent } from '../agent/run-agent.js';
import type { RunningAgent } from '../agent/run-agent.js';
import { builtInSelection, startBuiltInAgent } from '../agent/run-built-in.js';
import { testConnection } from '../agent/test-connection.js';
import { ConfigError } from '../config/config-error.js';
import { durationValue } from '../config/env-values.js';
import { holdSignalsDuringStart } from './signals-during-start.js';

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
 * control plane refused the registration). Configuration errors throw ConfigError (exit 2). With
 * `--integration <name>` (SHIPMATE_INTEGRATION) it runs that built-in integration in this process
 * instead of forwarding tasks to PUBSUB_RECIPIENT.
 */
export async function runAgent(flags: AgentFlags & { config?: string; integration?: string }): Promise<void> {
  const env = agentEnvironment(process.env, flags.config);
  const config = resolveAgentConfig(env, flags);
  const builtIn = builtInSelection(flags.integration, env);
  if (builtIn) {
    // The SDK drains on SIGTERM/SIGINT and exits; a refused registration rejects (exit 1).
    await startBuiltInAgent(builtIn, config, env);
    return;
  }
  // The local surface answers /health before startAgent returns: a signal that comes meanwhile is
  // kept and drains the agent once it has started.
  const signals = holdSignalsDuringStart((line) => process.stderr.write(line), `agent ${config.deploymentName}`);
  let agent: RunningAgent;
  try {
    agent = await startAgent(config);
  } catch (error) {
    signals.release();
    throw error;
  }
  let draining = false;
  signals.handOver((signal) => {
    // A second signal while draining exits at once.
    if (draining) process.exit(1);
    draining = true;
    process.stderr.write(`${new Date().toISOString()} info  agent ${config.deploymentName}: ${signal}: draining\n`);
    void agent.stop().then(() => process.exit(process.exitCode ?? 0));
  });
}
