/** The one door of the sequence view (sequence-view.ts): a row per rule of its prose spec. */
import { describe, expect, it } from 'vitest';
import type { KeptnEvent } from '../events/keptn-event.js';
import { nextSequenceView, withStageMessage } from './sequence-view.js';
import type { ViewChange } from './sequence-view.js';
import type { SequenceState } from './sequence-state.js';

const NOW = '2026-12-05T10:00:00.000Z';

function event(type: string, data: Record<string, unknown> = {}, extra: Partial<KeptnEvent> = {}): KeptnEvent {
  return {
    id: `id-${type}`,
    type,
    source: 'test',
    specversion: '1.0',
    time: '2026-12-05T09:00:00.000Z',
    shkeptncontext: 'ctx-1',
    data: { project: 'shop', stage: 'dev', service: 'carts', ...data },
    ...extra,
  };
}

const TRIGGER = event('sh.keptn.event.dev.delivery.triggered');
const FINISHED = event('sh.keptn.event.dev.delivery.finished');

/** A view with the given overall state and stages (name:state). */
function view(state: SequenceState['state'], ...stages: string[]): SequenceState {
  return {
    name: 'delivery',
    service: 'carts',
    project: 'shop',
    shkeptncontext: 'ctx-1',
    time: TRIGGER.time,
    state,
    stages: stages.map((s) => {
      const [name = '', stageState = ''] = s.split(':');
      return { name, state: stageState };
    }),
  };
}

/** The overall state and `name:state` of each stage, for the table. */
function shape(result: SequenceState | undefined): string | undefined {
  return result && `${result.state} ${result.stages.map((s) => `${s.name}:${s.state}`).join(' ')}`;
}

const finished = (
  outcome: { status: string; result: string; message?: string },
  extra: Partial<Extract<ViewChange, { kind: 'stageFinished' }>> = {},
): ViewChange => ({
  kind: 'stageFinished',
  stage: 'dev',
  finished: FINISHED,
  nowIso: NOW,
  outcome,
  timedOut: false,
  chainedStages: [],
  ...extra,
});

describe('nextSequenceView', () => {
  it.each<[string, SequenceState | undefined, ViewChange, string | undefined]>([
    [
      'stageTriggered creates the view',
      undefined,
      { kind: 'stageTriggered', trigger: TRIGGER, sequence: 'delivery', stage: 'dev' },
      'triggered dev:triggered',
    ],
    [
      'stageTriggered appends a stage',
      view('started', 'dev:succeeded'),
      { kind: 'stageTriggered', trigger: TRIGGER, sequence: 'delivery', stage: 'staging' },
      'started dev:succeeded staging:triggered',
    ],
    [
      'stageTriggered sets an existing stage back to triggered',
      view('started', 'dev:errored'),
      { kind: 'stageTriggered', trigger: TRIGGER, sequence: 'delivery', stage: 'dev' },
      'started dev:triggered',
    ],
    [
      'stageTriggered in a paused context',
      undefined,
      { kind: 'stageTriggered', trigger: TRIGGER, sequence: 'delivery', stage: 'dev', paused: 'context' },
      'paused dev:triggered',
    ],
    [
      'stageTriggered in a paused stage',
      undefined,
      { kind: 'stageTriggered', trigger: TRIGGER, sequence: 'delivery', stage: 'dev', paused: 'stage' },
      'triggered dev:paused',
    ],
    ['queued: triggered becomes waiting', view('triggered', 'dev:triggered'), { kind: 'queued' }, 'waiting dev:triggered'],
    ['queued: started stays (nothing changes)', view('started', 'dev:triggered'), { kind: 'queued' }, undefined],
    ['started: waiting becomes started', view('waiting', 'dev:triggered'), { kind: 'started' }, 'started dev:triggered'],
    ['started: paused stays', view('paused', 'dev:triggered'), { kind: 'started' }, undefined],
    [
      'stageFinished: succeeded, nothing chained, nothing running',
      view('started', 'dev:triggered'),
      finished({ status: 'succeeded', result: 'pass' }),
      'finished dev:succeeded',
    ],
    [
      'stageFinished: chained stages appended, not finished',
      view('started', 'dev:triggered'),
      finished({ status: 'succeeded', result: 'pass' }, { chainedStages: ['staging'] }),
      'started dev:succeeded staging:triggered',
    ],
    [
      'stageFinished: another stage still running',
      view('started', 'dev:triggered', 'hotfix:triggered'),
      finished({ status: 'succeeded', result: 'pass' }),
      'started dev:succeeded hotfix:triggered',
    ],
    [
      'stageFinished: timed out',
      view('started', 'dev:triggered'),
      finished({ status: 'errored', result: 'fail' }, { timedOut: true }),
      'timedOut dev:errored',
    ],
    [
      'stageFinished: aborted, chained ignored',
      view('started', 'dev:triggered'),
      finished({ status: 'aborted', result: 'pass' }, { chainedStages: ['staging'] }),
      'aborted dev:aborted',
    ],
    [
      'stageErrored creates the view, finished',
      undefined,
      {
        kind: 'stageErrored',
        trigger: TRIGGER,
        sequence: 'delivery',
        stage: 'dev',
        finished: FINISHED,
        nowIso: NOW,
        message: 'no stage dev',
      },
      'finished dev:errored',
    ],
    [
      'stageErrored beside a running stage',
      view('started', 'hotfix:triggered'),
      { kind: 'stageErrored', trigger: TRIGGER, sequence: 'delivery', stage: 'dev', finished: FINISHED, nowIso: NOW, message: 'x' },
      'started hotfix:triggered dev:errored',
    ],
    ['control abort', view('started', 'dev:triggered'), { kind: 'control', state: 'abort' }, 'aborted dev:triggered'],
    ['control pause of the context', view('started', 'dev:triggered'), { kind: 'control', state: 'pause' }, 'paused dev:triggered'],
    ['control resume of the context', view('paused', 'dev:triggered'), { kind: 'control', state: 'resume' }, 'started dev:triggered'],
    [
      'control pause of a running stage',
      view('started', 'dev:triggered', 'staging:started'),
      { kind: 'control', state: 'pause', stage: 'staging' },
      'started dev:triggered staging:paused',
    ],
    [
      'control resume of a paused stage',
      view('started', 'dev:paused'),
      { kind: 'control', state: 'resume', stage: 'dev' },
      'started dev:triggered',
    ],
    [
      'control pause of a finished stage changes nothing',
      view('started', 'dev:succeeded'),
      { kind: 'control', state: 'pause', stage: 'dev' },
      undefined,
    ],
    ['a change needing a view, without one', undefined, { kind: 'started' }, undefined],
    ['taskEvent without a view', undefined, { kind: 'taskEvent', stage: 'dev', event: TRIGGER, nowIso: NOW }, undefined],
  ])('%s', (_rule, before, change, after) => {
    expect(shape(nextSequenceView(before, change))).toBe(after);
  });

  it('creates the view with the trigger’s names, time and a remediation’s problem title', () => {
    const trigger = event('sh.keptn.event.production.remediation.triggered', { problem: { problemTitle: 'cpu high' } });
    expect(nextSequenceView(undefined, { kind: 'stageTriggered', trigger, sequence: 'remediation', stage: 'production' })).toEqual({
      name: 'remediation',
      service: 'carts',
      project: 'shop',
      shkeptncontext: 'ctx-1',
      time: trigger.time,
      state: 'triggered',
      problemTitle: 'cpu high',
      stages: [{ name: 'production', state: 'triggered' }],
    });
  });

  it('taskEvent: latest event, failed event, image, the lighthouse’s evaluation, and the message replaced', () => {
    const deployment = event('sh.keptn.event.deployment.triggered', { configurationChange: { values: { image: 'carts:1.2' } } });
    let next = nextSequenceView(view('started', 'dev:triggered'), {
      kind: 'taskEvent',
      stage: 'dev',
      event: deployment,
      nowIso: NOW,
      message: 'no live integration subscribes',
    });
    expect(next?.stages[0]).toEqual({
      name: 'dev',
      state: 'triggered',
      image: 'carts:1.2',
      latestEvent: { type: deployment.type, id: deployment.id, time: NOW },
      message: 'no live integration subscribes',
    });
    const evaluation = event(
      'sh.keptn.event.evaluation.finished',
      { result: 'fail', evaluation: { score: 42 } },
      { source: 'lighthouse-service' },
    );
    next = nextSequenceView(next, { kind: 'taskEvent', stage: 'dev', event: evaluation, nowIso: NOW });
    expect(next?.stages[0]).toMatchObject({
      latestEvent: { id: evaluation.id },
      latestFailedEvent: { id: evaluation.id },
      latestEvaluation: { result: 'fail', score: 42 },
    });
    expect(next?.stages[0]?.message).toBeUndefined();
    const other = event(
      'sh.keptn.event.evaluation.finished',
      { result: 'pass', evaluation: { score: 100 } },
      { id: 'other', source: 'someone' },
    );
    expect(nextSequenceView(next, { kind: 'taskEvent', stage: 'dev', event: other, nowIso: NOW })?.stages[0]?.latestEvaluation).toEqual({
      result: 'fail',
      score: 42,
    });
  });

  it('stageFinished: the outcome’s message unless the stage succeeded without failing; latestFailedEvent only for fail or errored', () => {
    const failed = nextSequenceView(
      view('started', 'dev:triggered'),
      finished({ status: 'succeeded', result: 'fail', message: 'evaluation failed' }),
    );
    expect(failed?.stages[0]).toMatchObject({ state: 'succeeded', message: 'evaluation failed', latestFailedEvent: { id: FINISHED.id } });
    const passed = nextSequenceView(
      view('started', 'dev:triggered'),
      finished({ status: 'succeeded', result: 'pass', message: 'all good' }),
    );
    expect(passed?.stages[0]?.message).toBeUndefined();
    expect(passed?.stages[0]?.latestFailedEvent).toBeUndefined();
    const aborted = nextSequenceView(
      view('started', 'dev:triggered'),
      finished({ status: 'aborted', result: 'pass', message: 'aborted by a user' }),
    );
    expect(aborted?.stages[0]).toMatchObject({ message: 'aborted by a user', latestEvent: { id: FINISHED.id } });
    expect(aborted?.stages[0]?.latestFailedEvent).toBeUndefined();
  });

  it('stageErrored: the finished event as latest and latest failed event, with the message', () => {
    const next = nextSequenceView(undefined, {
      kind: 'stageErrored',
      trigger: TRIGGER,
      sequence: 'delivery',
      stage: 'dev',
      finished: FINISHED,
      nowIso: NOW,
      message: "stage 'dev' has no sequence 'delivery'",
    });
    const ref = { type: FINISHED.type, id: FINISHED.id, time: NOW };
    expect(next?.stages[0]).toEqual({
      name: 'dev',
      state: 'errored',
      latestEvent: ref,
      latestFailedEvent: ref,
      message: "stage 'dev' has no sequence 'delivery'",
    });
  });

  it('never edits the view it was given', () => {
    const before = view('started', 'dev:triggered');
    const copy = structuredClone(before);
    nextSequenceView(before, finished({ status: 'succeeded', result: 'pass' }, { chainedStages: ['staging'] }));
    nextSequenceView(before, { kind: 'control', state: 'pause', stage: 'dev' });
    expect(before).toEqual(copy);
  });

  // The SQLite store relies on it: its update of a view leaves the name and time columns alone.
  it('keeps the first trigger’s name and time through every change', () => {
    const later = event('sh.keptn.event.staging.delivery.triggered', {}, { time: '2026-12-05T09:30:00.000Z' });
    const changes: ViewChange[] = [
      { kind: 'stageTriggered', trigger: later, sequence: 'other', stage: 'staging' },
      { kind: 'queued' },
      { kind: 'started' },
      { kind: 'taskEvent', stage: 'dev', event: event('sh.keptn.event.deployment.finished', { result: 'fail' }), nowIso: NOW },
      { kind: 'stageErrored', trigger: later, sequence: 'other', stage: 'dev', finished: FINISHED, nowIso: NOW, message: 'x' },
      finished({ status: 'succeeded', result: 'pass' }, { chainedStages: ['staging'] }),
      finished({ status: 'errored', result: 'fail' }, { timedOut: true }),
      { kind: 'control', state: 'pause' },
      { kind: 'control', state: 'abort' },
    ];
    for (const start of [view('triggered', 'dev:triggered'), view('started', 'dev:started', 'staging:triggered')]) {
      for (const change of changes) {
        const next = nextSequenceView(start, change) ?? start;
        expect([change.kind, next.name, next.time]).toEqual([change.kind, 'delivery', TRIGGER.time]);
      }
    }
  });
});

describe('withStageMessage', () => {
  const withLatest = (): SequenceState => ({
    ...view('started', 'dev:triggered'),
    stages: [{ name: 'dev', state: 'triggered', latestEvent: { type: 't', id: 'task-1', time: NOW } }],
  });

  it('sets and clears the message while the stage’s latest event is the task', () => {
    const set = withStageMessage(withLatest(), 'dev', 'task-1', 'nobody subscribes');
    expect(set?.stages[0]?.message).toBe('nobody subscribes');
    expect(withStageMessage(set!, 'dev', 'task-1', 'nobody subscribes')).toBeUndefined();
    expect(withStageMessage(set!, 'dev', 'task-1', undefined)?.stages[0]?.message).toBeUndefined();
  });

  it('changes nothing for a stale task or another stage', () => {
    expect(withStageMessage(withLatest(), 'dev', 'task-0', 'stale')).toBeUndefined();
    expect(withStageMessage(withLatest(), 'prod', 'task-1', 'stale')).toBeUndefined();
  });
});
