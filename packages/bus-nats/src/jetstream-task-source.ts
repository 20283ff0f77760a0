/**
 * The execution plane's side of JetStream task delivery: a task source (agent-sdk's TaskSource)
 * that takes an integration's tasks from durable pull consumers on the task stream, instead of the
 * control plane's HTTP long poll.
 *
 * - One durable consumer per subscribed event type (NATS 2.9 allows one filter subject per
 *   consumer), named after the integration: `<integration>--<task>_<kind>` (plus a hash of the
 *   project/stage/service filters when there are any). Every instance of the integration with the
 *   same filters binds to the same consumers, so each task is delivered to one of them.
 * - The filters are checked here (subjects carry only the type): a task outside them is terminated
 *   for this consumer, which no instance of this integration wants.
 * - A task is acknowledged when the control plane accepted its `.started` (or `.finished`), and
 *   terminated when it refused it (the task ended, or the token may not answer it). While the
 *   integration works towards `.started` the message is kept in progress (`working`) every half
 *   `ackWaitMs`; an instance that dies stops doing so, and JetStream delivers the task to another
 *   instance after `ackWaitMs`.
 * - A consumer created for the first time starts at tasks `lookbackMs` old (by default the control
 *   plane's TASK_STARTED_WAIT_DURATION: older unstarted tasks have timed out).
 */
import { createHash } from 'node:crypto';
import { ErrorCode, ShipmateError, filterMatches, isTaskTriggered, scopeOf } from '@shipmate/core';
import type { KeptnEvent, SubscriptionFilter } from '@shipmate/core';
import { AckPolicy, DeliverPolicy, nanos } from 'nats';
import type { ConsumerMessages, JsMsg } from 'nats';
import { connectNats } from './nats-connection.js';
import type { NatsConnectionOptions, WatchedNatsConnection } from './nats-connection.js';
import { DEFAULT_TASK_STREAM, checkStreamName, checkSubjectPrefix } from './nats-names.js';
import { taskSubject } from './task-stream.js';

/** Options of {@link createJetStreamTaskSource}. */
export interface JetStreamTaskSourceOptions {
  /** The NATS server of the control plane's task stream. */
  readonly url: string;
  /** Where `url` came from, for messages. @default 'url' */
  readonly field?: string;
  /** The stream (the control plane's SHIPMATE_TASK_STREAM). @default 'shipmate-tasks' */
  readonly stream?: string;
  /** The control plane's subject prefix, if it uses one. @default none */
  readonly subjectPrefix?: string;
  /** The integration's name (K8S_DEPLOYMENT_NAME): its instances share the consumers. */
  readonly integration: string;
  /** The subscribed event types (PUBSUB_TOPIC), NATS wildcards allowed. */
  readonly topics: readonly string[];
  /** The instance's project/stage/service filters. */
  readonly filters: SubscriptionFilter;
  /** How long a delivered task may stay unacknowledged before another instance gets it. @default 30000 */
  readonly ackWaitMs?: number;
  /** How far back a new consumer starts. @default 600000 (10 min) */
  readonly lookbackMs?: number;
  /** Terminated and dropped tasks, connection losses; one line each. @default stderr */
  readonly onError?: (message: string) => void;
  readonly connection?: Pick<NatsConnectionOptions, 'connectTimeoutMs' | 'reconnectMinMs' | 'reconnectMaxMs'>;
}

/** The source (structurally agent-sdk's TaskSource). */
export interface JetStreamTaskSource {
  readonly kind: 'jetstream';
  /** The consumers' names, one per topic. */
  readonly consumers: readonly string[];
  start(deliver: (task: KeptnEvent) => void): Promise<void>;
  answered(triggeredId: string, outcome: 'accepted' | 'refused'): void;
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** A consumer name JetStream accepts, from the integration, the topic and the filters. */
export function taskConsumerName(integration: string, topic: string, filters: SubscriptionFilter): string {
  const clean = (value: string) =>
    value
      .replace(/\*/g, 'any')
      .replace(/>/g, 'all')
      .replace(/[^A-Za-z0-9_-]/g, '_');
  const task = clean(topic.startsWith('sh.keptn.event.') ? topic.slice('sh.keptn.event.'.length) : topic);
  const filtered = filters.projects.length + filters.stages.length + filters.services.length > 0;
  const suffix = filtered ? `--${createHash('sha256').update(JSON.stringify(filters)).digest('hex').slice(0, 10)}` : '';
  return `${clean(integration)}--${task}${suffix}`;
}

/**
 * Connects and checks the options and that the stream exists (`ERR_INVALID_FIELD`,
 * `ERR_BUS_UNAVAILABLE` naming `field`); the consumers are created or bound by `start`.
 */
export async function createJetStreamTaskSource(options: JetStreamTaskSourceOptions): Promise<JetStreamTaskSource> {
  const stream = checkStreamName(options.stream ?? DEFAULT_TASK_STREAM);
  const subjectPrefix = options.subjectPrefix === undefined ? undefined : checkSubjectPrefix(options.subjectPrefix);
  const ackWaitMs = options.ackWaitMs ?? 30_000;
  const lookbackMs = options.lookbackMs ?? 600_000;
  const onError = options.onError ?? ((message: string) => process.stderr.write(`task source: ${message}\n`));
  const names = options.topics.map((topic) => taskConsumerName(options.integration, topic, options.filters));
  const watched: WatchedNatsConnection = await connectNats({
    ...options.connection,
    url: options.url,
    field: options.field ?? 'url',
    name: `shipmate-agent-${options.integration}`,
    onError,
  });
  const streamExists = await (await watched.connection.jetstreamManager()).streams.info(stream).then(
    () => true,
    () => false,
  );
  if (!streamExists) {
    await watched.close();
    throw new ShipmateError(
      'unavailable',
      ErrorCode.busUnavailable,
      `${options.field ?? 'url'}: the JetStream stream '${stream}' does not exist on ${watched.redactedUrl}: start the control plane with SHIPMATE_TASK_STREAM=${stream} on this NATS server first, or name its stream in SHIPMATE_TASK_STREAM`,
    );
  }
  /** Delivered tasks not yet settled, by event id: the latest delivery of each. */
  const held = new Map<string, JsMsg>();
  const iterators: ConsumerMessages[] = [];
  const loops: Array<Promise<void>> = [];
  let keepAlive: NodeJS.Timeout | undefined;

  async function bindConsumer(topic: string, name: string): Promise<void> {
    const manager = await watched.connection.jetstreamManager();
    const exists = await manager.consumers.info(stream, name).then(
      () => true,
      () => false,
    );
    if (exists) return;
    try {
      await manager.consumers.add(stream, {
        durable_name: name,
        filter_subject: taskSubject(topic, subjectPrefix),
        ack_policy: AckPolicy.Explicit,
        ack_wait: nanos(ackWaitMs),
        deliver_policy: DeliverPolicy.StartTime,
        opt_start_time: new Date(Date.now() - lookbackMs).toISOString(),
        max_deliver: -1,
      });
    } catch (error) {
      // Another instance created it at the same moment: bind to theirs.
      if (
        !(await manager.consumers.info(stream, name).then(
          () => true,
          () => false,
        ))
      )
        throw error;
    }
  }

  function receive(message: JsMsg, deliver: (task: KeptnEvent) => void): void {
    let task: KeptnEvent;
    try {
      task = message.json<KeptnEvent>();
    } catch {
      onError(`terminated a message on ${message.subject} that is not JSON`);
      return message.term('not JSON');
    }
    if (typeof task !== 'object' || task === null || typeof task.id !== 'string' || !isTaskTriggered(task)) {
      onError(`terminated a message on ${message.subject} that is not a task .triggered event`);
      return message.term('not a task');
    }
    if (!filterMatches(options.filters, scopeOf(task))) return message.term('outside the filters');
    held.set(task.id, message);
    deliver(task);
  }

  async function consume(name: string, deliver: (task: KeptnEvent) => void): Promise<void> {
    const consumer = await watched.connection.jetstream().consumers.get(stream, name);
    const messages = await consumer.consume({ max_messages: 16 });
    iterators.push(messages);
    loops.push(
      (async () => {
        for await (const message of messages) receive(message, deliver);
      })().catch((error: unknown) => onError(`consumer ${name} stopped: ${(error as Error).message}`)),
    );
  }

  const source: JetStreamTaskSource = {
    kind: 'jetstream',
    consumers: names,
    async start(deliver) {
      for (const [index, topic] of options.topics.entries()) {
        const name = names[index] as string;
        await bindConsumer(topic, name);
        await consume(name, deliver);
      }
      keepAlive = setInterval(() => {
        for (const message of held.values()) message.working();
      }, ackWaitMs / 2);
      keepAlive.unref();
    },
    answered(triggeredId, outcome) {
      const message = held.get(triggeredId);
      if (message === undefined) return;
      held.delete(triggeredId);
      if (outcome === 'accepted') message.ack();
      else message.term('the control plane refused the answer');
    },
    async stop() {
      for (const messages of iterators.splice(0)) messages.stop();
      await Promise.all(loops.splice(0));
    },
    async close() {
      await source.stop();
      if (keepAlive) clearInterval(keepAlive);
      // Tasks delivered here and never started go to another instance now, not after ackWaitMs.
      for (const message of held.values()) message.nak();
      held.clear();
      await watched.close();
    },
  };
  return source;
}
