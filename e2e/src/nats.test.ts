/**
 * NATS (issue 13 point 4), with real server processes and the machine's NATS with JetStream
 * (SHIPMATE_TEST_NATS_URL, see @shipmate/testing): `shipmate server --bus nats://…` connects its
 * replica notice bus at start and closes it on SIGTERM; a bus URL that cannot be used exits 2
 * naming SHIPMATE_BUS_URL or --bus. With SHIPMATE_TASK_STREAM the server publishes each task
 * `.triggered` to JetStream, and at start republishes the open tasks a previous process committed
 * but never published. Agents with SHIPMATE_TASK_SOURCE take their tasks from that stream: each task
 * reaches one instance of an integration, `.started` acknowledges it, and a task whose instance
 * died before `.started` goes to another instance after the ack wait.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  KeptnApiClient,
  exitOf,
  freePort,
  spawnShipmate,
  startAgentProcess,
  startCuttableNatsProxy,
  startRecipient,
  startServerProcess,
  testNatsUrl,
  uniqueNatsName,
  waitFor,
} from '@shipmate/testing';
import type { KeptnEvent } from '@shipmate/core';
import type { AgentProcess, Recipient, ServerProcess } from '@shipmate/testing';
import { waitForState } from './executor.js';
import { connect } from 'nats';
import type { NatsConnection } from 'nats';
import { THREE_STAGE_DELIVERED_TASKS, THREE_STAGE_SHIPYARD, THREE_STAGE_TOPICS } from './shipyards.js';

const running: Array<{ stop(): Promise<unknown> }> = [];
const dataDirs = new Set<string>();

afterEach(async () => {
  for (const process of running.splice(0).reverse()) await process.stop();
});

afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

describe('shipmate server --bus', () => {
  it('connects the notice bus at start, says so, and closes it on SIGTERM', async () => {
    // Through a proxy, so the test sees the server's own connection to NATS open and close.
    const proxy = await startCuttableNatsProxy(testNatsUrl());
    running.push({ stop: () => proxy.close() });
    const server = await startServerProcess({ env: { SHIPMATE_BUS_URL: proxy.url } });
    dataDirs.add(server.dataDir);
    expect(server.output()).toContain(`bus NATS ${proxy.url}`);
    expect(proxy.openConnections).toBe(1);
    await server.stop();
    await waitFor('the bus connection to close', async () => (proxy.openConnections === 0 ? true : undefined), 5000);
  });

  describe('exits 2 naming the variable and the fix for a bus that cannot be used', () => {
    it.each([
      [
        'another scheme',
        async () => ({ SHIPMATE_BUS_URL: 'redis://cache:6379' }),
        [],
        /SHIPMATE_BUS_URL must be a NATS URL starting with nats:\/\/ or tls:\/\/, not redis:/,
      ],
      [
        'a server that does not listen',
        async () => ({ SHIPMATE_BUS_URL: `nats://shipmate:hunter2@127.0.0.1:${await freePort()}` }),
        [],
        /SHIPMATE_BUS_URL: cannot connect to NATS at nats:\/\/shipmate:\*\*\*@127\.0\.0\.1:\d+: .*leave SHIPMATE_BUS_URL unset/,
      ],
      [
        '--bus without a scheme',
        async () => ({}),
        ['--bus', 'nats-0:4222'],
        /--bus must be a NATS URL starting with nats:\/\/.*leave out --bus/,
      ],
    ])('%s', async (_case, env, args, message) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'shipmate-e2e-'));
      dataDirs.add(dataDir);
      const process = spawnShipmate(['server', '--host', '127.0.0.1', '--port', String(await freePort()), '--data-dir', dataDir, ...args], {
        ...(await env()),
        SHIPMATE_API_TOKEN: 'e2e-token',
      });
      running.push(process);
      expect(await exitOf(process, 20_000)).toBe(2);
      expect(process.output()).toMatch(message);
      expect(process.output()).not.toContain('hunter2');
    });
  });
});

/** The task events stored in a stream, oldest first, with their subjects and message ids. */
async function streamTasks(nc: NatsConnection, stream: string): Promise<Array<{ subject: string; msgId: string; id: string }>> {
  const manager = await nc.jetstreamManager();
  const { state } = await manager.streams.info(stream);
  const tasks = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const message = await manager.streams.getMessage(stream, { seq });
    tasks.push({ subject: message.subject, msgId: message.header.get('Nats-Msg-Id'), id: message.json<KeptnEvent>().id });
  }
  return tasks;
}

describe('shipmate server with SHIPMATE_TASK_STREAM', () => {
  it('republishes at start the open task a previous process committed but never published, then publishes each new task', async () => {
    const stream = uniqueNatsName('shipmate-tasks-e2e');
    const nc = await connect({ servers: testNatsUrl() });
    running.push({
      stop: async () => {
        await (await nc.jetstreamManager()).streams.delete(stream).catch(() => false);
        await nc.close();
      },
    });
    // A server without the stream stands for the process that died between commit and publish.
    const before = await startServerProcess();
    running.push(before);
    dataDirs.add(before.dataDir);
    const client = new KeptnApiClient(before.url, before.token);
    await client.createProject('shop', THREE_STAGE_SHIPYARD);
    await client.createService('shop', 'carts');
    await client.triggerSequence('shop', 'dev', 'delivery', 'carts');
    const [deployment] = await waitFor('the deployment task', async () => {
      const open = await client.openTriggered('sh.keptn.event.deployment.triggered', { project: 'shop' });
      return open.length > 0 ? open : undefined;
    });
    await before.stop();

    const after = await startServerProcess({
      dataDir: before.dataDir,
      env: { SHIPMATE_BUS_URL: testNatsUrl(), SHIPMATE_TASK_STREAM: stream },
    });
    running.push(after);
    expect(after.output()).toContain(`tasks to JetStream stream ${stream}`);
    await waitFor('the republished task', async () => ((await streamTasks(nc, stream)).length === 1 ? true : undefined));
    expect(await streamTasks(nc, stream)).toEqual([
      { subject: 'sh.keptn.event.deployment.triggered', msgId: deployment?.id, id: deployment?.id },
    ]);

    // The next task is published as its step commits (the server's onEmitted hook).
    const again = new KeptnApiClient(after.url, after.token);
    if (deployment) await again.answerTask(deployment);
    await waitFor('the test task in the stream', async () => ((await streamTasks(nc, stream)).length === 2 ? true : undefined));
    const [test] = await again.openTriggered('sh.keptn.event.test.triggered', { project: 'shop' });
    expect((await streamTasks(nc, stream))[1]).toEqual({ subject: 'sh.keptn.event.test.triggered', msgId: test?.id, id: test?.id });
  });
});

describe('shipmate agent with SHIPMATE_TASK_SOURCE', () => {
  const TOPICS = THREE_STAGE_TOPICS;
  const DELIVERED_TASKS = THREE_STAGE_DELIVERED_TASKS;

  /** A server publishing tasks to a stream of its own (deleted after the test). */
  async function serverWithStream(): Promise<{ server: ServerProcess; stream: string; client: KeptnApiClient }> {
    const stream = uniqueNatsName('shipmate-tasks-e2e');
    const server = await startServerProcess({ env: { SHIPMATE_BUS_URL: testNatsUrl(), SHIPMATE_TASK_STREAM: stream } });
    dataDirs.add(server.dataDir);
    running.push(server);
    running.push({
      stop: async () => {
        const nc = await connect({ servers: testNatsUrl() });
        await (await nc.jetstreamManager()).streams.delete(stream).catch(() => false);
        await nc.close();
      },
    });
    const client = new KeptnApiClient(server.url, server.token);
    await client.createProject('shop', THREE_STAGE_SHIPYARD);
    await client.createService('shop', 'carts');
    return { server, stream, client };
  }

  /** An agent of the integration `helm-nats` on the stream, with a recipient that answers unless `silent`. */
  async function instance(
    server: ServerProcess,
    stream: string,
    options: { silent?: boolean } = {},
  ): Promise<{ agent: AgentProcess; recipient: Recipient }> {
    const recipient = await startRecipient();
    running.push({ stop: () => recipient.close() });
    const agent = await startAgentProcess({
      endpoint: `${server.url}/api`,
      token: server.token,
      name: 'helm-nats',
      topics: TOPICS,
      recipientPort: recipient.port,
      env: { SHIPMATE_TASK_SOURCE: testNatsUrl(), SHIPMATE_TASK_STREAM: stream, SHIPMATE_TASK_ACK_WAIT: '2s' },
    });
    running.push(agent);
    if (!options.silent) recipient.setAgentUrl(agent.surfaceUrl);
    return { agent, recipient };
  }

  const tasksOf = (recipient: Recipient, context: string) =>
    recipient
      .tasks()
      .filter((task) => task.shkeptncontext === context)
      .map((task) => `${String(task.data.stage)}/${task.type.split('.')[3] ?? ''}`);

  it('gives each task to exactly one of two instances of an integration, and the delivery completes', async () => {
    const { server, stream, client } = await serverWithStream();
    const a = await instance(server, stream);
    const b = await instance(server, stream);
    expect(a.agent.output()).toContain('helm-nats--deployment_triggered');
    const context = await client.triggerSequence('shop', 'dev', 'delivery', 'carts');
    await waitForState(client, 'shop', context, (state) => state === 'finished', 'finished');
    const delivered = [...tasksOf(a.recipient, context), ...tasksOf(b.recipient, context)];
    expect(delivered.sort()).toEqual([...DELIVERED_TASKS].sort());
    // They came through JetStream: the integration's consumers delivered the seven tasks once each, all acknowledged.
    const nc = await connect({ servers: testNatsUrl() });
    running.push({ stop: () => nc.close() });
    const manager = await nc.jetstreamManager();
    const consumers = await Promise.all(
      ['deployment', 'test', 'release'].map((task) => manager.consumers.info(stream, `helm-nats--${task}_triggered`)),
    );
    expect(consumers.map((info) => [info.delivered.consumer_seq, info.num_ack_pending])).toEqual([
      [3, 0],
      [1, 0],
      [3, 0],
    ]);
  });

  it('gives a task whose instance died before .started to the other instance after the ack wait', async () => {
    const { server, stream, client } = await serverWithStream();
    const dying = await instance(server, stream, { silent: true });
    const context = await client.triggerSequence('shop', 'dev', 'delivery', 'carts');
    await waitFor('the first delivery', async () => (tasksOf(dying.recipient, context).length === 1 ? true : undefined));
    await dying.agent.kill();
    const survivor = await instance(server, stream);
    await waitForState(client, 'shop', context, (state) => state === 'finished', 'finished');
    expect(tasksOf(dying.recipient, context)).toEqual(['dev/deployment']);
    expect(tasksOf(survivor.recipient, context)).toEqual(DELIVERED_TASKS);
  });

  it.each([
    [
      'a stream that does not exist',
      (stream: string) => ({ SHIPMATE_TASK_SOURCE: testNatsUrl(), SHIPMATE_TASK_STREAM: stream }),
      /SHIPMATE_TASK_SOURCE: the JetStream stream '.*' does not exist .*SHIPMATE_TASK_STREAM=/,
    ],
    [
      'a server that does not listen',
      () => ({ SHIPMATE_TASK_SOURCE: 'nats://agent:hunter2@127.0.0.1:1' }),
      /SHIPMATE_TASK_SOURCE: cannot connect to NATS at nats:\/\/agent:\*\*\*@127\.0\.0\.1:1: .*leave SHIPMATE_TASK_SOURCE unset/,
    ],
  ])('exits 2 naming SHIPMATE_TASK_SOURCE for %s', async (_case, env, message) => {
    const agent = spawnShipmate(['agent'], {
      KEPTN_API_ENDPOINT: 'http://127.0.0.1:1/api',
      KEPTN_API_TOKEN: 'x',
      K8S_DEPLOYMENT_NAME: 'helm-nats',
      PUBSUB_TOPIC: 'sh.keptn.event.deployment.triggered',
      API_PROXY_PORT: String(await freePort()),
      ...env(uniqueNatsName('missing')),
    });
    running.push(agent);
    expect(await exitOf(agent, 20_000)).toBe(2);
    expect(agent.output()).toMatch(message);
    expect(agent.output()).not.toContain('hunter2');
  });
});
