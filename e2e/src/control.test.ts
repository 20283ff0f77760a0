import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeptnApiClient, startServerProcess, waitFor } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';
import { waitForState, waitForTask } from './executor.js';
import { SINGLE_STAGE_SHIPYARD } from './shipyards.js';

describe('pause, resume, abort, timeouts (real server process)', () => {
  let server: ServerProcess;
  let client: KeptnApiClient;
  const control = (context: string, state: string, stage?: string) =>
    client.request('POST', `/api/controlPlane/v1/sequence/ctl/${context}/control`, { state, ...(stage ? { stage } : {}) });

  beforeAll(async () => {
    server = await startServerProcess({ env: { TASK_STARTED_WAIT_DURATION: '1s' } });
    client = new KeptnApiClient(server.url, server.token);
    await client.createProject('ctl', SINGLE_STAGE_SHIPYARD);
    for (const service of ['a', 'b', 'c', 'd', 'e', 'f']) await client.createService('ctl', service);
  });

  afterAll(async () => {
    await server.stop();
  });

  it('pause holds the next task and resume releases it', async () => {
    const context = await client.triggerSequence('ctl', 'dev', 'delivery', 'a');
    const deployment = await waitForTask(client, 'ctl', 'deployment', context, 'dev');
    expect((await control(context, 'pause')).status).toBe(200);
    await waitForState(client, 'ctl', context, (s) => s === 'paused', 'paused');
    await client.answerTask(deployment);
    // The task completed while paused; the next one must be held.
    await waitFor('deployment closed', async () => {
      const open = await client.openTriggered('sh.keptn.event.deployment.triggered', { project: 'ctl', service: 'a' });
      return open.length === 0 ? true : undefined;
    });
    expect(await client.openTriggered('sh.keptn.event.release.triggered', { project: 'ctl', service: 'a' })).toEqual([]);
    expect((await control(context, 'resume')).status).toBe(200);
    const release = await waitForTask(client, 'ctl', 'release', context, 'dev');
    await client.answerTask(release);
    await waitForState(client, 'ctl', context, (s) => s === 'finished', 'finished');
  });

  it('abort ends a running, a queued and a paused sequence', async () => {
    const running = await client.triggerSequence('ctl', 'dev', 'delivery', 'b');
    const queued = await client.triggerSequence('ctl', 'dev', 'delivery', 'b');
    await waitForTask(client, 'ctl', 'deployment', running, 'dev');
    await waitForState(client, 'ctl', queued, (s) => s === 'waiting', 'waiting');
    const paused = await client.triggerSequence('ctl', 'dev', 'delivery', 'c');
    await waitForTask(client, 'ctl', 'deployment', paused, 'dev');
    await control(paused, 'pause');

    for (const context of [queued, running, paused]) {
      expect((await control(context, 'abort')).status).toBe(200);
      await waitForState(client, 'ctl', context, (s) => s === 'aborted', 'aborted');
      const finished = (await client.contextEvents('ctl', context)).find((e) => e.type === 'sh.keptn.event.dev.delivery.finished');
      expect(finished?.data).toMatchObject({ status: 'aborted', result: 'pass' });
    }
    expect(await client.openTriggered('sh.keptn.event.deployment.triggered', { project: 'ctl', service: 'b' })).toEqual([]);
    const next = await client.triggerSequence('ctl', 'dev', 'delivery', 'b');
    await waitForTask(client, 'ctl', 'deployment', next, 'dev');
    await control(next, 'abort');
  });

  it('times out a task nobody answers, with Keptn message, and frees the queue', async () => {
    const context = await client.triggerSequence('ctl', 'dev', 'delivery', 'd');
    const queued = await client.triggerSequence('ctl', 'dev', 'delivery', 'd');
    const view = await waitForState(client, 'ctl', context, (s) => s === 'timedOut', 'timedOut');
    expect(view.stages[0]?.message).toBe(
      'sequence timed out while waiting for task sh.keptn.event.deployment.triggered to receive a correlating .started or .finished event',
    );
    const finished = (await client.contextEvents('ctl', context)).find((e) => e.type === 'sh.keptn.event.dev.delivery.finished');
    expect(finished?.data).toMatchObject({ status: 'errored', result: 'fail' });
    const next = await waitForTask(client, 'ctl', 'deployment', queued, 'dev');
    await client.answerTask(next);
    await control(queued, 'abort');
  });

  it('hides a triggeredAfter task until it is due', async () => {
    const context = await client.triggerSequence('ctl', 'dev', 'delayed', 'f');
    const deployment = await waitForTask(client, 'ctl', 'deployment', context, 'dev');
    await client.answerTask(deployment);
    const answeredAt = Date.now();
    await waitFor('deployment closed', async () => {
      const executions = await client.request<{ sequenceExecutions: Array<{ status: { currentTask: { name: string } | null } }> }>(
        'GET',
        `/api/controlPlane/v1/sequence-execution?project=ctl&keptnContext=${context}`,
      );
      return executions.body.sequenceExecutions[0]?.status.currentTask?.name === 'release' ? true : undefined;
    });
    const early = await client.openTriggered('sh.keptn.event.release.triggered', { project: 'ctl', service: 'f' });
    if (Date.now() - answeredAt < 900) expect(early).toEqual([]);
    const release = await waitForTask(client, 'ctl', 'release', context, 'dev');
    expect(Date.parse(release.time) - Date.parse(deployment.time)).toBeGreaterThanOrEqual(1000);
    await client.answerTask(release);
    await waitForState(client, 'ctl', context, (s) => s === 'finished', 'finished');
  });

  it('ends a started task that misses its finishTimeout', async () => {
    const context = await client.triggerSequence('ctl', 'dev', 'guarded', 'e');
    const deployment = await waitForTask(client, 'ctl', 'deployment', context, 'dev');
    await client.sendEvent({
      type: 'sh.keptn.event.deployment.started',
      source: 'slow-executor',
      shkeptncontext: context,
      triggeredid: deployment.id,
      data: { project: 'ctl', stage: 'dev', service: 'e' },
    });
    const view = await waitForState(client, 'ctl', context, (s) => s === 'finished', 'finished');
    expect(view.stages[0]).toMatchObject({ state: 'errored', message: 'task deployment did not finish within its finishTimeout of 2s' });
  });
});
