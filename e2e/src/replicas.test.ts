/**
 * Three control-plane replicas on one PostgreSQL database (issue 13 point 5), behind a round-robin
 * TCP proxy as behind a Kubernetes Service, sharing one data dir (the configuration repositories
 * and keys on a shared volume). 200 three-task sequences of four services are triggered through
 * the proxy (bursts sent at once to an idle service, then a busy queue) while one replica is killed
 * with SIGKILL and another restarted; one `shipmate agent`
 * (with a recipient answering every task) polls through the same proxy. Then: every acknowledged
 * sequence finished with `pass`, and so did every other sequence in the project (a trigger whose
 * answer was lost with the killed replica and was sent again may have started one more); no task
 * was triggered twice; no two sequences of a service ran at once, and those queued one after the
 * other ran in the order they were acknowledged; and the agent kept receiving tasks after the replica it talked to died.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  KeptnApiClient,
  createTestPostgresDatabase,
  freePort,
  startAgentProcess,
  startRecipient,
  startRoundRobinProxy,
  startServerProcess,
  waitFor,
} from '@shipmate/testing';
import type { KeptnEvent } from '@shipmate/core';
import type { ServerProcess, TestPostgresDatabase } from '@shipmate/testing';
import { THREE_TASK_SHIPYARD } from './shipyards.js';

const PROJECT = 'fleet';
const SERVICES = ['carts', 'orders', 'payment', 'users'];
const PER_SERVICE = 50;
const TASKS = ['deployment', 'test', 'release'];

let database: TestPostgresDatabase;
const running: Array<{ stop(): Promise<unknown> }> = [];

// A database per test: the replicas of one database share one data dir, and each test has its own.
beforeEach(async () => {
  database = await createTestPostgresDatabase();
});
afterEach(async () => {
  for (const process of running.splice(0).reverse()) await process.stop();
  await database?.drop();
});

/** One replica on the shared database and data dir. */
async function replica(dataDir: string | undefined, port?: number): Promise<ServerProcess> {
  const server = await startServerProcess({
    ...(dataDir === undefined ? {} : { dataDir }),
    ...(port === undefined ? {} : { port }),
    env: { SHIPMATE_STORE_URL: database.url, SHIPMATE_TASK_LEASE: '3s' },
  });
  running.push(server);
  return server;
}

/** Sends until a replica acknowledges (a connection reset by a dying replica is retried). */
async function acknowledged<T>(what: string, send: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt < 40; attempt++) {
    try {
      return await send();
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${what} was never acknowledged: ${String(last)}`);
}

describe('three control-plane replicas on PostgreSQL', () => {
  it('finish 200 sequences while one replica is killed and another restarted, with no task triggered twice', async () => {
    const first = await replica(undefined);
    const second = await replica(first.dataDir);
    const third = await replica(first.dataDir, await freePort());
    const proxy = await startRoundRobinProxy([first.port, second.port, third.port]);
    running.push({ stop: () => proxy.close() });
    const client = new KeptnApiClient(proxy.url, first.token);
    await client.createProject(PROJECT, THREE_TASK_SHIPYARD);
    for (const service of SERVICES) await client.createService(PROJECT, service);

    const recipient = await startRecipient();
    running.push({ stop: () => recipient.close() });
    const agent = await startAgentProcess({
      endpoint: `${proxy.url}/api`,
      token: first.token,
      name: 'replica-executor',
      topics: TASKS.map((task) => `sh.keptn.event.${task}.triggered`),
      recipientPort: recipient.port,
      env: {},
    });
    running.push(agent);
    recipient.setAgentUrl(agent.surfaceUrl);

    // Per service, first 5 bursts of 5 triggers sent at once to an idle service (replicas racing to
    // start a sequence of one service: only one may run), each burst waited for; then 25 triggers one
    // after the other while the queue is busy (their order is the queue order). The four services in
    // parallel. One replica dies at the 70th acknowledged trigger, another restarts at the 140th.
    const bursts = new Map<string, string[]>(SERVICES.map((service) => [service, []]));
    const queued = new Map<string, string[]>(SERVICES.map((service) => [service, []]));
    let triggered = 0;
    let killed: Promise<unknown> | undefined;
    let restarted: Promise<unknown> | undefined;
    let tasksBeforeKill = 0;
    const trigger = async (service: string): Promise<string> => {
      const context = await acknowledged(`trigger ${service}`, () => client.triggerSequence(PROJECT, 'dev', 'delivery', service));
      triggered += 1;
      if (triggered === 70) {
        tasksBeforeKill = recipient.tasks().length;
        killed = second.kill();
      }
      if (triggered === 140)
        restarted = (async () => {
          await third.stop();
          running.push(await replica(first.dataDir, third.port));
        })();
      return context;
    };
    const finished = (context: string) =>
      waitFor(
        `sequence ${context} to finish`,
        async () => ((await client.sequenceState(PROJECT, context))?.state === 'finished' ? true : undefined),
        120_000,
        100,
      ).catch(async (error: unknown) => {
        const state = await client.sequenceState(PROJECT, context).catch(() => undefined);
        const events = await client.contextEvents(PROJECT, context).catch(() => []);
        console.log('sequence not finished:', context, 'after', triggered, 'triggers; stages', JSON.stringify(state?.stages ?? state));
        for (const e of events) console.log('  event', e.time, e.type, e.id, e.triggeredid ?? '', e.source);
        console.log('  tasks the recipient got', recipient.tasks().filter((t) => t.shkeptncontext === context).length);
        throw error;
      });
    await Promise.all(
      SERVICES.map(async (service) => {
        for (let burst = 0; burst < 5; burst++) {
          const started = await Promise.all(Array.from({ length: 5 }, () => trigger(service)));
          bursts.get(service)?.push(...started);
          for (const context of started) await finished(context);
        }
        for (let i = 0; i < PER_SERVICE - 25; i++) queued.get(service)?.push(await trigger(service));
      }),
    );
    await killed;
    await restarted;
    const contexts = new Map(SERVICES.map((service) => [service, [...(bursts.get(service) ?? []), ...(queued.get(service) ?? [])]]));

    const all = [...contexts.values()].flat();
    expect(all).toHaveLength(SERVICES.length * PER_SERVICE);
    await waitFor(
      'every sequence of the project to finish',
      async () => {
        const states = await client.request<{ states: Array<{ state: string }> }>(
          'GET',
          `/api/controlPlane/v1/sequence/${PROJECT}?pageSize=500`,
        );
        return states.body.states.length >= all.length && states.body.states.every((s) => s.state === 'finished') ? true : undefined;
      },
      240_000,
      500,
    );

    // Every acknowledged sequence passed, each task triggered once, the sequence finished once.
    const eventsOf = new Map<string, KeptnEvent[]>();
    for (const context of all) eventsOf.set(context, await acknowledged('read events', () => client.contextEvents(PROJECT, context)));
    for (const [context, events] of eventsOf) {
      const count = (type: string) => events.filter((e) => e.type === type).length;
      for (const task of TASKS) expect(count(`sh.keptn.event.${task}.triggered`), `${context} ${task}.triggered`).toBe(1);
      expect(count('sh.keptn.event.dev.delivery.finished'), `${context} finished`).toBe(1);
      expect(events.find((e) => e.type === 'sh.keptn.event.dev.delivery.finished')?.data.result).toBe('pass');
    }

    // Per service, no two sequences ran at once (sorted by start, each started after the one before
    // finished), and the sequences triggered one after the other ran in that order.
    const timeOf = (context: string, type: string) => eventsOf.get(context)?.find((e) => e.type === type)?.time ?? '';
    const startOf = (context: string) => timeOf(context, 'sh.keptn.event.deployment.triggered');
    const endOf = (context: string) => timeOf(context, 'sh.keptn.event.dev.delivery.finished');
    for (const [service, list] of contexts) {
      const byStart = [...list].sort((a, b) => (startOf(a) < startOf(b) ? -1 : 1));
      for (let i = 1; i < byStart.length; i++) {
        const [before, after] = [byStart[i - 1] ?? '', byStart[i] ?? ''];
        expect(
          startOf(after) >= endOf(before),
          `${service}: ${after} started ${startOf(after)} while ${before} ran until ${endOf(before)}`,
        ).toBe(true);
      }
      const inQueue = queued.get(service) ?? [];
      expect(
        byStart.filter((context) => inQueue.includes(context)),
        `${service}: the queued sequences ran in the order they were acknowledged`,
      ).toEqual(inQueue);
    }

    // The agent kept working through the proxy: it received tasks after the replica died, and every task once at least.
    const received = recipient.tasks();
    expect(received.length).toBeGreaterThan(tasksBeforeKill);
    const distinct = new Set(received.map((e) => e.id));
    expect(distinct.size).toBeGreaterThanOrEqual(all.length * TASKS.length);
    // Each replica served connections.
    for (const port of [first.port, second.port, third.port]) expect(proxy.connections.get(port) ?? 0).toBeGreaterThan(0);
  }, 300_000);

  it('keep every resource two replicas write to one stage at once, each reading the other at once', async () => {
    const first = await replica(undefined);
    const second = await replica(first.dataDir);
    const clients = [first, second].map((server) => new KeptnApiClient(server.url, server.token));
    await clients[0]?.createProject('config', THREE_TASK_SHIPYARD);
    const read = async (client: KeptnApiClient, uri: string) => {
      const reply = await client.request<{ resourceContent?: string }>(
        'GET',
        `/api/resource-service/v1/project/config/stage/dev/resource/${encodeURIComponent(uri)}`,
      );
      return reply.status === 200 ? Buffer.from(reply.body.resourceContent ?? '', 'base64').toString() : `HTTP ${reply.status}`;
    };
    await Promise.all(
      clients.map(async (client, writer) => {
        const other = clients[1 - writer] as KeptnApiClient;
        for (let i = 0; i < 15; i++) {
          await client.putResource({ project: 'config', stage: 'dev' }, `replica-${writer}/file-${i}.txt`, `written by ${writer} #${i}`);
          // The other replica serves the write as soon as it returned.
          expect(await read(other, `replica-${writer}/file-${i}.txt`)).toBe(`written by ${writer} #${i}`);
        }
      }),
    );
    for (const client of clients)
      for (const writer of [0, 1])
        for (let i = 0; i < 15; i++) expect(await read(client, `replica-${writer}/file-${i}.txt`)).toBe(`written by ${writer} #${i}`);
  });
});
