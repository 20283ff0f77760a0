import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '@shipmate/core';
import type { KeptnEvent } from '@shipmate/core';
import { fixtureEvent, startCuttableNatsProxy, testNatsUrl, uniqueNatsName, waitFor } from '@shipmate/testing';
import { connect } from 'nats';
import { createJetStreamTaskPublisher } from './jetstream-task-publisher.js';
import type { JetStreamTaskPublisher } from './jetstream-task-publisher.js';
import { createJetStreamTaskSource, taskConsumerName } from './jetstream-task-source.js';
import type { JetStreamTaskSource, JetStreamTaskSourceOptions } from './jetstream-task-source.js';

const NO_FILTERS = { projects: [], stages: [], services: [] };
const DEPLOYMENT = 'sh.keptn.event.deployment.triggered';

describe('createJetStreamTaskSource (real NATS with JetStream)', () => {
  const teardown: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const step of teardown.splice(0).reverse()) await step();
  });

  /** A publisher on a stream of its own (subject prefix = stream name, so test files never collide). */
  async function taskStream(): Promise<{ stream: string; publisher: JetStreamTaskPublisher }> {
    const stream = uniqueNatsName('tasks');
    const publisher = await createJetStreamTaskPublisher({ url: testNatsUrl(), stream, subjectPrefix: stream, onError: () => {} });
    teardown.push(async () => {
      await publisher.close();
      const admin = await connect({ servers: testNatsUrl() });
      await (await admin.jetstreamManager()).streams.delete(stream).catch(() => false);
      await admin.close();
    });
    return { stream, publisher };
  }

  /** A started source that records what it is given. */
  async function instance(
    stream: string,
    options: Partial<JetStreamTaskSourceOptions> = {},
  ): Promise<{ source: JetStreamTaskSource; tasks: KeptnEvent[] }> {
    const source = await createJetStreamTaskSource({
      url: testNatsUrl(),
      stream,
      subjectPrefix: stream,
      integration: 'helm-service',
      topics: [DEPLOYMENT],
      filters: NO_FILTERS,
      ackWaitMs: 1000,
      onError: () => {},
      ...options,
    });
    teardown.push(() => source.close());
    const tasks: KeptnEvent[] = [];
    await source.start((task) => tasks.push(task));
    return { source, tasks };
  }

  it('delivers each task to one of the instances of an integration, and acknowledges it on .started', async () => {
    const { stream, publisher } = await taskStream();
    const a = await instance(stream);
    const b = await instance(stream);
    const published = Array.from({ length: 8 }, () => fixtureEvent({ type: DEPLOYMENT }));
    publisher.publishEmitted(published);
    await waitFor('all tasks delivered', async () => (a.tasks.length + b.tasks.length >= 8 ? true : undefined));
    for (const { source, tasks } of [a, b]) for (const task of tasks) source.answered(task.id, 'accepted');
    // Past the ack wait: nothing comes again, to either.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect([...a.tasks, ...b.tasks].map((task) => task.id).sort()).toEqual(published.map((task) => task.id).sort());
    const admin = await connect({ servers: testNatsUrl() });
    teardown.push(() => admin.close());
    const info = await (await admin.jetstreamManager()).consumers.info(stream, taskConsumerName('helm-service', DEPLOYMENT, NO_FILTERS));
    expect({ pending: info.num_pending, unacknowledged: info.num_ack_pending }).toEqual({ pending: 0, unacknowledged: 0 });
  });

  it('gives back at once the tasks it never started when it closes', async () => {
    const { stream, publisher } = await taskStream();
    const closing = await instance(stream, { ackWaitMs: 30_000 });
    const task = fixtureEvent({ type: DEPLOYMENT });
    publisher.publishEmitted([task]);
    await waitFor('the first delivery', async () => (closing.tasks.length === 1 ? true : undefined));
    await closing.source.close();
    const next = await instance(stream, { ackWaitMs: 30_000 });
    await waitFor('the task given back', async () => (next.tasks.length === 1 ? true : undefined), 5000);
  });

  it('gives a task whose instance died before .started to another instance after the ack wait', async () => {
    const { stream, publisher } = await taskStream();
    const proxy = await startCuttableNatsProxy(testNatsUrl());
    teardown.push(() => proxy.close());
    const dying = await instance(stream, { url: proxy.url, connection: { reconnectMinMs: 50, reconnectMaxMs: 100 } });
    const task = fixtureEvent({ type: DEPLOYMENT });
    publisher.publishEmitted([task]);
    await waitFor('the first delivery', async () => (dying.tasks.length === 1 ? true : undefined));
    // The instance is gone for NATS: no ack, no progress, no nak.
    proxy.refuseConnections(true);
    proxy.cutConnections();
    const survivor = await instance(stream);
    await waitFor('the redelivery', async () => (survivor.tasks.length === 1 ? true : undefined), 10_000);
    expect(survivor.tasks[0]?.id).toBe(task.id);
  });

  it('keeps a task it holds in progress past the ack wait, so no other instance gets it while it works', async () => {
    const { stream, publisher } = await taskStream();
    const working = await instance(stream);
    const task = fixtureEvent({ type: DEPLOYMENT });
    publisher.publishEmitted([task]);
    await waitFor('the delivery', async () => (working.tasks.length === 1 ? true : undefined));
    const other = await instance(stream);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(other.tasks).toEqual([]);
    working.source.answered(task.id, 'accepted');
  });

  it('delivers only the tasks inside the instance’s filters, and only of its topics', async () => {
    const { stream, publisher } = await taskStream();
    const filters = { projects: [], stages: ['hardening'], services: [] };
    const hardening = await instance(stream, { filters });
    const inside = fixtureEvent({ type: DEPLOYMENT, data: { stage: 'hardening' } });
    const outside = fixtureEvent({ type: DEPLOYMENT, data: { stage: 'production' } });
    const otherTopic = fixtureEvent({ type: 'sh.keptn.event.test.triggered', data: { stage: 'hardening' } });
    publisher.publishEmitted([outside, otherTopic, inside]);
    await waitFor('the task inside the filters', async () => (hardening.tasks.length === 1 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(hardening.tasks.map((task) => task.id)).toEqual([inside.id]);
    expect(hardening.source.consumers).toEqual([taskConsumerName('helm-service', DEPLOYMENT, filters)]);
  });

  it('says to start the control plane with the stream when it does not exist', async () => {
    const stream = uniqueNatsName('missing');
    const attempt = createJetStreamTaskSource({
      url: testNatsUrl(),
      field: 'SHIPMATE_TASK_SOURCE',
      stream,
      integration: 'helm-service',
      topics: [DEPLOYMENT],
      filters: NO_FILTERS,
    });
    await expect(attempt).rejects.toMatchObject({
      code: ErrorCode.busUnavailable,
      message: expect.stringMatching(
        new RegExp(`^SHIPMATE_TASK_SOURCE: the JetStream stream '${stream}' does not exist on .*SHIPMATE_TASK_STREAM=${stream}`),
      ),
    });
  });

  it('names consumers after the integration, the task and (when set) the filters', () => {
    expect(taskConsumerName('helm-service', DEPLOYMENT, NO_FILTERS)).toBe('helm-service--deployment_triggered');
    expect(taskConsumerName('any', 'sh.keptn.event.*.triggered', NO_FILTERS)).toBe('any--any_triggered');
    expect(taskConsumerName('h', DEPLOYMENT, { projects: ['p'], stages: [], services: [] })).toMatch(
      /^h--deployment_triggered--[0-9a-f]{10}$/,
    );
    expect(taskConsumerName('h', DEPLOYMENT, { projects: ['p'], stages: [], services: [] })).not.toBe(
      taskConsumerName('h', DEPLOYMENT, { projects: ['q'], stages: [], services: [] }),
    );
  });
});
