/**
 * Writing an integration in process: subscribe a handler to a task, start, and the SDK registers
 * the instance, receives the matching tasks over the long poll, sends `.started` as the handler
 * starts (without making it wait) and `.finished` after it (status `errored`, result `fail` and the message when it
 * throws), passes an abort of the sequence to the handler as an AbortSignal, and on SIGTERM
 * drains: no new tasks, running ones finish, then the instance unregisters.
 *
 *   const integration = createIntegration({ name: 'my-tests', controlPlane: { endpoint, token } });
 *   integration.onTask('test', async (task) => { await run(task.data, task.signal); return { test: { passed: 12 } }; });
 *   await integration.start();
 */
import { hostname as osHostname } from 'node:os';
import type { EventData, KeptnEvent } from '@shipmate/core';
import { createAgentSession } from './agent-session.js';
import type { AgentSession } from './agent-session.js';
import { createControlPlaneClient } from './control-plane-client.js';
import type { ControlPlaneConnection, Registration } from './control-plane-client.js';
import { createEventSender } from './event-sender.js';
import { senderSettling } from './task-source.js';
import type { TaskSource } from './task-source.js';
import type { EventSender } from './event-sender.js';
import { stderrLogger } from './logger.js';
import type { AgentLogger } from './logger.js';
import type { AgentIdentity } from './registration-body.js';
import { createSubtaskRunner } from './subtask.js';
import type { RunSubtask } from './subtask.js';
import { createTaskReads } from './task-reads.js';
import type { TaskReads } from './task-reads.js';
import { erroredEvent, finishedEvent, progressEvent, startedEvent, taskNameOf } from './task-events.js';

/** What a handler gets. */
export interface TaskContext {
  /** The task's `.triggered` event (with `data.temporaryData.distributor.subscriptionID`). */
  readonly event: KeptnEvent;
  /** The task name, e.g. `test`. */
  readonly task: string;
  /** Shorthand for `event.data`. */
  readonly data: EventData;
  /** Aborts when the sequence is aborted or timed out, or the drain timeout passed. */
  readonly signal: AbortSignal;
  /** Sends `sh.keptn.event.<task>.status.changed` with the message. */
  progress(message: string): Promise<void>;
  /**
   * Sends `.started` now, once: what a handler subscribed with `deferStarted` calls when it has
   * decided to (e.g. Keptn's webhook-service only when the webhook's `sendStarted` says so).
   * Otherwise the SDK has sent it already and this resolves once it went out.
   */
  started(): Promise<void>;
  /** Reads a configuration file of the task's project (see {@link TaskReads.resource}). */
  resource: TaskReads['resource'];
  /** Reads a secret while the task is held (see {@link TaskReads.secret}). */
  secret: TaskReads['secret'];
  /** Reads any API path as JSON (see {@link TaskReads.api}). */
  api: TaskReads['api'];
  /** Asks other integrations for a sub-task in this task's context and waits for its `.finished` (subtask.ts). */
  subtask: RunSubtask;
}

/**
 * Returned by a handler whose task stays open after it returns: its `.finished` comes from
 * elsewhere (a person approving, another system), so the SDK sends `.started` only.
 */
export const LEAVE_OPEN: unique symbol = Symbol('shipmate.leave-open');

/** What a handler may return: the `.finished` data (`status`/`result` may be set there), nothing, or {@link LEAVE_OPEN}. */
export type TaskOutcome = Record<string, unknown> | void | typeof LEAVE_OPEN;

/** A handler: what it returns goes into the `.finished` data, unless it is {@link LEAVE_OPEN}. */
export type TaskHandler = (task: TaskContext) => Promise<TaskOutcome> | TaskOutcome;

/** Options of one subscription ({@link Integration.onTask}). */
export interface TaskHandlerOptions {
  /**
   * Takes a task only when this returns true; otherwise the SDK sends nothing for it, not even
   * `.started` (e.g. an SLI provider that answers only `get-sli` tasks naming it as provider).
   */
  accepts?: (event: KeptnEvent) => boolean;
  /**
   * The SDK sends no `.started` for the task: the handler sends it with {@link TaskContext.started}
   * if it wants one (the control plane counts a lone `.finished` as started and finished).
   * @default false
   */
  deferStarted?: boolean;
}

/** Options of {@link createIntegration}. */
export interface IntegrationOptions {
  /** The integration's name, unique per execution plane. */
  name: string;
  /** @default 'default' */
  namespace?: string;
  controlPlane: ControlPlaneConnection;
  /** @default the machine's hostname */
  hostname?: string;
  /** Tells instances apart. @default `<hostname>-<pid>` */
  podname?: string;
  /** The execution plane. @default 'remote-execution-plane' */
  location?: string;
  version?: string;
  /** This instance's own filters (empty = all). */
  filters?: { projects?: string[]; stages?: string[]; services?: string[] };
  logger?: AgentLogger;
  /** Drain on SIGTERM and SIGINT, then exit. @default true */
  handleSignals?: boolean;
  /** How long a drain waits for running tasks before aborting their signals. @default 60000 */
  drainTimeoutMs?: number;
  /** How long each poll parks on the server (at most 60000). @default 55000 (`DEFAULT_POLL_WAIT_MS`) */
  pollWaitMs?: number;
  /** Told of each task's arrival and end, and of failed polls: for metrics. */
  observer?: IntegrationObserver;
  /**
   * Take tasks from the source this creates (at start, for the integration's identity: its name,
   * topics and filters) instead of the long poll, e.g. a JetStream consumer (task-source.ts).
   * @default the long poll
   */
  taskSource?: (identity: AgentIdentity) => Promise<TaskSource>;
}

/** How a task handled by this integration ended, as {@link IntegrationObserver.taskEnded} hears it. */
export type TaskEnd = 'finished' | 'errored' | 'aborted' | 'declined' | 'left_open';

/** Hooks for metrics; each is called synchronously and must not throw. */
export interface IntegrationObserver {
  /** A task came from the control plane (before `accepts` is asked). */
  taskReceived?(task: string): void;
  /**
   * A task ended after `seconds` in this process: its `.finished` was sent (`finished`, or
   * `errored` when the handler threw), the control plane aborted it, `accepts` declined it, or the
   * handler left it open for another process to finish.
   */
  taskEnded?(task: string, end: TaskEnd, seconds: number): void;
  /** A long poll for tasks failed (the SDK retries with back-off). */
  pollFailed?(): void;
}

/** A running (or not yet started) integration. */
export interface Integration {
  /** Subscribes `handler` to `sh.keptn.event.<task>.triggered`; call before {@link start}. */
  onTask(task: string, handler: TaskHandler, options?: TaskHandlerOptions): Integration;
  /**
   * Handles every task no {@link onTask} handler is subscribed to: those of subscriptions added
   * through the API (as Keptn's webhook-service gets its tasks). With only this handler the
   * integration registers without subscriptions of its own.
   */
  onAnyTask(handler: TaskHandler, options?: TaskHandlerOptions): Integration;
  /** Registers and starts receiving tasks; resolves once registered. */
  start(): Promise<Registration>;
  /** Drains: no new tasks, waits for running ones, unregisters the instance, closes connections. */
  stop(): Promise<void>;
  /** Tasks running now. */
  readonly running: number;
  /** True while the last call to the control plane succeeded (false before {@link start}). */
  readonly connected: boolean;
}

interface RunningTask {
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Creates an integration. */
export function createIntegration(options: IntegrationOptions): Integration {
  const logger = options.logger ?? stderrLogger(options.name);
  const handlers = new Map<string, { handler: TaskHandler; options: TaskHandlerOptions }>();
  let fallback: { handler: TaskHandler; options: TaskHandlerOptions } | undefined;
  const running = new Map<string, RunningTask>();
  const client = createControlPlaneClient(options.controlPlane);
  const sendOverHttp: EventSender = createEventSender({ client, logger });
  /** The task source, once started: told which answers the control plane accepted. */
  let source: TaskSource | undefined;
  const send: EventSender = (event) => (source ? senderSettling(sendOverHttp, source)(event) : sendOverHttp(event));
  let session: AgentSession | undefined;
  let stopping: Promise<void> | undefined;

  async function run(
    event: KeptnEvent,
    task: string,
    handler: TaskHandler,
    signal: AbortSignal,
    handlerOptions: TaskHandlerOptions,
  ): Promise<TaskEnd> {
    // The handler starts at once; `.started` goes out meanwhile, and every later event of the task
    // waits for it, so the control plane still sees started → progress → finished in order.
    let started: Promise<void> | undefined;
    const sendStarted = (): Promise<void> =>
      (started ??= send(startedEvent(event, task, options.name)).then(
        () => undefined,
        (error: unknown) => logger.error(`could not send ${task}.started for task ${event.id}: ${describe(error)}`),
      ));
    if (!handlerOptions.deferStarted) void sendStarted();
    let finished: Record<string, unknown>;
    let end: TaskEnd = 'errored';
    try {
      const reads = createTaskReads(client, event, () => session?.registration);
      const context: TaskContext = {
        event,
        task,
        data: event.data,
        signal,
        resource: reads.resource,
        secret: reads.secret,
        api: reads.api,
        subtask: createSubtaskRunner(client, event, options.name, signal),
        progress: async (message) => {
          await started;
          await send(progressEvent(event, task, options.name, message));
        },
        started: sendStarted,
      };
      const outcome = await handler(context);
      if (outcome === LEAVE_OPEN) {
        await started;
        return 'left_open';
      }
      finished = finishedEvent(event, task, options.name, outcome ?? {});
      end = 'finished';
    } catch (error) {
      logger.warn(`task ${task} ${event.id} failed: ${describe(error)}`);
      finished = erroredEvent(event, task, options.name, error);
    }
    if (signal.aborted && signal.reason === 'aborted') {
      logger.info(`task ${task} ${event.id} was aborted; its sequence is closed, so no .finished is sent`);
      return 'aborted';
    }
    await started;
    try {
      await send(finished);
    } catch (error) {
      logger.error(`could not send ${task}.finished for task ${event.id}: ${describe(error)}`);
    }
    return end;
  }

  function onTask(event: KeptnEvent): void {
    const task = taskNameOf(event);
    const subscribed = task === undefined ? undefined : (handlers.get(task) ?? fallback);
    if (task !== undefined) options.observer?.taskReceived?.(task);
    if (task === undefined || !subscribed) {
      logger.warn(
        `got ${event.type} (${event.id}) but no handler is subscribed to it (a subscription was added through the API?); ignoring it`,
      );
      return;
    }
    if (subscribed.options.accepts && !subscribed.options.accepts(event)) {
      logger.info(`task ${task} ${event.id} is not for this integration (declined by accepts); nothing is sent`);
      options.observer?.taskEnded?.(task, 'declined', 0);
      return;
    }
    const controller = new AbortController();
    const since = performance.now();
    const done = run(event, task, subscribed.handler, controller.signal, subscribed.options)
      .then((end) => options.observer?.taskEnded?.(task, end, (performance.now() - since) / 1000))
      .finally(() => running.delete(event.id));
    running.set(event.id, { controller, done });
  }

  function onAborted(triggeredId: string): void {
    const task = running.get(triggeredId);
    if (!task) return;
    logger.info(`task ${triggeredId} was aborted by the control plane; signalling its handler`);
    task.controller.abort('aborted');
  }

  async function drain(): Promise<void> {
    if (!session) return;
    await session.stopPolling();
    if (running.size > 0) logger.info(`draining: waiting for ${running.size} running task(s)`);
    const all = Promise.all([...running.values()].map((t) => t.done));
    const timeoutMs = options.drainTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), timeoutMs);
    });
    if (await Promise.race([all.then(() => false), timedOut])) {
      logger.warn(`drain timeout (${timeoutMs} ms): aborting ${running.size} task(s)`);
      for (const task of running.values()) task.controller.abort('drain timeout');
      await all;
    }
    clearTimeout(timer);
    await session.close({ unregister: true });
  }

  const integration: Integration = {
    onTask(task, handler, handlerOptions = {}) {
      if (session) throw new Error(`onTask('${task}') after start(): subscribe every task before starting`);
      if (!/^[^.\s]+$/.test(task)) throw new Error(`task name '${task}' must be non-empty without dots or spaces, e.g. 'test'`);
      handlers.set(task, { handler, options: handlerOptions });
      return integration;
    },
    onAnyTask(handler, handlerOptions = {}) {
      if (session) throw new Error('onAnyTask() after start(): subscribe every handler before starting');
      fallback = { handler, options: handlerOptions };
      return integration;
    },
    async start() {
      if (session) throw new Error('start() was already called');
      if (handlers.size === 0 && !fallback)
        throw new Error('no task subscribed: call onTask(task, handler) or onAnyTask(handler) before start()');
      const hostname = options.hostname ?? osHostname();
      const identity: AgentIdentity = {
        name: options.name,
        namespace: options.namespace ?? 'default',
        hostname,
        podname: options.podname ?? `${hostname}-${process.pid}`,
        location: options.location ?? 'remote-execution-plane',
        version: options.version ?? '',
        topics: [...handlers.keys()].map((task) => `sh.keptn.event.${task}.triggered`),
        filters: {
          projects: options.filters?.projects ?? [],
          stages: options.filters?.stages ?? [],
          services: options.filters?.services ?? [],
        },
      };
      source = options.taskSource ? await options.taskSource(identity) : undefined;
      session = createAgentSession({
        client,
        identity,
        onTask,
        onAborted,
        logger,
        onPollError: () => options.observer?.pollFailed?.(),
        ...(options.pollWaitMs === undefined ? {} : { pollWaitMs: options.pollWaitMs }),
        ...(source ? { taskSource: source } : {}),
      });
      if (options.handleSignals ?? true) {
        const onSignal = (signal: NodeJS.Signals) => {
          logger.info(`${signal}: draining`);
          void integration.stop().then(() => process.exit(process.exitCode ?? 0));
        };
        process.once('SIGTERM', onSignal);
        process.once('SIGINT', onSignal);
      }
      return session.start();
    },
    stop() {
      stopping ??= drain();
      return stopping;
    },
    get running() {
      return running.size;
    },
    get connected() {
      return session?.connected ?? false;
    },
  };
  return integration;
}
