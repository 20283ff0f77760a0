/**
 * The control plane's Prometheus metrics (docs/metrics.md lists them). Two kinds:
 *
 * - Counters and histograms fed from the event path ({@link ServerMetrics.stored} for events the
 *   intake stored, {@link ServerMetrics.emitted} for events the orchestrator emitted). Each call is
 *   O(1) per event: one type parse, a counter increment, and for task events one map write or read;
 *   no store query. They start at zero with the process (Prometheus' `rate()` handles resets).
 * - Gauges computed when scraped: queue depth (one count per project and state through the
 *   executions index, off the event path), agents online (from the in-memory registry copy), parked
 *   long polls, upstream sync states (in memory).
 *
 * Sequences are counted as triggered and finished by result rather than as a gauge by state: the
 * executions table has no index that counts every state cheaply (a gauge by state would scan all
 * executions, finished ones included, on every scrape), while the two counters cost nothing and
 * `triggered - finished` gives the sequences in flight.
 *
 * Labels are project, stage, task name, result, state, location, event category and kind: all
 * bounded by the shipyards and the registry, never by contexts or ids.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { InstanceState, instanceState, parseEventType } from '@shipmate/core';
import type {
  Clock,
  ConfigUpstream,
  ControlPlaneStore,
  EventData,
  InstanceRecord,
  IntegrationRecord,
  KeptnEvent,
  ParsedEventType,
  UpstreamState,
} from '@shipmate/core';

/** What the scrape-time gauges read. */
export interface ServerMetricsSources {
  readonly store: ControlPlaneStore;
  readonly clock: Clock;
  /** The in-memory registry copy (LiveSubscriberIndex.registered). */
  readonly registered: () => ReadonlyArray<{ integration: IntegrationRecord; instances: readonly InstanceRecord[] }>;
  readonly heartbeatIntervalMs: number;
  /** Parked agent long polls now. */
  readonly parkedPolls: () => number;
  readonly upstream: ConfigUpstream | undefined;
  /** Triggered tasks remembered for the latency histograms at most. @default 10000 */
  readonly maxOpenTasks?: number;
}

/** The metrics of one server. */
export interface ServerMetrics {
  /** The registry `/metrics` exposes (its own, so two servers in one process do not mix). */
  readonly registry: Registry;
  /** An event the intake stored (received through the API or from a built-in integration). */
  stored(event: KeptnEvent): void;
  /** Events the orchestrator emitted (committed). */
  emitted(events: readonly KeptnEvent[]): void;
  /** A notice this replica sent to the other replicas or received from one. */
  replicaNotice(kind: string, direction: 'sent' | 'received'): void;
}

/** Execution states counted as queue depth. */
const QUEUED_STATES = ['triggered', 'waiting'] as const;
const UPSTREAM_STATES: readonly UpstreamState[] = ['synced', 'pending', 'failing', 'diverged'];
/** Period (ms) of the timer that samples the event-loop delay metrics. */
const EVENT_LOOP_SAMPLE_MS = 200;
/** Seconds; tasks range from a webhook call to an hour-long test run. */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Creates the registry and its metrics, with prom-client's default process metrics. */
export function createServerMetrics(sources: ServerMetricsSources): ServerMetrics {
  const registry = new Registry();
  // The event-loop delay is sampled by a timer at this period (prom-client's default, 10 ms, woke an
  // idle server 100 times a second: 0.5 % of a core with nothing to do). Delays are still measured
  // in full on every tick; only fewer ticks sample them.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  const registers = [registry];
  const { clock } = sources;
  const maxOpenTasks = sources.maxOpenTasks ?? 10_000;

  const received = new Counter({
    name: 'shipmate_events_received_total',
    help: 'Events stored by the intake, by type category (task, sequence, other) and kind (triggered, started, finished, invalidated; other for other types)',
    labelNames: ['category', 'kind'],
    registers,
  });
  const replicaNotices = new Counter({
    name: 'shipmate_replica_notices_total',
    help: 'Notices between control-plane replicas (docs/replicas.md), by kind and direction (sent, received); none with one replica',
    labelNames: ['kind', 'direction'],
    registers,
  });
  const sequencesTriggered = new Counter({
    name: 'shipmate_sequences_triggered_total',
    help: 'Sequence .triggered events (from clients and from the orchestrator for the next stage), by project and stage',
    labelNames: ['project', 'stage'],
    registers,
  });
  const sequencesFinished = new Counter({
    name: 'shipmate_sequences_finished_total',
    help: 'Sequence .finished events the orchestrator emitted, by project, stage and result (pass, warning, fail)',
    labelNames: ['project', 'stage', 'result'],
    registers,
  });
  const tasksTriggered = new Counter({
    name: 'shipmate_tasks_triggered_total',
    help: 'Task .triggered events (emitted by the orchestrator or sent as sub-tasks), by task name',
    labelNames: ['task'],
    registers,
  });
  const startedLatency = new Histogram({
    name: 'shipmate_task_started_seconds',
    help: 'Time from a task .triggered to its first .started as the control plane saw them, by task name',
    labelNames: ['task'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const finishedLatency = new Histogram({
    name: 'shipmate_task_finished_seconds',
    help: 'Time from a task .triggered to its first .finished as the control plane saw them, by task name',
    labelNames: ['task'],
    buckets: LATENCY_BUCKETS,
    registers,
  });

  new Gauge({
    name: 'shipmate_sequence_executions_queued',
    help: 'Sequence executions waiting for the queue slot of their stage and service, by project and state (triggered: not started yet; waiting: between two tasks)',
    labelNames: ['project', 'state'],
    registers,
    async collect() {
      this.reset();
      for (const project of await sources.store.listProjects()) {
        for (const state of QUEUED_STATES) {
          const page = await sources.store.queryExecutions({ project: project.name, state, offset: 0, limit: 1 });
          this.set({ project: project.name, state }, page.totalCount);
        }
      }
    },
  });
  new Gauge({
    name: 'shipmate_integrations_online',
    help: 'Registered integrations with an online instance (or a recent heartbeat), by location',
    labelNames: ['location'],
    registers,
    collect() {
      this.reset();
      const nowMs = clock.nowMs();
      const online = (lastseen: string) => instanceState(lastseen, nowMs, sources.heartbeatIntervalMs) === InstanceState.online;
      for (const { integration, instances } of sources.registered()) {
        const up = instances.length > 0 ? instances.some((i) => online(i.lastseen)) : online(integration.metadata.lastseen);
        if (up) this.inc({ location: integration.metadata.location });
      }
    },
  });
  new Gauge({
    name: 'shipmate_integration_instances_online',
    help: 'Online instances of registered integrations (heartbeat within 3 intervals), by location',
    labelNames: ['location'],
    registers,
    collect() {
      this.reset();
      const nowMs = clock.nowMs();
      for (const { instances } of sources.registered()) {
        for (const instance of instances) {
          if (instanceState(instance.lastseen, nowMs, sources.heartbeatIntervalMs) === InstanceState.online) {
            this.inc({ location: instance.location });
          }
        }
      }
    },
  });
  new Gauge({
    name: 'shipmate_parked_long_polls',
    help: 'Agent long polls parked, waiting for a task',
    registers,
    collect() {
      this.set(sources.parkedPolls());
    },
  });
  const upstream = sources.upstream;
  if (upstream) {
    new Gauge({
      name: 'shipmate_upstream_projects',
      help: 'Projects with an upstream repository, by sync state (synced, pending, failing, diverged)',
      labelNames: ['state'],
      registers,
      async collect() {
        const counts = new Map<UpstreamState, number>(UPSTREAM_STATES.map((state) => [state, 0]));
        for (const project of await sources.store.listProjects()) {
          const state = upstream.status(project.name)?.state;
          if (state) counts.set(state, (counts.get(state) ?? 0) + 1);
        }
        for (const [state, count] of counts) this.set({ state }, count);
      },
    });
  }

  /** Trigger time (server clock) of open tasks by triggered id, oldest first; bounded. */
  const openTasks = new Map<string, { task: string; atMs: number; started: boolean }>();

  function observe(event: KeptnEvent, parsed: ParsedEventType): void {
    if (parsed.category === 'sequence') {
      // `data` is required by the type, but a metric must never fail the request that stored the event.
      const data = (event.data as EventData | undefined) ?? {};
      const project = text(data.project);
      if (parsed.kind === 'triggered') sequencesTriggered.inc({ project, stage: parsed.stage });
      else sequencesFinished.inc({ project, stage: parsed.stage, result: text(data.result) });
      return;
    }
    if (parsed.category !== 'task') return;
    if (parsed.kind === 'triggered') {
      tasksTriggered.inc({ task: parsed.task });
      if (openTasks.size >= maxOpenTasks) {
        const oldest = openTasks.keys().next();
        if (!oldest.done) openTasks.delete(oldest.value);
      }
      openTasks.set(event.id, { task: parsed.task, atMs: clock.nowMs(), started: false });
      return;
    }
    const open = event.triggeredid ? openTasks.get(event.triggeredid) : undefined;
    if (!open || !event.triggeredid) return;
    const seconds = Math.max(0, clock.nowMs() - open.atMs) / 1000;
    if (parsed.kind === 'started' && !open.started) {
      open.started = true;
      startedLatency.observe({ task: open.task }, seconds);
    } else if (parsed.kind === 'finished') {
      finishedLatency.observe({ task: open.task }, seconds);
      openTasks.delete(event.triggeredid);
    }
  }

  return {
    registry,
    replicaNotice(kind, direction) {
      replicaNotices.inc({ kind, direction });
    },
    stored(event) {
      const parsed = parseEventType(event.type);
      received.inc({ category: parsed.category, kind: parsed.category === 'other' ? 'other' : parsed.kind });
      observe(event, parsed);
    },
    emitted(events) {
      for (const event of events) observe(event, parseEventType(event.type));
    },
  };
}
