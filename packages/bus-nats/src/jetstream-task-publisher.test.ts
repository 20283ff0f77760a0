import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '@shipmate/core';
import type { KeptnEvent } from '@shipmate/core';
import {
  createMemoryStore,
  fixtureEvent,
  fixtureOpenTriggered,
  startCuttableNatsProxy,
  testNatsUrl,
  uniqueNatsName,
  waitFor,
} from '@shipmate/testing';
import { RetentionPolicy, connect } from 'nats';
import type { NatsConnection } from 'nats';
import { createJetStreamTaskPublisher } from './jetstream-task-publisher.js';
import type { JetStreamTaskPublisher, JetStreamTaskPublisherOptions } from './jetstream-task-publisher.js';

/** The stored messages of a stream: subject, message id and the event. */
async function streamMessages(
  nc: NatsConnection,
  stream: string,
): Promise<Array<{ subject: string; msgId: string | undefined; event: KeptnEvent }>> {
  const manager = await nc.jetstreamManager();
  const { state } = await manager.streams.info(stream);
  const messages = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    const message = await manager.streams.getMessage(stream, { seq });
    messages.push({ subject: message.subject, msgId: message.header.get('Nats-Msg-Id') || undefined, event: message.json<KeptnEvent>() });
  }
  return messages;
}

describe('createJetStreamTaskPublisher (real NATS with JetStream)', () => {
  const teardown: Array<() => Promise<void>> = [];
  let admin: NatsConnection;
  afterEach(async () => {
    for (const step of teardown.splice(0).reverse()) await step();
  });

  /** A publisher on a stream of its own (deleted after the test). */
  /** Streams may not share subjects: each test's stream gets its name as subject prefix, so test files never collide. */
  async function open(options: Partial<JetStreamTaskPublisherOptions> & { stream: string }): Promise<JetStreamTaskPublisher> {
    const publisher = await createJetStreamTaskPublisher({
      url: testNatsUrl(),
      onError: () => {},
      subjectPrefix: options.stream,
      ...options,
    });
    teardown.push(() => publisher.close());
    return publisher;
  }

  async function adminConnection(stream: string): Promise<NatsConnection> {
    admin = await connect({ servers: testNatsUrl() });
    teardown.push(async () => {
      await (await admin.jetstreamManager()).streams.delete(stream).catch(() => false);
      await admin.close();
    });
    return admin;
  }

  const task = (fields: Parameters<typeof fixtureEvent>[0] = {}) =>
    fixtureEvent({ type: 'sh.keptn.event.deployment.triggered', ...fields });

  it('creates the stream with limits retention on Keptn’s subjects, and publishes each task .triggered on its type with its id as message id', async () => {
    const stream = uniqueNatsName('tasks');
    const nc = await adminConnection(stream);
    const publisher = await open({ stream });
    const deployment = task();
    const test = task({ type: 'sh.keptn.event.test.triggered' });
    const sequence = fixtureEvent({ type: 'sh.keptn.event.dev.delivery.triggered' });
    const finished = fixtureEvent({ type: 'sh.keptn.event.deployment.finished', triggeredid: deployment.id });
    publisher.publishEmitted([sequence, deployment, finished, test]);
    await publisher.settled();
    const info = await (await nc.jetstreamManager()).streams.info(stream);
    expect(info.config).toMatchObject({ subjects: [`${stream}.sh.keptn.event.>`], retention: RetentionPolicy.Limits });
    expect(await streamMessages(nc, stream)).toEqual([
      { subject: `${stream}.sh.keptn.event.deployment.triggered`, msgId: deployment.id, event: deployment },
      { subject: `${stream}.sh.keptn.event.test.triggered`, msgId: test.id, event: test },
    ]);
  });

  it('stores a task once when two replicas publish it, and when it is published again', async () => {
    const stream = uniqueNatsName('tasks');
    const nc = await adminConnection(stream);
    const replicaA = await open({ stream });
    const replicaB = await open({ stream });
    const deployment = task();
    replicaA.publishEmitted([deployment]);
    replicaB.publishEmitted([deployment]);
    await Promise.all([replicaA.settled(), replicaB.settled()]);
    replicaA.publishEmitted([deployment]);
    await replicaA.settled();
    expect((await streamMessages(nc, stream)).map((message) => message.msgId)).toEqual([deployment.id]);
  });

  it('republishes the open tasks nobody answered yet (committed, then the process died before publishing)', async () => {
    const stream = uniqueNatsName('tasks');
    const nc = await adminConnection(stream);
    const store = createMemoryStore();
    const unanswered = task();
    const started = task({ type: 'sh.keptn.event.test.triggered' });
    const startedEvent = fixtureEvent({ type: 'sh.keptn.event.test.started', triggeredid: started.id });
    await store.commit({
      newEvents: [unanswered, started, startedEvent].map((event) => ({ event, pending: false })),
      openTriggeredPut: [fixtureOpenTriggered(unanswered), fixtureOpenTriggered(started)],
    });
    const publisher = await open({ stream });
    expect(await publisher.republishOpen(store)).toBe(1);
    await publisher.settled();
    // After a second restart the task is still open: published again, stored once.
    const restarted = await open({ stream });
    expect(await restarted.republishOpen(store)).toBe(1);
    await restarted.settled();
    expect(await streamMessages(nc, stream)).toEqual([
      { subject: `${stream}.${unanswered.type}`, msgId: unanswered.id, event: unanswered },
    ]);
  });

  it('retries a publish that failed while NATS was away until it lands', async () => {
    const stream = uniqueNatsName('tasks');
    const nc = await adminConnection(stream);
    const proxy = await startCuttableNatsProxy(testNatsUrl());
    teardown.push(() => proxy.close());
    const errors: string[] = [];
    const publisher = await open({
      stream,
      url: proxy.url,
      retryMinMs: 100,
      retryMaxMs: 200,
      onError: (line) => errors.push(line),
      connection: { reconnectMinMs: 50, reconnectMaxMs: 200 },
    });
    proxy.refuseConnections(true);
    proxy.cutConnections();
    const deployment = task();
    publisher.publishEmitted([deployment]);
    await waitFor('a failed publish', async () => (errors.some((line) => line.includes('not published yet')) ? true : undefined), 15_000);
    proxy.refuseConnections(false);
    await publisher.settled();
    expect((await streamMessages(nc, stream)).map((message) => message.msgId)).toEqual([deployment.id]);
  }, 30_000);

  describe('refuses bad options with the field and the fix', () => {
    it('a stream name JetStream does not accept', async () => {
      await expect(createJetStreamTaskPublisher({ url: testNatsUrl(), stream: 'shipmate.tasks' })).rejects.toMatchObject({
        code: ErrorCode.invalidField,
        message: expect.stringMatching(/^stream 'shipmate\.tasks' is not a JetStream stream name: .*e\.g\. shipmate-tasks/),
      });
    });

    it('a subject prefix with a wildcard', async () => {
      await expect(createJetStreamTaskPublisher({ url: testNatsUrl(), subjectPrefix: 'prod.*' })).rejects.toMatchObject({
        code: ErrorCode.invalidField,
        message: expect.stringMatching(/^subjectPrefix 'prod\.\*' is not a NATS subject prefix/),
      });
    });

    it('a URL that is not NATS', async () => {
      await expect(createJetStreamTaskPublisher({ url: 'https://nats:4222', field: 'SHIPMATE_TASK_STREAM_URL' })).rejects.toMatchObject({
        code: ErrorCode.invalidField,
        message: expect.stringMatching(/^SHIPMATE_TASK_STREAM_URL must be a NATS URL/),
      });
    });

    it('an existing stream of that name with another retention', async () => {
      const stream = uniqueNatsName('tasks');
      const nc = await adminConnection(stream);
      await (await nc.jetstreamManager()).streams.add({ name: stream, subjects: [`${stream}.>`], retention: RetentionPolicy.Workqueue });
      await expect(createJetStreamTaskPublisher({ url: testNatsUrl(), stream })).rejects.toMatchObject({
        code: ErrorCode.busUnavailable,
        message: expect.stringMatching(
          new RegExp(`^the JetStream stream '${stream}' exists with workqueue retention; .*nats stream rm ${stream}`),
        ),
      });
    });
  });
});
