import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeptnApiClient, startServerProcess } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';
import { runTasks, waitForState, waitForTask } from './executor.js';
import { THREE_STAGE_SHIPYARD } from './shipyards.js';

describe('three-stage delivery over HTTP (real server process)', () => {
  let server: ServerProcess;
  let client: KeptnApiClient;

  beforeAll(async () => {
    server = await startServerProcess();
    client = new KeptnApiClient(server.url, server.token);
    await client.createProject('shop', THREE_STAGE_SHIPYARD);
    await client.createService('shop', 'carts');
  });

  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  it('runs dev, chains hardening on pass and production after it, carrying task outputs along', async () => {
    const context = await client.triggerSequence('shop', 'dev', 'delivery', 'carts', {
      configurationChange: { values: { image: 'carts:1.0' } },
    });

    const deployment = await waitForTask(client, 'shop', 'deployment', context, 'dev');
    expect(deployment.data).toMatchObject({
      project: 'shop',
      stage: 'dev',
      service: 'carts',
      deployment: { deploymentstrategy: 'direct' },
    });
    expect(deployment.gitcommitid).toBeTruthy();
    await client.answerTask(deployment, { data: { deployment: { deploymentURIsLocal: ['http://carts.dev'] } } });

    const test = await waitForTask(client, 'shop', 'test', context, 'dev');
    expect(test.data).toMatchObject({ result: 'pass', status: 'succeeded', deployment: { deploymentURIsLocal: ['http://carts.dev'] } });
    await client.answerTask(test);
    await runTasks(client, 'shop', context, 'dev', ['release']);

    const hardeningDeployment = await waitForTask(client, 'shop', 'deployment', context, 'hardening');
    expect(hardeningDeployment.data).toMatchObject({ stage: 'hardening', configurationChange: { values: { image: 'carts:1.0' } } });
    await client.answerTask(hardeningDeployment);
    await runTasks(client, 'shop', context, 'hardening', ['release']);
    await runTasks(client, 'shop', context, 'production', ['deployment', 'release']);

    const view = await waitForState(client, 'shop', context, (s) => s === 'finished', 'finished');
    expect(view.stages.map((s) => [s.name, s.state])).toEqual([
      ['dev', 'succeeded'],
      ['hardening', 'succeeded'],
      ['production', 'succeeded'],
    ]);
    const types = (await client.contextEvents('shop', context)).map((e) => e.type);
    expect(types).toContain('sh.keptn.event.dev.delivery.finished');
    expect(types).toContain('sh.keptn.event.hardening.delivery.triggered');
    expect(types).toContain('sh.keptn.event.production.delivery.finished');
  });

  it('does not chain hardening when dev fails (selector result: pass)', async () => {
    const context = await client.triggerSequence('shop', 'dev', 'delivery', 'carts');
    const deployment = await waitForTask(client, 'shop', 'deployment', context, 'dev');
    await client.answerTask(deployment, { result: 'fail' });
    const view = await waitForState(client, 'shop', context, (s) => s === 'finished', 'finished');
    expect(view.stages.map((s) => s.name)).toEqual(['dev']);
    const finished = (await client.contextEvents('shop', context)).find((e) => e.type === 'sh.keptn.event.dev.delivery.finished');
    expect(finished?.data).toMatchObject({ result: 'fail', status: 'succeeded' });
  });

  it('completes a task on a lone .finished (implicit start)', async () => {
    const context = await client.triggerSequence('shop', 'dev', 'delivery', 'carts');
    const deployment = await waitForTask(client, 'shop', 'deployment', context, 'dev');
    await client.answerTask(deployment, { skipStarted: true });
    await waitForTask(client, 'shop', 'test', context, 'dev');
    await client.request('POST', `/api/controlPlane/v1/sequence/shop/${context}/control`, { state: 'abort' });
  });
});
