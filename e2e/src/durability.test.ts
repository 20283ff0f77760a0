import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { KeptnApiClient, startServerProcess, waitFor } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';
import { SINGLE_STAGE_SHIPYARD } from './shipyards.js';

const SERVICES = Array.from({ length: 10 }, (_, i) => `svc-${i}`);
const SEQUENCES_PER_SERVICE = 3;
const TASKS = ['deployment', 'release'];

/** An event the server acknowledged with 200, identified by a marker we put in its data. */
interface Acknowledged {
  marker: string;
  keptnContext: string;
  type: string;
}

describe('durability: SIGKILL in the middle of running sequences', () => {
  let server: ServerProcess | undefined;

  afterAll(async () => {
    await server?.stop();
  });

  it('keeps every acknowledged event and finishes every sequence after a restart', async () => {
    server = await startServerProcess();
    const { dataDir, port } = server;
    let client = new KeptnApiClient(server.url, server.token);
    await client.createProject('durable', SINGLE_STAGE_SHIPYARD);
    for (const service of SERVICES) await client.createService('durable', service);

    const acknowledged: Acknowledged[] = [];
    const send = async (target: KeptnApiClient, event: Record<string, unknown>): Promise<void> => {
      const marker = randomUUID();
      const data = { ...(event.data as Record<string, unknown>), marker };
      const keptnContext = await target.sendEvent({ ...event, data });
      acknowledged.push({ marker, keptnContext, type: String(event.type) });
    };

    const contexts: string[] = [];
    for (let round = 0; round < SEQUENCES_PER_SERVICE; round++) {
      for (const service of SERVICES) {
        const before = acknowledged.length;
        await send(client, {
          type: 'sh.keptn.event.dev.delivery.triggered',
          source: 'e2e',
          data: { project: 'durable', stage: 'dev', service },
        });
        contexts.push(acknowledged[before]?.keptnContext ?? '');
      }
    }

    // An executor that answers open tasks with .started + .finished, many requests in flight.
    const answered = new Set<string>();
    const answer = async (target: KeptnApiClient, triggered: KeptnEvent, withStarted: boolean) => {
      const task = triggered.type.split('.')[3] ?? '';
      const scope = { project: 'durable', stage: 'dev', service: triggered.data.service };
      const base = { source: 'durable-executor', shkeptncontext: triggered.shkeptncontext, triggeredid: triggered.id };
      if (withStarted) await send(target, { ...base, type: `sh.keptn.event.${task}.started`, data: scope });
      await send(target, { ...base, type: `sh.keptn.event.${task}.finished`, data: { ...scope, result: 'pass', status: 'succeeded' } });
    };
    const executorPass = async (target: KeptnApiClient, withStarted: boolean) => {
      const work: Array<Promise<void>> = [];
      for (const task of TASKS) {
        for (const triggered of await target.openTriggered(`sh.keptn.event.${task}.triggered`, { project: 'durable' })) {
          if (answered.has(triggered.id)) continue;
          answered.add(triggered.id);
          work.push(answer(target, triggered, withStarted));
        }
      }
      await Promise.allSettled(work);
      return work.length;
    };

    // Run until a good part of the work is done, then kill -9 while answers are in flight.
    const killAfterAcks = contexts.length + 25;
    let killed = false;
    const running = (async () => {
      while (!killed) {
        try {
          await executorPass(client, true);
        } catch {
          // the server is gone
        }
      }
    })();
    await waitFor('enough acknowledged task events', async () => (acknowledged.length >= killAfterAcks ? true : undefined), 30_000, 5);
    await server.kill();
    killed = true;
    await running;
    const acknowledgedBeforeKill = [...acknowledged];

    // Restart on the same data dir and port: the store must hold every acknowledged event.
    server = await startServerProcess({ dataDir, port });
    client = new KeptnApiClient(server.url, server.token);
    for (const ack of acknowledgedBeforeKill) {
      const response = await client.request<{ events: KeptnEvent[] }>(
        'GET',
        `/api/mongodb-datastore/event?project=durable&keptnContext=${ack.keptnContext}&type=${ack.type}&pageSize=100`,
      );
      expect(
        response.body.events.some((e) => e.data.marker === ack.marker),
        `acknowledged ${ack.type} ${ack.marker} is stored`,
      ).toBe(true);
    }

    // Every sequence goes on to the end. Tasks answered before the crash may be half-done:
    // answer what is still open with a lone .finished (implicit start), never twice.
    answered.clear();
    await waitFor(
      'every sequence finished after restart',
      async () => {
        await executorPass(client, false);
        const response = await client.request<{ states: Array<{ state: string }> }>(
          'GET',
          `/api/controlPlane/v1/sequence/durable?keptnContext=${contexts.join(',')}`,
        );
        const finished = response.body.states.filter((s) => s.state === 'finished').length;
        return finished === contexts.length ? true : undefined;
      },
      60_000,
      50,
    );
    const executions = await client.request<{ sequenceExecutions: Array<{ status: { state: string; previousTasks: unknown[] } }> }>(
      'GET',
      '/api/controlPlane/v1/sequence-execution?project=durable&pageSize=100',
    );
    expect(executions.body.sequenceExecutions).toHaveLength(contexts.length);
    for (const execution of executions.body.sequenceExecutions) {
      expect(execution.status.state).toBe('finished');
      expect(execution.status.previousTasks).toHaveLength(TASKS.length);
    }
  });
});
