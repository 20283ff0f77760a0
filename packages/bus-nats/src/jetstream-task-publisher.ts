/**
 * The control plane's side of JetStream task delivery: publishes every task `.triggered` event an
 * orchestrator step emitted (the full CloudEvent JSON) to the stream on the subject of its type
 * (`sh.keptn.event.deployment.triggered`), with the event id as JetStream message id, so that two
 * replicas publishing the same event, or a republish, store it once (task-stream.ts).
 *
 * The gap between "committed" and "published": the store commits the step first and the hook runs
 * after, so a process that dies in between has acknowledged a task that never reached the stream.
 * {@link JetStreamTaskPublisher.republishOpen} closes it: at start (and after each reconnect) the
 * open task `.triggered` events nobody answered yet are published again; those already in the
 * stream are dropped by the duplicate window. A publish that fails (NATS down) is retried with
 * backoff until it is acknowledged or the publisher closes.
 */
import { ErrorCode, ShipmateError, isTaskTriggered, keptnTime, taskAnswered } from '@shipmate/core';
import type { ControlPlaneStore, KeptnEvent } from '@shipmate/core';
import type { JetStreamClient } from 'nats';
import { connectNats } from './nats-connection.js';
import type { NatsConnectionOptions } from './nats-connection.js';
import { DEFAULT_TASK_MAX_AGE_MS, ensureTaskStream, taskSubject } from './task-stream.js';
import { DEFAULT_TASK_STREAM, checkStreamName, checkSubjectPrefix } from './nats-names.js';

/** What the publisher reads to republish open tasks. */
export type OpenTaskSource = Pick<ControlPlaneStore, 'queryOpenTriggered' | 'queryEvents'>;

/** Options of {@link createJetStreamTaskPublisher}. */
export interface JetStreamTaskPublisherOptions {
  /** The NATS server with JetStream. */
  readonly url: string;
  /** Where `url` came from, for messages. @default 'url' */
  readonly field?: string;
  /** The stream's name. @default 'shipmate-tasks' */
  readonly stream?: string;
  /** Put before each subject (`<prefix>.sh.keptn.event.…`): several control planes on one NATS account. @default none */
  readonly subjectPrefix?: string;
  /** How long a task message is kept and deduplicated. @default 86400000 (24 h) */
  readonly maxAgeMs?: number;
  /** Republished after each reconnect (tasks emitted while NATS was away). @default none: only the retries */
  readonly openTasks?: OpenTaskSource;
  /** Failed publishes and connection losses, one line each. @default stderr */
  readonly onError?: (message: string) => void;
  /** First and longest pause between retries of a failed publish. @default 500 and 30000 */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  readonly connection?: Pick<NatsConnectionOptions, 'connectTimeoutMs' | 'reconnectMinMs' | 'reconnectMaxMs'>;
}

/** The publisher. */
export interface JetStreamTaskPublisher {
  readonly stream: string;
  /**
   * The server's `onEmitted` hook: publishes each task `.triggered` among `events` (others are
   * ignored) in the background; never throws.
   */
  publishEmitted(events: readonly KeptnEvent[]): void;
  /** Publishes the open task `.triggered` events without `.started`/`.finished`; resolves with how many. */
  republishOpen(source: OpenTaskSource): Promise<number>;
  /** Resolves once every publish started so far was acknowledged by JetStream, retries included (tests, shutdown). */
  settled(): Promise<void>;
  /** Stops retrying and drains the connection. */
  close(): Promise<void>;
}

/**
 * Connects and creates or updates the stream. A bad `url` or `stream` throws `ERR_INVALID_FIELD`;
 * a server that cannot be reached or has no JetStream throws `ERR_BUS_UNAVAILABLE`.
 */
export async function createJetStreamTaskPublisher(options: JetStreamTaskPublisherOptions): Promise<JetStreamTaskPublisher> {
  const stream = checkStreamName(options.stream ?? DEFAULT_TASK_STREAM);
  const field = options.field ?? 'url';
  const subjectPrefix = options.subjectPrefix === undefined ? undefined : checkSubjectPrefix(options.subjectPrefix);
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_TASK_MAX_AGE_MS;
  const retryMinMs = options.retryMinMs ?? 500;
  const retryMaxMs = options.retryMaxMs ?? 30_000;
  const onError = options.onError ?? ((message: string) => process.stderr.write(`task stream: ${message}\n`));
  let closed = false;
  const watched = await connectNats({
    ...options.connection,
    url: options.url,
    field,
    name: 'shipmate-task-publisher',
    onError,
    // Tasks emitted while the connection was down were retried; this also catches any given up on.
    onReconnect: () => {
      if (options.openTasks) void publisher.republishOpen(options.openTasks).catch(() => {});
    },
  });
  try {
    await ensureTaskStream(await watched.connection.jetstreamManager(), { name: stream, maxAgeMs, subjectPrefix });
  } catch (error) {
    await watched.close();
    throw streamError(error, field, watched.redactedUrl, stream);
  }
  const jetstream: JetStreamClient = watched.connection.jetstream();
  const inFlight = new Set<Promise<void>>();
  const retryTimers = new Set<NodeJS.Timeout>();

  /** Publishes until acknowledged or closed. */
  function publish(event: KeptnEvent, attempt = 0): void {
    if (closed) return;
    const done: Promise<void> = jetstream
      .publish(taskSubject(event.type, subjectPrefix), JSON.stringify(event), { msgID: event.id, expect: { streamName: stream } })
      .then(
        () => {},
        (error: unknown) => {
          if (closed) return;
          const delay = Math.min(retryMaxMs, retryMinMs * 2 ** Math.min(attempt, 16));
          onError(`task ${event.type} ${event.id} not published yet (${(error as Error).message}); retrying in ${delay} ms`);
          const timer = setTimeout(() => {
            retryTimers.delete(timer);
            publish(event, attempt + 1);
          }, delay);
          retryTimers.add(timer);
        },
      )
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  }

  const publisher: JetStreamTaskPublisher = {
    stream,
    publishEmitted(events) {
      for (const event of events) if (isTaskTriggered(event)) publish(event);
    },
    async republishOpen(source) {
      let count = 0;
      for (const event of await source.queryOpenTriggered({ visibleAt: keptnTime(Date.now()) })) {
        if (!isTaskTriggered(event) || (await taskAnswered(source, event.id))) continue;
        publish(event);
        count += 1;
      }
      return count;
    },
    async settled() {
      while (!closed && (inFlight.size > 0 || retryTimers.size > 0)) {
        if (inFlight.size > 0) await Promise.all([...inFlight]);
        else await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      closed = true;
      for (const timer of retryTimers) clearTimeout(timer);
      retryTimers.clear();
      await Promise.all([...inFlight]);
      await watched.close();
    },
  };
  return publisher;
}

function streamError(error: unknown, field: string, redactedUrl: string, stream: string): Error {
  if (error instanceof ShipmateError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const hint = /503|no responders|not enabled/i.test(message)
    ? 'JetStream is not enabled on that server: start nats-server with -js'
    : 'check the account’s JetStream limits and permissions';
  return new ShipmateError(
    'unavailable',
    ErrorCode.busUnavailable,
    `${field}: cannot create the JetStream stream '${stream}' on ${redactedUrl}: ${message}; ${hint}`,
  );
}
