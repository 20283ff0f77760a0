import { describe, expect, it } from 'vitest';
import type { KeptnEvent, SequenceExecution, SequenceState } from '@shipmate/api';
import { buildTimeline, isSequenceOpen, taskEventOf } from './sequence-timeline';

let clock = 0;
function event(type: string, stage: string, fields: Partial<KeptnEvent> = {}, data: KeptnEvent['data'] = {}): KeptnEvent {
  clock += 1000;
  return {
    id: `${type}-${clock}`,
    type,
    source: 'shipmate',
    specversion: '1.0',
    time: new Date(Date.UTC(2024, 0, 1, 0, 0, 0, clock)).toISOString(),
    shkeptncontext: 'ctx',
    ...fields,
    data: { project: 'shop', stage, service: 'carts', ...data },
  };
}

function execution(stage: string, tasks: string[], currentTask: object | null = null): SequenceExecution {
  return {
    _id: `exec-${stage}`,
    sequence: { name: 'delivery', tasks: tasks.map((name) => ({ name })) },
    status: { state: 'started', currentTask },
    scope: { project: 'shop', stage, service: 'carts', keptnContext: 'ctx' },
    triggeredAt: '2024-01-01T00:00:00.000Z',
  };
}

describe('taskEventOf', () => {
  it.each([
    ['sh.keptn.event.deployment.triggered', { task: 'deployment', kind: 'triggered' }],
    ['sh.keptn.event.get-sli.finished', { task: 'get-sli', kind: 'finished' }],
    ['sh.keptn.event.dev.delivery.triggered', undefined],
    ['sh.keptn.event.deployment.status.changed', undefined],
    ['sh.keptn.event.deployment.invalidated', undefined],
    ['sh.keptn.log.error', undefined],
  ])('%s', (type, parsed) => {
    expect(taskEventOf(type)).toEqual(parsed);
  });
});

describe('buildTimeline', () => {
  it('lists each stage with its tasks, executors, results, the stuck-task note and what is still to come', () => {
    const devTrigger = event('sh.keptn.event.dev.delivery.triggered', 'dev');
    const deployment = event('sh.keptn.event.deployment.triggered', 'dev');
    const deployStarted = event('sh.keptn.event.deployment.started', 'dev', { triggeredid: deployment.id, source: 'deployment-service' });
    const deployFinished = event(
      'sh.keptn.event.deployment.finished',
      'dev',
      { triggeredid: deployment.id, source: 'deployment-service' },
      { result: 'pass', status: 'succeeded', message: 'serving at http://carts.dev' },
    );
    const approval = event('sh.keptn.event.approval.triggered', 'dev');
    const prodDeployment = event('sh.keptn.event.deployment.triggered', 'prod');
    const prodFinished = event(
      'sh.keptn.event.deployment.finished',
      'prod',
      { triggeredid: prodDeployment.id, source: 'helm' },
      { result: 'fail', status: 'errored' },
    );
    const note = 'no live integration subscribes to sh.keptn.event.approval.triggered in stage dev (project shop, service carts); …';
    const state: SequenceState = {
      name: 'delivery',
      service: 'carts',
      project: 'shop',
      shkeptncontext: 'ctx',
      time: devTrigger.time,
      state: 'started',
      stages: [
        {
          name: 'dev',
          state: 'triggered',
          image: 'carts:1',
          latestEvent: { type: approval.type, id: approval.id, time: approval.time },
          message: note,
        },
        { name: 'prod', state: 'errored', message: 'the deployment failed' },
      ],
    };
    const events = [approval, deployFinished, devTrigger, deployStarted, deployment, prodFinished, prodDeployment];
    const [dev, prod] = buildTimeline(
      state,
      [execution('dev', ['deployment', 'approval', 'release']), execution('prod', ['deployment', 'test'])],
      events,
    );

    expect(dev).toMatchObject({ name: 'dev', state: 'triggered', image: 'carts:1', triggeredAt: devTrigger.time });
    expect(dev?.message).toBeUndefined();
    expect(dev?.tasks).toEqual([
      {
        name: 'deployment',
        phase: 'finished',
        triggeredId: deployment.id,
        triggeredAt: deployment.time,
        finishedAt: deployFinished.time,
        executors: ['deployment-service'],
        result: 'pass',
        status: 'succeeded',
        message: 'serving at http://carts.dev',
      },
      { name: 'approval', phase: 'triggered', triggeredId: approval.id, triggeredAt: approval.time, executors: [], note },
      { name: 'release', phase: 'pending', executors: [] },
    ]);
    expect(prod?.message).toBe('the deployment failed');
    expect(prod?.tasks.map((task) => [task.name, task.phase, task.result, task.executors])).toEqual([
      ['deployment', 'finished', 'fail', ['helm']],
      ['test', 'skipped', undefined, []],
    ]);
  });

  it('shows a started task as running and a delayed one with its due time', () => {
    const test = event('sh.keptn.event.test.triggered', 'dev');
    const started = event('sh.keptn.event.test.started', 'dev', { triggeredid: test.id, source: 'http-test-service' });
    const state: SequenceState = {
      name: 'delivery',
      service: 'carts',
      project: 'shop',
      shkeptncontext: 'ctx',
      time: test.time,
      state: 'started',
      stages: [{ name: 'dev', state: 'triggered' }],
    };
    const delayed = { name: 'release', triggeredID: 'r1', scheduledAt: '2024-01-01T01:00:00.000Z', delayed: true };
    const [dev] = buildTimeline(state, [execution('dev', ['test', 'release'], delayed)], [started, test]);
    expect(dev?.tasks.map((task) => [task.name, task.phase, task.executors, task.scheduledAt])).toEqual([
      ['test', 'running', ['http-test-service'], undefined],
      ['release', 'pending', [], '2024-01-01T01:00:00.000Z'],
    ]);
  });

  it('knows which sequence states are open', () => {
    expect(['triggered', 'started', 'waiting', 'paused'].every(isSequenceOpen)).toBe(true);
    expect(['finished', 'aborted', 'timedOut'].some(isSequenceOpen)).toBe(false);
  });
});
