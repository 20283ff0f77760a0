/**
 * `shipmate agent`: the distributor of an execution plane. It registers the integration named by
 * K8S_DEPLOYMENT_NAME, long-polls the control plane for the tasks its subscriptions and its own
 * filters match, forwards each to PUBSUB_RECIPIENT once, serves the local surface the integration
 * answers through, and tells the recipient when a task it holds is aborted.
 *
 * With SHIPMATE_TASK_SOURCE the tasks come from the control plane's JetStream stream instead of the
 * long poll (docs/nats.md): the NATS client is loaded only then; registration, heartbeats and the
 * answers stay on HTTP, and an accepted `.started` acknowledges the task's message.
 *
 * SIGTERM/SIGINT drain: no new tasks are taken; the agent waits (up to SHIPMATE_DRAIN_TIMEOUT) for
 * the `.finished` of every forwarded task to pass through `/event`, then unregisters the instance
 * and exits 0.
 */
import { hostname } from 'node:os';
import type { KeptnEvent } from '@shipmate/core';
import { createAgentSession, createControlPlaneClient, createEventSender, senderSettling, stderrLogger } from '@shipmate/agent-sdk';
import type { AgentIdentity, AgentLogger, AgentSession, ControlPlaneClient } from '@shipmate/agent-sdk';
import { ConfigError } from '../config/config-error.js';
import type { AgentConfig } from './agent-config.js';
import { createAgentMetrics } from './agent-metrics.js';
import { startLocalSurface } from './local-surface.js';
import { startAgentMetricsPort } from './metrics-listener.js';
import type { LocalSurface } from './local-surface.js';
import { createRecipientForwarder } from './recipient-forwarder.js';
import { openTaskSource } from './open-task-source.js';
import { topicDriftWarning } from './topic-drift.js';

/** A running agent. */
export interface RunningAgent {
  readonly session: AgentSession;
  readonly surface: LocalSurface;
  /** Drains and stops (see the module comment). */
  stop(): Promise<void>;
}

/** The registration identity from the configuration; throws ConfigError when the name is missing. */
export function agentIdentity(config: AgentConfig): AgentIdentity {
  if (config.deploymentName === '') {
    throw new ConfigError(
      'K8S_DEPLOYMENT_NAME is not set: give the integration a name that is unique per execution plane, e.g. K8S_DEPLOYMENT_NAME=helm-service-production',
    );
  }
  if (config.topics.length === 0) {
    throw new ConfigError(
      'PUBSUB_TOPIC is not set: give the event types to receive, e.g. PUBSUB_TOPIC=sh.keptn.event.deployment.triggered',
    );
  }
  const host = config.nodeName;
  return {
    name: config.deploymentName,
    namespace: config.namespace || 'default',
    hostname: host,
    podname: config.podName || `${hostname()}-${process.pid}`,
    location: config.location,
    version: config.version,
    topics: config.topics,
    filters: { projects: config.projectFilter, stages: config.stageFilter, services: config.serviceFilter },
  };
}

/** Starts the agent; resolves once the local surface listens (registration goes on in the background). */
export async function startAgent(
  config: AgentConfig,
  logger: AgentLogger = stderrLogger(`agent ${config.deploymentName}`),
): Promise<RunningAgent> {
  const identity = agentIdentity(config);
  const client = createControlPlaneClient({
    endpoint: config.apiEndpoint,
    token: config.apiToken,
    sslVerify: config.sslVerify,
    caPem: config.caPem,
  });
  const taskSource = config.taskSource ? await openTaskSource(config.taskSource, identity, logger) : undefined;
  const baseSend = createEventSender({ client, logger });
  const send = taskSource ? senderSettling(baseSend, taskSource) : baseSend;
  /** Forwarded tasks whose `.finished` has not passed through `/event` yet. */
  const open = new Map<string, KeptnEvent>();
  // `session` is created below; the gauges are only read when scraped, after the surface starts.
  const metrics = createAgentMetrics({ connected: () => session.connected, openTasks: () => open.size });
  const forwarder = createRecipientForwarder({
    recipientUrl: config.recipientUrl,
    retryMs: config.forwardRetryMs,
    logger,
    source: identity.name,
    onRetry: () => metrics.forwardRetried(),
  });
  const stopping = new AbortController();
  let drained: (() => void) | undefined;

  const finishedTask = (triggeredId: string) => {
    open.delete(triggeredId);
    if (open.size === 0) drained?.();
  };

  const session = createAgentSession({
    client,
    identity,
    logger,
    heartbeatMs: config.heartbeatIntervalMs,
    pollWaitMs: config.pollWaitMs,
    onPollError: () => metrics.pollFailed(),
    ...(taskSource ? { taskSource } : {}),
    onTask(event) {
      metrics.taskReceived(event.type);
      open.set(event.id, event);
      const { project, stage, service } = event.data;
      logger.info(
        `forwarding ${event.type} ${event.id} (${[project, stage, service].join('/')}, context ${event.shkeptncontext}) to ${config.recipientUrl}`,
      );
      void forwarder.forward(event, stopping.signal).then((accepted) => {
        metrics.taskForwarded(event.type, accepted);
        if (!accepted) finishedTask(event.id);
      });
    },
    onAborted(triggeredId) {
      const event = open.get(triggeredId);
      if (!event) return;
      logger.info(`task ${triggeredId} was aborted by the control plane; telling the recipient`);
      finishedTask(triggeredId);
      void forwarder.notifyAborted(event, stopping.signal);
    },
  });

  const surface = await startLocalSurface({
    port: config.apiProxyPort,
    maxPayloadBytes: config.maxPayloadBytes,
    client,
    send,
    logger,
    integrationId: () => session.registration?.id,
    health: () => ({ registered: session.registration !== undefined, connected: session.connected, openTasks: open.size }),
    onFinished: finishedTask,
    metrics,
  });
  logger.info(
    `local surface on ${surface.url} (GET /health, GET /metrics, POST /event, API proxy); forwarding tasks to ${config.recipientUrl}`,
  );
  const metricsListener = await startAgentMetricsPort(config.metricsPort, {
    registry: metrics.registry,
    health: () => ({ registered: session.registration !== undefined, connected: session.connected }),
    logger,
  }).catch(async (error: unknown) => {
    await surface.close();
    throw error;
  });

  const started = session
    .start()
    .then((registration) => warnOfTopicDrift(client, registration.id, identity.topics, logger))
    .catch((error: unknown) => {
      if (stopping.signal.aborted) return;
      logger.error(`registration refused: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
      void running.stop();
    });

  let stopped: Promise<void> | undefined;
  const running: RunningAgent = {
    session,
    surface,
    stop() {
      stopped ??= (async () => {
        await session.stopPolling();
        if (open.size > 0) {
          logger.info(`draining: waiting up to ${config.drainTimeoutMs} ms for ${open.size} forwarded task(s) to finish`);
          const all = new Promise<void>((resolve) => {
            drained = resolve;
          });
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<void>((resolve) => {
            timer = setTimeout(resolve, config.drainTimeoutMs);
          });
          await Promise.race([all, timeout]);
          clearTimeout(timer);
          if (open.size > 0) logger.warn(`drain timeout: ${open.size} forwarded task(s) did not finish; the control plane times them out`);
        }
        stopping.abort();
        await session.close({ unregister: true });
        await started;
        await surface.close();
        await metricsListener?.close();
        forwarder.close();
      })();
      return stopped;
    },
  };
  return running;
}

/** Warns when the stored subscriptions of the integration differ from PUBSUB_TOPIC (topic-drift.ts). */
async function warnOfTopicDrift(
  client: ControlPlaneClient,
  integrationId: string,
  topics: readonly string[],
  logger: AgentLogger,
): Promise<void> {
  const path = `/controlPlane/v1/uniform/registration/${encodeURIComponent(integrationId)}/subscription`;
  try {
    const answer = await client.raw('GET', path);
    if (answer.status !== 200) return;
    const stored = (JSON.parse(answer.body.toString('utf8')) as Array<{ event?: unknown }>).flatMap((s) =>
      typeof s.event === 'string' ? [s.event] : [],
    );
    const warning = topicDriftWarning(topics, stored, integrationId);
    if (warning) logger.warn(warning);
  } catch (error) {
    // Only a hint: a failed look changes nothing about the agent's work.
    logger.info(`could not compare PUBSUB_TOPIC with the stored subscriptions: ${error instanceof Error ? error.message : String(error)}`);
  }
}
