/**
 * Opens the JetStream task source of SHIPMATE_TASK_SOURCE for an agent (the forwarding agent and a
 * built-in run with `--integration` alike). The NATS client is imported only here, so an agent on
 * the long poll never loads it.
 */
import { ErrorCode, ShipmateError } from '@shipmate/core';
import type { AgentIdentity, AgentLogger, TaskSource } from '@shipmate/agent-sdk';
import { ConfigError } from '../config/config-error.js';
import type { TaskSourceConfig } from './agent-config.js';

/** Connects; a NATS server that cannot be used is a configuration error (exit 2) naming the variable. */
export async function openTaskSource(settings: TaskSourceConfig, identity: AgentIdentity, logger: AgentLogger): Promise<TaskSource> {
  const { createJetStreamTaskSource } = await import('@shipmate/bus-nats');
  try {
    const source = await createJetStreamTaskSource({
      url: settings.url,
      field: 'SHIPMATE_TASK_SOURCE',
      stream: settings.stream,
      integration: identity.name,
      topics: identity.topics,
      filters: { projects: [...identity.filters.projects], stages: [...identity.filters.stages], services: [...identity.filters.services] },
      ackWaitMs: settings.ackWaitMs,
      onError: (message) => logger.warn(message),
    });
    logger.info(`tasks from JetStream stream ${settings.stream} at ${settings.redactedUrl}, consumers ${source.consumers.join(', ')}`);
    return source;
  } catch (error) {
    throw asConfigError(error);
  }
}

/** A NATS server or stream that cannot be used is a configuration error with the fix. */
function asConfigError(error: unknown): unknown {
  if (error instanceof ShipmateError && (error.code === ErrorCode.busUnavailable || error.code === ErrorCode.invalidField))
    return new ConfigError(`${error.message}; or leave SHIPMATE_TASK_SOURCE unset to take tasks from the long poll`);
  return error;
}
