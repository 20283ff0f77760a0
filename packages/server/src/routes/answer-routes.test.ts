/**
 * The long poll for the answer of a `.triggered`: an answer already stored comes at once, one that
 * is stored while the request waits wakes it, and none gives `{"event": null}` after the wait.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { shipyardYaml, waitFor } from '@shipmate/testing';
import { base64, startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { triggerSequence } from '../test-support/sequence-events.js';

let api: InProcessServer;
let services = 0;

beforeAll(async () => {
  api = await startInProcessServer();
  expect(
    (await api.call('POST', '/api/controlPlane/v1/project', { name: 'answers', shipyard: base64(shipyardYaml({ dev: ['evaluation'] })) }))
      .status,
  ).toBe(201);
});

afterAll(async () => {
  await api.close();
});

/** Starts a sequence and sends a get-sli sub-task in its evaluation's context; returns the sub-task's id and context. */
async function subtask(): Promise<{ id: string; context: string; scope: Record<string, string> }> {
  // A service per call: a second sequence of one service would queue behind the first's open task.
  const scope = { project: 'answers', stage: 'dev', service: `svc-${++services}` };
  expect((await api.call('POST', '/api/controlPlane/v1/project/answers/service', { serviceName: scope.service })).status).toBe(200);
  const context = await triggerSequence(api, scope);
  await waitFor('evaluation.triggered', async () => {
    const open = await api.call<{ events: KeptnEvent[] }>(
      'GET',
      '/api/controlPlane/v1/event/triggered/sh.keptn.event.evaluation.triggered?project=answers',
    );
    return open.body.events.find((e) => e.shkeptncontext === context);
  });
  const sent = await api.call<{ id: string }>('POST', '/api/v1/event', {
    type: 'sh.keptn.event.get-sli.triggered',
    source: 'lighthouse-service',
    shkeptncontext: context,
    data: { ...scope, 'get-sli': { sliProvider: 'p' } },
  });
  expect(sent.status).toBe(200);
  return { id: sent.body.id, context, scope };
}

async function answer(id: string, context: string, scope: Record<string, string>): Promise<void> {
  const reply = await api.call('POST', '/api/v1/event', {
    type: 'sh.keptn.event.get-sli.finished',
    source: 'provider',
    shkeptncontext: context,
    triggeredid: id,
    data: { ...scope, result: 'pass', status: 'succeeded', 'get-sli': { indicatorValues: [] } },
  });
  expect(reply.status).toBe(200);
}

describe('GET /api/controlPlane/v1/event/finished/{triggeredId}', () => {
  it('wakes a waiting request as soon as the answer is stored', async () => {
    const { id, context, scope } = await subtask();
    const waiting = api.call<{ event: KeptnEvent | null }>(
      'GET',
      `/api/controlPlane/v1/event/finished/${id}?keptnContext=${context}&waitMs=30000`,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    await answer(id, context, scope);
    const reply = await waiting;
    expect(reply.status).toBe(200);
    expect(reply.body.event).toMatchObject({ type: 'sh.keptn.event.get-sli.finished', triggeredid: id, source: 'provider' });
  });

  it('answers at once with an answer stored before, and with null when none came within the wait', async () => {
    const { id, context, scope } = await subtask();
    expect((await api.call<{ event: KeptnEvent | null }>('GET', `/api/controlPlane/v1/event/finished/${id}?waitMs=50`)).body).toEqual({
      event: null,
    });
    await answer(id, context, scope);
    const stored = await api.call<{ event: KeptnEvent | null }>('GET', `/api/controlPlane/v1/event/finished/${id}?keptnContext=${context}`);
    expect(stored.body.event).toMatchObject({ triggeredid: id });
    expect((await api.call('GET', `/api/controlPlane/v1/event/finished/${id}?waitMs=70000`)).status).toBe(400);
  });
});
