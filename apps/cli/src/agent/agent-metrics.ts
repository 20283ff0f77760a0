/**
 * The agent's Prometheus metrics (docs/metrics.md), served as `GET /metrics` on its local surface
 * and on SHIPMATE_METRICS_PORT: the forwarding agent's (tasks forwarded to PUBSUB_RECIPIENT) and
 * those of `--integration <name>` (tasks run in this process, told by the SDK's observer).
 * Counters are bumped where the agent already does the work (one increment per task or event);
 * the gauges are read when scraped.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { IntegrationObserver, TaskEnd } from '@shipmate/agent-sdk';
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

/** The metrics both kinds of agent have: received tasks, failed polls, connection state. */
interface BaseMetrics {
  readonly registry: Registry;
  readonly registers: Registry[];
  readonly received: Counter;
  readonly pollErrors: Counter;
}

/**
 * Period (ms) of the event-loop delay sampling timer: prom-client's default, 10 ms, would wake an
 * idle agent 100 times a second. The same as the server's (not imported from it: an agent never
 * loads the server's modules, commands/agent-imports.test.ts).
 */
const EVENT_LOOP_SAMPLE_MS = 200;

function createBaseMetrics(connected: () => boolean): BaseMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  const registers = [registry];
  const received = new Counter({
    name: 'shipmate_agent_tasks_received_total',
    help: 'Tasks the agent took from the control plane, by task name',
    labelNames: ['task'],
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
      this.set(connected() ? 1 : 0);
    },
  });
  return { registry, registers, received, pollErrors };
}

/** Creates the registry and the metrics of the forwarding agent, with prom-client's default process metrics. */
export function createAgentMetrics(sources: AgentMetricsSources): AgentMetrics {
  const { registry, registers, received, pollErrors } = createBaseMetrics(sources.connected);
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

/** What the scrape-time gauges of a built-in integration's agent read. */
export interface BuiltInMetricsSources {
  readonly connected: () => boolean;
  /** Tasks whose handler is running now. */
  readonly runningTasks: () => number;
}

/** The metrics of `shipmate agent --integration <name>`, fed by the SDK's observer. */
export interface BuiltInMetrics {
  readonly registry: Registry;
  readonly observer: Required<IntegrationObserver>;
}

/** Creates the registry and the metrics of an agent running a built-in integration in its process. */
export function createBuiltInMetrics(sources: BuiltInMetricsSources): BuiltInMetrics {
  const { registry, registers, received, pollErrors } = createBaseMetrics(sources.connected);
  const ended = new Counter({
    name: 'shipmate_agent_tasks_ended_total',
    help: 'Tasks the integration ended, by task name and how: finished, errored (the handler threw), aborted (by the control plane), declined (not for this integration), left_open (finished elsewhere)',
    labelNames: ['task', 'result'],
    registers,
  });
  const duration = new Histogram({
    name: 'shipmate_agent_task_seconds',
    help: 'Time from receiving a task to sending its .finished (finished or errored), by task name',
    labelNames: ['task'],
    buckets: [0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers,
  });
  new Gauge({
    name: 'shipmate_agent_running_tasks',
    help: 'Tasks whose handler is running in this process',
    registers,
    collect() {
      this.set(sources.runningTasks());
    },
  });
  return {
    registry,
    observer: {
      taskReceived: (task) => received.inc({ task }),
      taskEnded: (task, end: TaskEnd, seconds) => {
        ended.inc({ task, result: end });
        if (end === 'finished' || end === 'errored') duration.observe({ task }, seconds);
      },
      pollFailed: () => pollErrors.inc(),
    },
  };
}
