import { describe, expect, it } from 'vitest';
import type { KeptnEvent } from '../events/keptn-event.js';
import { ExecutionState } from './execution.js';
import type { SequenceExecution } from './execution.js';
import { transition } from './transition.js';
import type { ExecutionEffect, ExecutionInput, TransitionContext } from './transition.js';

const WAIT_MS = 600_000;

function context(): TransitionContext {
  let n = 0;
  return { nowMs: Date.parse('2026-01-01T00:00:00.000Z'), newId: () => `id-${++n}`, taskStartedWaitMs: WAIT_MS };
}

function execution(overrides: Partial<SequenceExecution['status']> = {}, tasks = ['deployment', 'test', 'release']): SequenceExecution {
  return {
    _id: 'exec-1',
    schemaVersion: '1',
    sequence: { name: 'delivery', tasks: tasks.map((name) => ({ name, properties: { strategy: name } })) },
    status: { state: ExecutionState.triggered, stateBeforePause: '', previousTasks: [], currentTask: null, ...overrides },
    scope: {
      project: 'shop',
      stage: 'dev',
      service: 'carts',
      labels: { owner: 'team' },
      keptnContext: 'ctx-1',
      triggeredId: 'seq-trigger',
      gitcommitid: 'c1',
      eventType: 'sh.keptn.event.dev.delivery.triggered',
    },
    inputProperties: { project: 'shop', stage: 'dev', service: 'carts', configurationChange: { values: { image: 'carts:1' } } },
    triggeredAt: '2026-01-01T00:00:00.000Z',
  };
}

function running(
  task = 'deployment',
  events: SequenceExecution['status']['currentTask'] extends infer T ? (T extends { events: infer E } ? E : never) : never = [],
) {
  return execution({
    state: ExecutionState.started,
    currentTask: { name: task, triggeredID: 'task-1', scheduledAt: '2026-01-01T00:00:00.000Z', events },
  });
}

/** An execution whose only task, deployment, has `triggeredAfter: 10m`. */
function withDelayedTask(overrides: Partial<SequenceExecution['status']> = {}): SequenceExecution {
  const delayed = execution(overrides, ['deployment']);
  delayed.sequence.tasks[0] = { name: 'deployment', triggeredAfter: '10m', finishTimeout: '1h' };
  return delayed;
}

/** {@link withDelayedTask} with the task scheduled (not emitted) as task-1, due at `dueAt`. */
function scheduled(state: 'started' | 'paused' = 'started', dueAt = '2026-01-01T00:10:00.000Z'): SequenceExecution {
  return withDelayedTask({
    state,
    stateBeforePause: state === 'paused' ? 'started' : '',
    currentTask: { name: 'deployment', triggeredID: 'task-1', scheduledAt: dueAt, delayed: true, events: [] },
  });
}

/** Approved-and-held: the approval is done, the next task waits for the queue slot. */
function held(): SequenceExecution {
  return execution(
    {
      state: ExecutionState.waiting,
      previousTasks: [{ name: 'approval', triggeredID: 't0', result: 'pass', status: 'succeeded', properties: {} }],
    },
    ['approval', 'release'],
  );
}

function approving(): SequenceExecution {
  return execution(
    {
      state: ExecutionState.waitingForApproval,
      currentTask: { name: 'approval', triggeredID: 'task-1', scheduledAt: '2026-01-01T00:00:00.000Z', events: [] },
    },
    ['approval', 'release'],
  );
}

function taskEvent(
  kind: 'started' | 'finished',
  data: Record<string, unknown> = {},
  triggeredid = 'task-1',
  task = 'deployment',
  source = 'helm-service',
): ExecutionInput {
  const event: KeptnEvent = {
    id: `ev-${kind}`,
    type: `sh.keptn.event.${task}.${kind}`,
    source,
    specversion: '1.0',
    time: '2026-01-01T00:00:01.000Z',
    shkeptncontext: 'ctx-1',
    triggeredid,
    data: { project: 'shop', stage: 'dev', service: 'carts', ...data },
  };
  return { kind: 'taskEvent', event };
}

const pass = { result: 'pass', status: 'succeeded' };
const kinds = (effects: ExecutionEffect[]) => effects.map((e) => e.kind);

describe('transition: state table', () => {
  const rows: Array<{ name: string; from: SequenceExecution; input: ExecutionInput; state: string; effects: string[] }> = [
    {
      name: 'dispatch starts the first task',
      from: execution(),
      input: { kind: 'dispatch' },
      state: 'started',
      effects: ['triggerTask', 'setTimer'],
    },
    {
      name: 'dispatch when already started is ignored',
      from: running(),
      input: { kind: 'dispatch' },
      state: 'started',
      effects: ['ignored'],
    },
    {
      name: 'dispatch with approval first waits for approval',
      from: execution({}, ['approval', 'release']),
      input: { kind: 'dispatch' },
      state: 'waitingForApproval',
      effects: ['triggerTask', 'setTimer'],
    },
    {
      name: 'approval completes: the next task waits for the queue slot',
      from: approving(),
      input: taskEvent('finished', pass, 'task-1', 'approval'),
      state: 'waiting',
      effects: ['taskEventRecorded', 'closeTask'],
    },
    {
      name: 'approval rejected finishes the sequence',
      from: approving(),
      input: taskEvent('finished', { result: 'fail', status: 'succeeded' }, 'task-1', 'approval'),
      state: 'finished',
      effects: ['taskEventRecorded', 'closeTask', 'sequenceFinished'],
    },
    {
      name: 'dispatch of a waiting execution triggers its next task',
      from: held(),
      input: { kind: 'dispatch' },
      state: 'started',
      effects: ['triggerTask', 'setTimer'],
    },
    { name: 'pause while waiting', from: held(), input: { kind: 'pause' }, state: 'paused', effects: [] },
    { name: 'abort while waiting', from: held(), input: { kind: 'abort' }, state: 'finished', effects: ['sequenceFinished'] },
    { name: 'fail while waiting', from: held(), input: { kind: 'fail', message: 'm' }, state: 'finished', effects: ['sequenceFinished'] },
    {
      name: 'task event while waiting is ignored',
      from: held(),
      input: taskEvent('finished', pass),
      state: 'waiting',
      effects: ['ignored'],
    },
    {
      name: 'start timeout while waiting is ignored',
      from: held(),
      input: { kind: 'startTimeout', triggeredId: 'task-1' },
      state: 'waiting',
      effects: ['ignored'],
    },
    {
      name: 'resume with a held task waits for the queue slot',
      from: execution({
        state: 'paused',
        stateBeforePause: 'started',
        currentTask: null,
        previousTasks: [{ name: 'deployment', triggeredID: 't0', result: 'pass', status: 'succeeded', properties: {} }],
      }),
      input: { kind: 'resume' },
      state: 'waiting',
      effects: [],
    },
    {
      name: 'approval completing while paused holds the next task for the queue',
      from: execution(
        {
          state: 'paused',
          stateBeforePause: 'waitingForApproval',
          currentTask: { name: 'approval', triggeredID: 'task-1', scheduledAt: '2026-01-01T00:00:00.000Z', events: [] },
        },
        ['approval', 'release'],
      ),
      input: taskEvent('finished', pass, 'task-1', 'approval'),
      state: 'paused',
      effects: ['taskEventRecorded', 'closeTask'],
    },
    {
      name: '.started is recorded, task stays open',
      from: running(),
      input: taskEvent('started'),
      state: 'started',
      effects: ['taskEventRecorded'],
    },
    {
      name: 'lone .finished completes the task (implicit start) and triggers the next',
      from: running(),
      input: taskEvent('finished', pass),
      state: 'started',
      effects: ['taskEventRecorded', 'closeTask', 'triggerTask', 'setTimer'],
    },
    {
      name: 'event for another triggered id is ignored',
      from: running(),
      input: taskEvent('finished', pass, 'other'),
      state: 'started',
      effects: ['ignored'],
    },
    {
      name: 'failed task finishes the sequence',
      from: running(),
      input: taskEvent('finished', { result: 'fail', status: 'succeeded' }),
      state: 'finished',
      effects: ['taskEventRecorded', 'closeTask', 'sequenceFinished'],
    },
    {
      name: 'errored task finishes the sequence',
      from: running(),
      input: taskEvent('finished', { result: 'pass', status: 'errored' }),
      state: 'finished',
      effects: ['taskEventRecorded', 'closeTask', 'sequenceFinished'],
    },
    { name: 'pause from started', from: running(), input: { kind: 'pause' }, state: 'paused', effects: [] },
    { name: 'pause from triggered (queued)', from: execution(), input: { kind: 'pause' }, state: 'paused', effects: [] },
    {
      name: 'pause twice is ignored',
      from: execution({ state: 'paused', stateBeforePause: 'started' }),
      input: { kind: 'pause' },
      state: 'paused',
      effects: ['ignored'],
    },
    {
      name: 'resume of a non-paused execution is ignored',
      from: running(),
      input: { kind: 'resume' },
      state: 'started',
      effects: ['ignored'],
    },
    {
      name: 'resume to queued',
      from: execution({ state: 'paused', stateBeforePause: 'triggered' }),
      input: { kind: 'resume' },
      state: 'triggered',
      effects: [],
    },
    { name: 'abort while queued', from: execution(), input: { kind: 'abort' }, state: 'finished', effects: ['sequenceFinished'] },
    {
      name: 'abort while running closes the task',
      from: running(),
      input: { kind: 'abort' },
      state: 'finished',
      effects: ['closeTask', 'sequenceFinished'],
    },
    {
      name: 'abort while paused',
      from: execution({ state: 'paused', stateBeforePause: 'started', currentTask: null }),
      input: { kind: 'abort' },
      state: 'finished',
      effects: ['sequenceFinished'],
    },
    {
      name: 'abort after finish is ignored',
      from: execution({ state: 'finished' }),
      input: { kind: 'abort' },
      state: 'finished',
      effects: ['ignored'],
    },
    {
      name: 'start timeout without answers',
      from: running(),
      input: { kind: 'startTimeout', triggeredId: 'task-1' },
      state: 'timedOut',
      effects: ['closeTask', 'sequenceFinished'],
    },
    {
      name: 'start timeout after .started is ignored',
      from: running('deployment', [
        { eventType: 'sh.keptn.event.deployment.started', source: 's', result: '', status: '', time: 't', properties: null },
      ]),
      input: { kind: 'startTimeout', triggeredId: 'task-1' },
      state: 'started',
      effects: ['ignored'],
    },
    {
      name: 'finish deadline ends a started task',
      from: running('deployment', [
        { eventType: 'sh.keptn.event.deployment.started', source: 's', result: '', status: '', time: 't', properties: null },
      ]),
      input: { kind: 'finishDeadline', triggeredId: 'task-1' },
      state: 'finished',
      effects: ['closeTask', 'sequenceFinished'],
    },
    {
      name: 'fail while queued',
      from: execution(),
      input: { kind: 'fail', message: 'm' },
      state: 'finished',
      effects: ['sequenceFinished'],
    },
    {
      name: 'fail while running closes the task',
      from: running(),
      input: { kind: 'fail', message: 'm' },
      state: 'finished',
      effects: ['closeTask', 'sequenceFinished'],
    },
    {
      name: 'fail while paused',
      from: execution({ state: 'paused', stateBeforePause: 'started', currentTask: null }),
      input: { kind: 'fail', message: 'm' },
      state: 'finished',
      effects: ['sequenceFinished'],
    },
    {
      name: 'fail after finish is ignored',
      from: execution({ state: 'finished' }),
      input: { kind: 'fail', message: 'm' },
      state: 'finished',
      effects: ['ignored'],
    },
    {
      name: 'dispatch schedules a task with triggeredAfter: a timer, no .triggered',
      from: withDelayedTask(),
      input: { kind: 'dispatch' },
      state: 'started',
      effects: ['setTimer'],
    },
    {
      name: 'taskDue emits the delayed task and arms its timers',
      from: scheduled(),
      input: { kind: 'taskDue', triggeredId: 'task-1' },
      state: 'started',
      effects: ['triggerTask', 'setTimer', 'setTimer'],
    },
    {
      name: 'taskDue for another task is ignored',
      from: scheduled(),
      input: { kind: 'taskDue', triggeredId: 'task-0' },
      state: 'started',
      effects: ['ignored'],
    },
    {
      name: 'taskDue for an emitted task is ignored',
      from: running(),
      input: { kind: 'taskDue', triggeredId: 'task-1' },
      state: 'started',
      effects: ['ignored'],
    },
    {
      name: 'taskDue while paused holds the task',
      from: scheduled('paused'),
      input: { kind: 'taskDue', triggeredId: 'task-1' },
      state: 'paused',
      effects: ['ignored'],
    },
    {
      name: 'resume after the due time emits the held task',
      from: scheduled('paused', '2025-12-31T23:59:00.000Z'),
      input: { kind: 'resume' },
      state: 'started',
      effects: ['triggerTask', 'setTimer', 'setTimer'],
    },
    {
      name: 'resume before the due time leaves the task to its timer',
      from: scheduled('paused'),
      input: { kind: 'resume' },
      state: 'started',
      effects: [],
    },
    {
      name: 'an answer to a task not yet emitted is ignored',
      from: scheduled(),
      input: taskEvent('started'),
      state: 'started',
      effects: ['ignored'],
    },
    {
      name: 'abort cancels a delayed task',
      from: scheduled(),
      input: { kind: 'abort' },
      state: 'finished',
      effects: ['closeTask', 'sequenceFinished'],
    },
    {
      name: 'finish deadline for an old task is ignored',
      from: running(),
      input: { kind: 'finishDeadline', triggeredId: 'task-0' },
      state: 'started',
      effects: ['ignored'],
    },
  ];

  it.each(rows)('$name', ({ from, input, state, effects }) => {
    const result = transition(from, input, context());
    expect(result.execution.status.state).toBe(state);
    expect(kinds(result.effects)).toEqual(effects);
  });
});

describe('transition: payloads and outcomes', () => {
  it('builds the next task payload from input, outputs, result and shipyard properties', () => {
    const afterDeploy = transition(
      running(),
      taskEvent('finished', { ...pass, message: 'deployed', deployment: { uris: ['a'], replicas: 1, ok: false } }),
      context(),
    );
    const trigger = afterDeploy.effects.find((e) => e.kind === 'triggerTask');
    if (trigger?.kind !== 'triggerTask') throw new Error('no triggerTask');
    expect(trigger.event.type).toBe('sh.keptn.event.test.triggered');
    expect(trigger.event.gitcommitid).toBe('c1');
    expect(trigger.event.data).toMatchObject({
      project: 'shop',
      stage: 'dev',
      service: 'carts',
      result: 'pass',
      status: 'succeeded',
      message: '',
      configurationChange: { values: { image: 'carts:1' } },
      deployment: { uris: ['a'], replicas: 1, ok: false },
      test: { strategy: 'test' },
    });
  });

  it('lets later numbers and booleans win when outputs merge (Keptn kept the old ones)', () => {
    const started = running('deployment', [
      { eventType: 'sh.keptn.event.deployment.started', source: 'a', result: '', status: '', time: 't', properties: null },
      { eventType: 'sh.keptn.event.deployment.started', source: 'b', result: '', status: '', time: 't', properties: null },
    ]);
    const first = transition(
      started,
      taskEvent('finished', { ...pass, deployment: { replicas: 1, ok: false } }, 'task-1', 'deployment', 'a'),
      context(),
    );
    expect(first.execution.status.previousTasks).toHaveLength(0);
    const second = transition(
      first.execution,
      taskEvent('finished', { ...pass, deployment: { replicas: 3, ok: true } }, 'task-1', 'deployment', 'b'),
      context(),
    );
    expect(second.execution.status.previousTasks[0]?.properties.deployment).toEqual({ replicas: 3, ok: true });
  });

  it('waits for every executor: .started from two sources need two .finished', () => {
    let current = running();
    current = transition(current, taskEvent('started', {}, 'task-1', 'deployment', 'helm-service'), context()).execution;
    current = transition(current, taskEvent('started', {}, 'task-1', 'deployment', 'job-executor'), context()).execution;
    current = transition(current, taskEvent('finished', pass, 'task-1', 'deployment', 'helm-service'), context()).execution;
    expect(current.status.currentTask?.name).toBe('deployment');
    const last = taskEvent('finished', { result: 'warning', status: 'succeeded' }, 'task-1', 'deployment', 'job-executor');
    current = transition(current, last, context()).execution;
    expect(current.status.previousTasks[0]).toMatchObject({ name: 'deployment', result: 'warning', status: 'succeeded' });
  });

  it('completes a task whose one executor sent .started twice (a retried send whose answer was lost) with its one .finished', () => {
    let current = running();
    current = transition(current, taskEvent('started'), context()).execution;
    current = transition(current, taskEvent('started'), context()).execution;
    current = transition(current, taskEvent('finished', pass), context()).execution;
    expect(current.status.currentTask?.name).toBe('test');
    expect(current.status.previousTasks[0]).toMatchObject({ name: 'deployment', result: 'pass' });
  });

  it('finishes with the last task outcome, labels and message of the completing event', () => {
    const last = execution(
      {
        state: 'started',
        previousTasks: [{ name: 'deployment', triggeredID: 't0', result: 'warning', status: 'succeeded', properties: {} }],
        currentTask: { name: 'test', triggeredID: 'task-1', scheduledAt: 't', events: [] },
      },
      ['deployment', 'test'],
    );
    const result = transition(
      last,
      taskEvent('finished', { ...pass, message: 'all green', labels: { run: '7' } }, 'task-1', 'test'),
      context(),
    );
    const finished = result.effects.find((e) => e.kind === 'sequenceFinished');
    if (finished?.kind !== 'sequenceFinished') throw new Error('not finished');
    expect(finished.event.type).toBe('sh.keptn.event.dev.delivery.finished');
    expect(finished.event.triggeredid).toBe('seq-trigger');
    expect(finished.event.data).toMatchObject({ result: 'pass', status: 'succeeded', message: 'all green', labels: { run: '7' } });
    expect(finished.chain).toBe(true);
    expect(finished.lastTaskName).toBe('test');
  });

  it('aborts with status aborted, result pass and no chaining', () => {
    const result = transition(running(), { kind: 'abort' }, context());
    const finished = result.effects.find((e) => e.kind === 'sequenceFinished');
    if (finished?.kind !== 'sequenceFinished') throw new Error('not finished');
    expect(finished.event.data).toMatchObject({ status: 'aborted', result: 'pass' });
    expect(finished.chain).toBe(false);
  });

  it('fails with status errored, result fail, the given message and no chaining', () => {
    const result = transition(running(), { kind: 'fail', message: 'Unable to handle event e1: too deep' }, context());
    const finished = result.effects.find((e) => e.kind === 'sequenceFinished');
    if (finished?.kind !== 'sequenceFinished') throw new Error('not finished');
    expect(finished.event.data).toMatchObject({ status: 'errored', result: 'fail', message: 'Unable to handle event e1: too deep' });
    expect(finished.chain).toBe(false);
    expect(result.execution.status.outcome?.message).toBe('Unable to handle event e1: too deep');
  });

  it("times out with Keptn's message", () => {
    const result = transition(running(), { kind: 'startTimeout', triggeredId: 'task-1' }, context());
    const finished = result.effects.find((e) => e.kind === 'sequenceFinished');
    if (finished?.kind !== 'sequenceFinished') throw new Error('not finished');
    expect(finished.event.data.message).toBe(
      'sequence timed out while waiting for task sh.keptn.event.deployment.triggered to receive a correlating .started or .finished event',
    );
    expect(finished.event.data).toMatchObject({ status: 'errored', result: 'fail' });
  });

  it('schedules a task with triggeredAfter, emits it when due and counts its timeouts from then', () => {
    const ctx = context();
    const dispatched = transition(withDelayedTask(), { kind: 'dispatch' }, ctx);
    expect(dispatched.effects).toEqual([
      { kind: 'setTimer', timer: { kind: 'taskDue', triggeredId: 'id-1', dueAtMs: ctx.nowMs + 600_000 } },
    ]);
    expect(dispatched.execution.status.currentTask).toEqual({
      name: 'deployment',
      triggeredID: 'id-1',
      scheduledAt: '2026-01-01T00:10:00.000Z',
      delayed: true,
      events: [],
    });

    const dueMs = ctx.nowMs + 600_000;
    const due = transition(dispatched.execution, { kind: 'taskDue', triggeredId: 'id-1' }, { ...context(), nowMs: dueMs });
    const trigger = due.effects.find((e) => e.kind === 'triggerTask');
    if (trigger?.kind !== 'triggerTask') throw new Error('no trigger');
    expect(trigger.event).toMatchObject({ id: 'id-1', type: 'sh.keptn.event.deployment.triggered', time: '2026-01-01T00:10:00.000Z' });
    expect(due.execution.status.currentTask).toEqual({
      name: 'deployment',
      triggeredID: 'id-1',
      scheduledAt: '2026-01-01T00:10:00.000Z',
      events: [],
    });
    const timers = due.effects.flatMap((e) => (e.kind === 'setTimer' ? [e.timer] : []));
    expect(timers).toEqual([
      { kind: 'startTimeout', triggeredId: 'id-1', dueAtMs: dueMs + WAIT_MS },
      { kind: 'finishDeadline', triggeredId: 'id-1', dueAtMs: dueMs + 3_600_000 },
    ]);
  });

  it('holds the next task while paused; on resume it waits for the queue slot, then dispatch triggers it', () => {
    const paused = transition(running(), { kind: 'pause' }, context()).execution;
    const completed = transition(paused, taskEvent('finished', pass), context());
    expect(kinds(completed.effects)).toEqual(['taskEventRecorded', 'closeTask']);
    expect(completed.execution.status.state).toBe('paused');
    expect(completed.execution.status.currentTask).toBeNull();
    const resumed = transition(completed.execution, { kind: 'resume' }, context());
    expect(resumed.execution.status.state).toBe('waiting');
    expect(kinds(resumed.effects)).toEqual([]);
    const dispatched = transition(resumed.execution, { kind: 'dispatch' }, context());
    expect(dispatched.execution.status.state).toBe('started');
    expect(dispatched.execution.status.currentTask?.name).toBe('test');
    expect(kinds(dispatched.effects)).toEqual(['triggerTask', 'setTimer']);
  });

  it('triggers the task after an approval with the approval result once dispatched', () => {
    const waiting = transition(approving(), taskEvent('finished', pass, 'task-1', 'approval'), context()).execution;
    const dispatched = transition(waiting, { kind: 'dispatch' }, context());
    const trigger = dispatched.effects.find((e) => e.kind === 'triggerTask');
    if (trigger?.kind !== 'triggerTask') throw new Error('no triggerTask');
    expect(trigger.event.type).toBe('sh.keptn.event.release.triggered');
    expect(trigger.event.data).toMatchObject({ result: 'pass', status: 'succeeded' });
  });

  it('lets a sequence finish while paused', () => {
    const lastTask = execution(
      {
        state: 'paused',
        stateBeforePause: 'started',
        currentTask: { name: 'deployment', triggeredID: 'task-1', scheduledAt: 't', events: [] },
      },
      ['deployment'],
    );
    const result = transition(lastTask, taskEvent('finished', pass), context());
    expect(result.execution.status.state).toBe('finished');
  });

  it('treats an empty result as fail and unknown status as fail', () => {
    const empty = transition(running(), taskEvent('finished', { status: 'succeeded' }), context());
    expect(empty.execution.status.outcome).toMatchObject({ result: 'fail' });
    const unknown = transition(running(), taskEvent('finished', { result: 'pass', status: 'weird' }), context());
    expect(unknown.execution.status.outcome).toMatchObject({ result: 'fail', status: 'unknown' });
  });

  it('never mutates its input', () => {
    const before = running();
    const snapshot = JSON.stringify(before);
    transition(before, taskEvent('finished', pass), context());
    expect(JSON.stringify(before)).toBe(snapshot);
  });
});

describe('transition: sub-tasks of the current task', () => {
  const getSli = (kind: 'triggered' | 'finished', id: string, triggeredid?: string): KeptnEvent => ({
    id,
    type: `sh.keptn.event.get-sli.${kind}`,
    source: 'lighthouse-service',
    specversion: '1.0',
    time: '2026-01-01T00:00:01.000Z',
    shkeptncontext: 'ctx-1',
    ...(triggeredid ? { triggeredid } : {}),
    data: { project: 'shop', stage: 'dev', service: 'carts' },
  });
  const evaluating = () => running('evaluation');
  const withSubtask = () =>
    transition(evaluating(), { kind: 'subtaskTriggered', event: getSli('triggered', 'sli-1') }, context()).execution;

  it('opens a sub-task of the open task without changing the state', () => {
    const result = transition(evaluating(), { kind: 'subtaskTriggered', event: getSli('triggered', 'sli-1') }, context());
    expect(kinds(result.effects)).toEqual(['openSubtask']);
    expect(result.execution.status).toMatchObject({ state: 'started', currentTask: { triggeredID: 'task-1', subtasks: ['sli-1'] } });
  });

  it('ignores a sub-task when no task is open, when the task is delayed, and a second copy of one', () => {
    expect(kinds(transition(held(), { kind: 'subtaskTriggered', event: getSli('triggered', 'sli-1') }, context()).effects)).toEqual([
      'ignored',
    ]);
    expect(kinds(transition(scheduled(), { kind: 'subtaskTriggered', event: getSli('triggered', 'sli-1') }, context()).effects)).toEqual([
      'ignored',
    ]);
    expect(kinds(transition(withSubtask(), { kind: 'subtaskTriggered', event: getSli('triggered', 'sli-1') }, context()).effects)).toEqual([
      'ignored',
    ]);
  });

  it('closes a sub-task on its .finished only, and ignores unknown ones', () => {
    const started = { ...getSli('finished', 'e1', 'sli-1'), type: 'sh.keptn.event.get-sli.started' };
    expect(kinds(transition(withSubtask(), { kind: 'subtaskEvent', event: started }, context()).effects)).toEqual(['ignored']);
    const closed = transition(withSubtask(), { kind: 'subtaskEvent', event: getSli('finished', 'e2', 'sli-1') }, context());
    expect(closed.effects).toEqual([{ kind: 'closeTask', triggeredId: 'sli-1' }]);
    expect(closed.execution.status.currentTask?.subtasks).toBeUndefined();
    expect(kinds(transition(withSubtask(), { kind: 'subtaskEvent', event: getSli('finished', 'e3', 'other') }, context()).effects)).toEqual(
      ['ignored'],
    );
  });

  it('closes open sub-tasks with their task, and when the sequence is aborted', () => {
    const done = transition(withSubtask(), taskEvent('finished', pass, 'task-1', 'evaluation'), context());
    expect(done.effects.filter((e) => e.kind === 'closeTask')).toEqual([
      { kind: 'closeTask', triggeredId: 'task-1' },
      { kind: 'closeTask', triggeredId: 'sli-1' },
    ]);
    const aborted = transition(withSubtask(), { kind: 'abort' }, context());
    expect(aborted.effects.filter((e) => e.kind === 'closeTask').map((e) => (e.kind === 'closeTask' ? e.triggeredId : ''))).toEqual([
      'task-1',
      'sli-1',
    ]);
  });
});
