import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeptnApiClient, startServerProcess } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';
import { runTasks, waitForState, waitForTask } from './executor.js';
import { SINGLE_STAGE_SHIPYARD } from './shipyards.js';

describe('sequence queue per project/stage/service (real server process)', () => {
  let server: ServerProcess;
  let client: KeptnApiClient;

  beforeAll(async () => {
    server = await startServerProcess();
    client = new KeptnApiClient(server.url, server.token);
    await client.createProject('queue', SINGLE_STAGE_SHIPYARD);
    await client.createService('queue', 'api');
    await client.createService('queue', 'web');
  });

  afterAll(async () => {
    await server.stop();
  });

  it('runs five sequences of one service one at a time in FIFO order, others in parallel', async () => {
    const contexts: string[] = [];
    for (let i = 0; i < 5; i++) contexts.push(await client.triggerSequence('queue', 'dev', 'delivery', 'api', { run: i }));
    const parallel = await client.triggerSequence('queue', 'dev', 'delivery', 'web');
    await waitForTask(client, 'queue', 'deployment', parallel, 'dev');

    const [first, ...rest] = contexts;
    await waitForTask(client, 'queue', 'deployment', first ?? '', 'dev');
    for (const waiting of rest) await waitForState(client, 'queue', waiting, (s) => s === 'waiting', 'waiting');

    const startOrder: string[] = [];
    for (const context of contexts) {
      const deployment = await waitForTask(client, 'queue', 'deployment', context, 'dev');
      startOrder.push(deployment.shkeptncontext);
      const open = await client.openTriggered('sh.keptn.event.deployment.triggered', { project: 'queue', service: 'api' });
      expect(open.map((e) => e.shkeptncontext)).toEqual([context]);
      await client.answerTask(deployment);
      await runTasks(client, 'queue', context, 'dev', ['release']);
      await waitForState(client, 'queue', context, (s) => s === 'finished', 'finished');
    }
    expect(startOrder).toEqual(contexts);
  });
});
