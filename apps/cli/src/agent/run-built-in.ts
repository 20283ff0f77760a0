/**
 * `shipmate agent --integration <name>` (SHIPMATE_INTEGRATION): runs a built-in integration
 * (webhook-service, …) in this process against a remote control plane, as an execution plane of
 * its own, instead of forwarding tasks to a PUBSUB_RECIPIENT. It registers under the built-in's
 * name with its own subscriptions (K8S_DEPLOYMENT_NAME, PUBSUB_TOPIC and PUBSUB_RECIPIENT* are not
 * used), at the agent's LOCATION (default `remote-execution-plane`), with the agent's endpoint,
 * token, TLS settings, filters, poll wait and drain timeout; with SHIPMATE_TASK_SOURCE its tasks
 * come from the control plane's JetStream stream (docs/nats.md). SIGTERM/SIGINT drain and exit.
 */
import { hostname } from 'node:os';
import { createIntegration, stderrLogger } from '@shipmate/agent-sdk';
import type { AgentLogger, Integration, IntegrationOptions } from '@shipmate/agent-sdk';
import { subscribeBuiltIn } from '../builtins/built-in-integrations.js';
import type { AgentConfig } from './agent-config.js';
import { createBuiltInMetrics } from './agent-metrics.js';
import { startAgentMetricsPort } from './metrics-listener.js';
import { openTaskSource } from './open-task-source.js';

/** createIntegration's `taskSource` option for SHIPMATE_TASK_SOURCE, or none (the long poll). */
function taskSourceOption(config: AgentConfig, logger: AgentLogger): Pick<IntegrationOptions, 'taskSource'> {
  const settings = config.taskSource;
  return settings ? { taskSource: (identity) => openTaskSource(settings, identity, logger) } : {};
}

/** The built-in named by `--integration` or SHIPMATE_INTEGRATION, if any. */
export function builtInSelection(flag: string | undefined, env: NodeJS.ProcessEnv): { name: string; source: string } | undefined {
  if (flag !== undefined) return { name: flag.trim(), source: '--integration' };
  const value = env.SHIPMATE_INTEGRATION?.trim();
  return value ? { name: value, source: 'SHIPMATE_INTEGRATION' } : undefined;
}

/**
 * Creates and subscribes the built-in (throws ConfigError for an unknown name), then starts it;
 * with SHIPMATE_METRICS_PORT its metrics are served there (the built-in has no local surface).
 */
export async function startBuiltInAgent(
  selection: { name: string; source: string },
  config: AgentConfig,
  env: NodeJS.ProcessEnv,
): Promise<Integration> {
  const { name } = selection;
  const logger = stderrLogger(`agent ${name}`);
  // `integration` is assigned below; the gauges are only read when scraped.
  const metrics = createBuiltInMetrics({ connected: () => integration.connected, runningTasks: () => integration.running });
  const integration: Integration = subscribeBuiltIn(
    name,
    createIntegration({
      name,
      namespace: config.namespace || 'default',
      controlPlane: { endpoint: config.apiEndpoint, token: config.apiToken, sslVerify: config.sslVerify, caPem: config.caPem },
      hostname: config.nodeName,
      podname: config.podName || `${hostname()}-${process.pid}`,
      location: config.location,
      version: config.version,
      filters: { projects: [...config.projectFilter], stages: [...config.stageFilter], services: [...config.serviceFilter] },
      drainTimeoutMs: config.drainTimeoutMs,
      pollWaitMs: config.pollWaitMs,
      logger,
      observer: metrics.observer,
      ...taskSourceOption(config, logger),
    }),
    { env, endpoint: config.apiEndpoint, location: config.location },
    selection.source,
  );
  const listener = await startAgentMetricsPort(config.metricsPort, {
    registry: metrics.registry,
    health: () => ({ integration: name, connected: integration.connected, runningTasks: integration.running }),
    logger,
  });
  try {
    await integration.start();
  } catch (error) {
    // A refused registration ends the process (exit 1): nothing may keep it alive.
    await listener?.close();
    throw error;
  }
  return integration;
}
