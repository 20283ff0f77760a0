/**
 * Keptn's `Test__main_SequenceQueueApproval` (shipyard-controller main_test.go) through the HTTP
 * API: a sequence waiting for approval lets another sequence of the same stage and service run;
 * once approved, its next task waits until the other sequence has finished.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { base64, startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { answerTask, triggerSequence } from '../test-support/sequence-events.js';

const SHIPYARD = `apiVersion: spec.keptn.sh/0.2.0
kind: Shipyard
metadata:
  name: test-shipyard
spec:
  stages:
  - name: dev
    sequences:
    - name: delivery
      tasks:
      - name: mytask
    - name: delivery-with-approval
      tasks:
      - name: approval
        properties:
          pass: manual
          warning: manual
      - name: mytask
`;

const CP = '/api/controlPlane/v1';
const scope = { project: 'queue-approval', stage: 'dev', service: 'my-service' };
let api: InProcessServer;

/** The newest `sh.keptn.event.<task>.triggered` of a context, as the datastore lists it. */
async function taskTriggered(keptnContext: string, task: string): Promise<KeptnEvent | undefined> {
  const type = `sh.keptn.event.${task}.triggered`;
  const reply = await api.call<{ events: KeptnEvent[] }>(
    'GET',
    `/api/mongodb-datastore/event?keptnContext=${keptnContext}&type=${type}&pageSize=10`,
  );
  expect(reply.status).toBe(200);
  return reply.body.events[0];
}

async function required(keptnContext: string, task: string): Promise<KeptnEvent> {
  const event = await taskTriggered(keptnContext, task);
  if (!event) throw new Error(`no ${task}.triggered in context ${keptnContext}`);
  return event;
}

async function sequenceState(keptnContext: string): Promise<string | undefined> {
  const reply = await api.call<{ states: Array<{ state: string }> }>('GET', `${CP}/sequence/${scope.project}?keptnContext=${keptnContext}`);
  return reply.body.states[0]?.state;
}

async function executionState(keptnContext: string): Promise<string | undefined> {
  const reply = await api.call<{ sequenceExecutions: Array<{ status: { state: string } }> }>(
    'GET',
    `${CP}/sequence-execution?project=${scope.project}&keptnContext=${keptnContext}`,
  );
  return reply.body.sequenceExecutions[0]?.status.state;
}

beforeAll(async () => {
  api = await startInProcessServer();
  expect((await api.call('POST', `${CP}/project`, { name: scope.project, shipyard: base64(SHIPYARD) })).status).toBe(201);
  expect((await api.call('POST', `${CP}/project/${scope.project}/service`, { serviceName: scope.service })).status).toBe(200);
});

afterAll(async () => {
  await api.close();
});

describe('Keptn Test__main_SequenceQueueApproval', () => {
  it('holds the approved sequence’s next task until the other sequence of the stage and service has finished', async () => {
    const first = await triggerSequence(api, scope, 'delivery-with-approval');
    expect(await sequenceState(first)).toBe('started');
    const approval = await required(first, 'approval');
    await answerTask(api, approval, 'started', 'shippy-test');

    // While the first waits for approval, the second sequence of the same stage and service runs.
    const second = await triggerSequence(api, scope, 'delivery');
    expect(await sequenceState(second)).toBe('started');
    const secondTask = await required(second, 'mytask');
    await answerTask(api, secondTask, 'started', 'shippy-test');

    // Approved: the first sequence's next task is queued until the second has finished.
    await answerTask(api, approval, 'finished', 'shippy-test');
    expect(await taskTriggered(first, 'mytask')).toBeUndefined();
    expect(await executionState(first)).toBe('waiting');
    expect(await sequenceState(first)).toBe('started');

    await answerTask(api, secondTask, 'finished', 'shippy-test');
    expect(await sequenceState(second)).toBe('finished');
    const firstTask = await required(first, 'mytask');
    expect(await executionState(first)).toBe('started');

    await answerTask(api, firstTask, 'finished', 'shippy-test');
    expect(await sequenceState(first)).toBe('finished');
  });

  it('lets a held sequence be aborted without triggering its next task, and the queue move on', async () => {
    const first = await triggerSequence(api, scope, 'delivery-with-approval');
    const approval = await required(first, 'approval');
    const second = await triggerSequence(api, scope, 'delivery');
    const secondTask = await required(second, 'mytask');
    await answerTask(api, approval, 'finished', 'bridge');
    expect(await executionState(first)).toBe('waiting');

    expect((await api.call('POST', `${CP}/sequence/${scope.project}/${first}/control`, { state: 'abort' })).status).toBe(200);
    await api.server.processor.idle();
    expect(await executionState(first)).toBe('finished');
    await answerTask(api, secondTask, 'finished');
    expect(await taskTriggered(first, 'mytask')).toBeUndefined();
    expect(await sequenceState(second)).toBe('finished');
  });

  it('keeps a held sequence held when it is paused and resumed while the other still runs', async () => {
    const first = await triggerSequence(api, scope, 'delivery-with-approval');
    const approval = await required(first, 'approval');
    const second = await triggerSequence(api, scope, 'delivery');
    const secondTask = await required(second, 'mytask');
    await answerTask(api, approval, 'finished', 'bridge');

    const control = (state: string) => api.call('POST', `${CP}/sequence/${scope.project}/${first}/control`, { state });
    expect((await control('pause')).status).toBe(200);
    expect((await control('resume')).status).toBe(200);
    await api.server.processor.idle();
    expect(await taskTriggered(first, 'mytask')).toBeUndefined();

    await answerTask(api, secondTask, 'finished');
    const firstTask = await required(first, 'mytask');
    await answerTask(api, firstTask, 'finished');
    expect(await sequenceState(first)).toBe('finished');
  });
});
