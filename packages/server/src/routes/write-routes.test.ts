import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { base64, startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';

const CP = '/api/controlPlane/v1';

const APPROVAL_SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: approvals
spec:
  stages:
    - name: prod
      sequences:
        - name: delivery
          tasks:
            - name: approval
              properties:
                pass: manual
            - name: release
        - name: hotfix
          tasks:
            - name: deployment
    - name: audit
      sequences:
        - name: record
          triggeredOn:
            - event: prod.hotfix.finished
              selector:
                match:
                  deployment.result: warning
          tasks:
            - name: archive
`;

let api: InProcessServer;

async function events(project: string, keptnContext: string): Promise<KeptnEvent[]> {
  await api.server.processor.idle();
  const reply = await api.call<{ events: KeptnEvent[] }>(
    'GET',
    `/api/mongodb-datastore/event?project=${project}&keptnContext=${keptnContext}&pageSize=100`,
  );
  return reply.body.events;
}

async function openTask(project: string, task: string, keptnContext: string): Promise<KeptnEvent | undefined> {
  await api.server.processor.idle();
  const reply = await api.call<{ events: KeptnEvent[] }>(
    'GET',
    `${CP}/event/triggered/sh.keptn.event.${task}.triggered?project=${project}`,
  );
  return reply.body.events.find((e) => e.shkeptncontext === keptnContext);
}

async function trigger(project: string, stage: string, sequence: string, service: string): Promise<string> {
  const reply = await api.call('POST', '/api/v1/event', {
    type: `sh.keptn.event.${stage}.${sequence}.triggered`,
    source: 'test',
    data: { project, stage, service },
  });
  expect(reply.status).toBe(200);
  return String(reply.body.keptnContext);
}

async function answer(triggered: KeptnEvent, data: Record<string, unknown>, source = 'executor'): Promise<void> {
  const task = triggered.type.split('.')[3];
  const scope = { project: triggered.data.project, stage: triggered.data.stage, service: triggered.data.service };
  for (const kind of ['started', 'finished']) {
    const reply = await api.call('POST', '/api/v1/event', {
      type: `sh.keptn.event.${task}.${kind}`,
      source,
      shkeptncontext: triggered.shkeptncontext,
      triggeredid: triggered.id,
      data: kind === 'started' ? scope : { ...scope, ...data },
    });
    expect(reply.status).toBe(200);
  }
}

beforeAll(async () => {
  api = await startInProcessServer();
});

afterAll(async () => {
  await api.close();
});

describe('project and service writes', () => {
  it('creates, updates and deletes a project with Keptn status codes and lifecycle events', async () => {
    const created = await api.call('POST', `${CP}/project`, {
      name: 'life',
      shipyard: base64(APPROVAL_SHIPYARD),
      gitCredentials: { remoteURL: 'https://git.example/life.git', user: 'me', https: { token: 'secret' } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toBeUndefined();
    const project = await api.call('GET', `${CP}/project/life`);
    expect(project.body).toMatchObject({
      projectName: 'life',
      shipyard: APPROVAL_SHIPYARD,
      gitCredentials: { remoteURL: 'https://git.example/life.git', user: 'me' },
    });
    expect(JSON.stringify(project.body)).not.toContain('secret');

    const updated = await api.call('PUT', `${CP}/project`, {
      name: 'life',
      shipyard: base64(APPROVAL_SHIPYARD.replace('name: approvals', 'name: approvals-2')),
    });
    expect(updated.status).toBe(201);
    expect((await api.call('GET', `${CP}/project/life`)).body.shipyard).toContain('approvals-2');

    expect((await api.call('POST', `${CP}/project/life/service`, { serviceName: 'web' })).status).toBe(200);
    const stages = await api.call<{ stages: Array<{ stageName: string; services: Array<{ serviceName: string }> }> }>(
      'GET',
      `${CP}/project/life/stage`,
    );
    expect(stages.body.stages.map((s) => [s.stageName, s.services.map((x) => x.serviceName)])).toEqual([
      ['audit', ['web']],
      ['prod', ['web']],
    ]);
    expect((await api.call('DELETE', `${CP}/project/life/service/web`)).body).toEqual({});

    const lifecycle = await api.call<{ events: KeptnEvent[] }>('GET', '/api/mongodb-datastore/event?project=life&pageSize=100');
    expect(lifecycle.body.events.map((e) => e.type).sort()).toEqual(
      [
        'sh.keptn.event.project.create.finished',
        'sh.keptn.event.project.create.started',
        'sh.keptn.event.service.create.finished',
        'sh.keptn.event.service.create.started',
        'sh.keptn.event.service.delete.finished',
        'sh.keptn.event.service.delete.started',
      ].sort(),
    );
    const deleted = await api.call('DELETE', `${CP}/project/life`);
    expect(deleted.status).toBe(200);
    expect(String(deleted.body.message)).toContain('life');
    expect((await api.call('GET', `${CP}/project/life`)).status).toBe(404);
  });
});

describe('orchestration through the API', () => {
  beforeAll(async () => {
    expect((await api.call('POST', `${CP}/project`, { name: 'appr', shipyard: base64(APPROVAL_SHIPYARD) })).status).toBe(201);
    expect((await api.call('POST', `${CP}/project/appr/service`, { serviceName: 'api' })).status).toBe(200);
  });

  it('does not let a sequence waiting for approval block the queue', async () => {
    const first = await trigger('appr', 'prod', 'delivery', 'api');
    const approval = await openTask('appr', 'approval', first);
    expect(approval?.data).toMatchObject({ approval: { pass: 'manual' } });
    const executions = await api.call<{ sequenceExecutions: Array<{ status: { state: string } }> }>(
      'GET',
      `${CP}/sequence-execution?project=appr&keptnContext=${first}`,
    );
    expect(executions.body.sequenceExecutions[0]?.status.state).toBe('waitingForApproval');

    const second = await trigger('appr', 'prod', 'hotfix', 'api');
    expect(await openTask('appr', 'deployment', second)).toBeDefined();
    await api.call('POST', `${CP}/sequence/appr/${second}/control`, { state: 'abort' });
    if (approval) await answer(approval, { result: 'pass', status: 'succeeded' }, 'bridge');
    const release = await openTask('appr', 'release', first);
    if (!release) throw new Error('release not triggered after approval');
    await answer(release, { result: 'pass', status: 'succeeded' });
    const view = await api.call<{ states: Array<{ state: string }> }>('GET', `${CP}/sequence/appr?keptnContext=${first}`);
    expect(view.body.states[0]?.state).toBe('finished');
  });

  it('chains on a `<task>.result` selector and counts several executors', async () => {
    const context = await trigger('appr', 'prod', 'hotfix', 'api');
    const deployment = await openTask('appr', 'deployment', context);
    if (!deployment) throw new Error('no deployment task');
    await api.call('POST', '/api/v1/event', {
      type: 'sh.keptn.event.deployment.started',
      source: 'second-executor',
      shkeptncontext: context,
      triggeredid: deployment.id,
      data: { project: 'appr', stage: 'prod', service: 'api' },
    });
    await answer(deployment, { result: 'warning', status: 'succeeded' });
    expect(await openTask('appr', 'deployment', context)).toBeDefined();
    await api.call('POST', '/api/v1/event', {
      type: 'sh.keptn.event.deployment.finished',
      source: 'second-executor',
      shkeptncontext: context,
      triggeredid: deployment.id,
      data: { project: 'appr', stage: 'prod', service: 'api', result: 'pass', status: 'succeeded' },
    });
    const archive = await openTask('appr', 'archive', context);
    expect(archive?.data).toMatchObject({ stage: 'audit', result: 'warning' });
    const types = (await events('appr', context)).map((e) => e.type);
    expect(types).toContain('sh.keptn.event.audit.record.triggered');
  });

  it('handles a .started and a .finished stored together in one batch', async () => {
    const context = await trigger('appr', 'prod', 'hotfix', 'api');
    const deployment = await openTask('appr', 'deployment', context);
    if (!deployment) throw new Error('no deployment task');
    const scope = { project: 'appr', stage: 'prod', service: 'api' };
    const base = { source: 'executor', shkeptncontext: context, triggeredid: deployment.id };
    const replies = await Promise.all([
      api.call('POST', '/api/v1/event', { ...base, type: 'sh.keptn.event.deployment.started', data: scope }),
      api.call('POST', '/api/v1/event', { ...base, source: 'second-executor', type: 'sh.keptn.event.deployment.started', data: scope }),
      api.call('POST', '/api/v1/event', {
        ...base,
        type: 'sh.keptn.event.deployment.finished',
        data: { ...scope, result: 'pass', status: 'succeeded' },
      }),
    ]);
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
    await api.server.processor.idle();
    const executions = await api.call<{
      sequenceExecutions: Array<{ status: { state: string; currentTask: { events: unknown[] } | null } }>;
    }>('GET', `${CP}/sequence-execution?project=appr&keptnContext=${context}`);
    // Two .started and one .finished: the task must still wait for the second executor.
    expect(executions.body.sequenceExecutions[0]?.status.currentTask?.events).toHaveLength(3);
    await api.call('POST', `${CP}/sequence/appr/${context}/control`, { state: 'abort' });
  });

  it('starts the implicit evaluation sequence from the evaluation endpoint', async () => {
    const reply = await api.call('POST', `${CP}/project/appr/stage/prod/service/api/evaluation`, { timeframe: '10m' });
    expect(reply.status).toBe(200);
    const context = String(reply.body.keptnContext);
    const evaluation = await openTask('appr', 'evaluation', context);
    expect(evaluation?.data).toMatchObject({ project: 'appr', stage: 'prod', service: 'api' });
    const window = evaluation?.data.evaluation as { start: string; end: string };
    expect(Date.parse(window.end) - Date.parse(window.start)).toBe(600_000);
  });

  it('rejects a trigger for an unknown stage with an errored .finished', async () => {
    const context = await trigger('appr', 'qa', 'delivery', 'api');
    const finished = (await events('appr', context)).find((e) => e.type === 'sh.keptn.event.qa.delivery.finished');
    expect(finished?.data).toMatchObject({ status: 'errored', result: 'fail' });
    expect(String(finished?.data.message)).toContain("stage 'qa' is not in the shipyard");
    // The sequence state shows it too: the stage errored with the message, the context finished.
    const states = await api.call<{ states: Array<{ state: string; stages: Array<{ name: string; state: string; message?: string }> }> }>(
      'GET',
      `${CP}/sequence/appr?keptnContext=${context}`,
    );
    expect(states.body.states[0]).toMatchObject({
      state: 'finished',
      stages: [{ name: 'qa', state: 'errored', message: finished?.data.message }],
    });
  });
});
