/**
 * The agent's Prometheus metrics, served as `GET /metrics` on its local surface (docs/metrics.md).
 * Counters are bumped where the agent already does the work (one increment per task or event);
 * `connected` and `open tasks` are read when scraped.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { parseEventType } from '@shipmate/core';

/** What the scrape-time gauges read. */
export interface AgentMetricsSources {
  /** True while the last call to the control plane succeeded. */
  readonly connected: () => boolean;
  /** Forwarded tasks whose `.finished` has not passed through `/event` yet. */
  readonly openTasks: () => number;
}

/** The agent's metrics. */
export interface AgentMetrics {
  readonly registry: Registry;
  /** A task came from the control plane. */
  taskReceived(type: string): void;
  /** The recipient accepted a task (true), or it was given up after the forward retries (false). */
  taskForwarded(type: string, accepted: boolean): void;
  /** One failed attempt to hand a task (or an abort notice) to the recipient, retried. */
  forwardRetried(): void;
  /** An event from `/event` went to the control plane (true) or was refused or failed (false). */
  eventSent(sent: boolean): void;
  /** A long poll for tasks failed. */
  pollFailed(): void;
}

function taskOf(type: string): string {
  const parsed = parseEventType(type);
  return parsed.category === 'task' ? parsed.task : 'other';
}

/** Creates the registry and its metrics, with prom-client's default process metrics. */
export function createAgentMetrics(sources: AgentMetricsSources): AgentMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const received = new Counter({
    name: 'shipmate_agent_tasks_received_total',
    help: 'Tasks the agent took from the control plane, by task name',
    labelNames: ['task'],
    registers,
  });
  const forwarded = new Counter({
    name: 'shipmate_agent_tasks_forwarded_total',
    help: 'Tasks handed to the recipient (PUBSUB_RECIPIENT), by task name and result (accepted, or given_up after SHIPMATE_FORWARD_RETRY)',
    labelNames: ['task', 'result'],
    registers,
  });
  const retries = new Counter({
    name: 'shipmate_agent_forward_retries_total',
    help: 'Failed attempts to reach the recipient that were retried',
    registers,
  });
  const sent = new Counter({
    name: 'shipmate_agent_events_sent_total',
    help: 'Events from the integration (POST /event) the control plane took',
    registers,
  });
  const failed = new Counter({
    name: 'shipmate_agent_events_failed_total',
    help: 'Events from the integration (POST /event) the control plane refused or could not be reached for, after retries',
    registers,
  });
  const pollErrors = new Counter({
    name: 'shipmate_agent_poll_errors_total',
    help: 'Long polls for tasks that failed (the agent retries with back-off)',
    registers,
  });
  new Gauge({
    name: 'shipmate_agent_connected',
    help: '1 while the last call to the control plane succeeded, else 0',
    registers,
    collect() {
      this.set(sources.connected() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'shipmate_agent_open_tasks',
    help: 'Forwarded tasks whose .finished has not passed through the agent yet',
    registers,
    collect() {
      this.set(sources.openTasks());
    },
  });
  return {
    registry,
    taskReceived: (type) => received.inc({ task: taskOf(type) }),
    taskForwarded: (type, accepted) => forwarded.inc({ task: taskOf(type), result: accepted ? 'accepted' : 'given_up' }),
    forwardRetried: () => retries.inc(),
    eventSent: (ok) => (ok ? sent : failed).inc(),
    pollFailed: () => pollErrors.inc(),
  };
}
