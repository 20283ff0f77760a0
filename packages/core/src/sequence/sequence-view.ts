/**
 * The sequence view: Keptn's sequence state document (`GET /v1/sequence/{project}`), one per
 * context. This is its one door: the orchestrator reports what happened as a {@link ViewChange}, and
 * {@link nextSequenceView} alone decides what the view becomes. It follows Keptn's
 * `sequencestate.go`, with Shipmate's stage `message`.
 *
 * What each change does:
 *
 * - `stageTriggered` — a stage's sequence `.triggered` was accepted. With no view yet, the view is
 *   created from the trigger: overall `triggered`, the stage `triggered`, and the problem title of a
 *   remediation trigger. Otherwise the stage is appended, or an existing entry set back to
 *   `triggered`. A paused context (`paused: 'context'`) makes the overall state `paused`; a paused
 *   stage (`paused: 'stage'`) makes that stage `paused`.
 * - `queued` — the execution waits for another context to leave its stage and service: overall
 *   `triggered` becomes `waiting`; any other overall state stays.
 * - `started` — the execution took its turn: overall `triggered` or `waiting` becomes `started`.
 * - `taskEvent` — a task `.triggered` was sent, or a task event was recorded. The stage's
 *   `latestEvent` is the event (stamped `nowIso`), and `latestFailedEvent` too when its result is
 *   `fail` or its status `errored`; the stage is `triggered`. A `deployment.triggered` with
 *   `configurationChange.values.image` sets the stage's `image`; the lighthouse's
 *   `evaluation.finished` sets `latestEvaluation` (result and score). `message` replaces the stage's
 *   message (it says why the stage is stuck at this event); without one the message goes.
 * - `stageFinished` — the stage's `<stage>.<seq>.finished` was emitted. The stage's state is the
 *   outcome's status and `latestEvent` the finished event (`latestFailedEvent` too for result `fail`
 *   or status `errored`: an aborted sequence is not failed); the outcome's message becomes the
 *   stage's message unless the stage succeeded without failing. Then the overall state is
 *   `timedOut` for a timed-out sequence, `aborted` for an aborted one; otherwise the chained stages
 *   are appended (`triggered`), and with none chained and no stage still `triggered`, `finished`.
 * - `stageErrored` — a sequence `.triggered` could not start (unknown stage or sequence, unreadable
 *   shipyard): the view is created or the stage appended as for `stageTriggered`, then the stage is
 *   `errored` with the finished event as its latest and latest failed event and `message`; the
 *   overall state becomes `finished` when no stage is still `triggered`.
 * - `control` — pause, resume or abort. Abort makes the overall state `aborted`. Without a stage,
 *   pause and resume make it `paused` and `started`. With a stage, a running stage (`triggered`,
 *   `started` or `paused`) becomes `paused` on pause and `triggered` on resume.
 *
 * Changes other than `stageTriggered` and `stageErrored` need an existing view: without one they
 * change nothing. The result is undefined when nothing changes, so the caller writes nothing.
 *
 * One change comes from outside the orchestrator: the sweep of unserved tasks sets or clears a
 * stage's message ("no live integration subscribes …") while the stage waits, and a store applies it
 * atomically with {@link withStageMessage}, only if the stage's latest event is still that task.
 */
import type { KeptnEvent } from '../events/keptn-event.js';
import { cloneJson, isPlainObject } from './merge-data.js';
import { SequenceViewState } from './sequence-state.js';
import type { SequenceStageState, SequenceState } from './sequence-state.js';

/** How a stage ended, as the stage's `.finished` says. */
export interface StageOutcome {
  status: string;
  result: string;
  message?: string;
}

/** Something that happened to a context, told to {@link nextSequenceView}. */
export type ViewChange =
  | { kind: 'stageTriggered'; trigger: KeptnEvent; sequence: string; stage: string; paused?: 'context' | 'stage' }
  | { kind: 'queued' }
  | { kind: 'started' }
  | { kind: 'taskEvent'; stage: string; event: KeptnEvent; nowIso: string; message?: string }
  | {
      kind: 'stageFinished';
      stage: string;
      finished: KeptnEvent;
      nowIso: string;
      outcome: StageOutcome;
      timedOut: boolean;
      chainedStages: readonly string[];
    }
  | { kind: 'stageErrored'; trigger: KeptnEvent; sequence: string; stage: string; finished: KeptnEvent; nowIso: string; message: string }
  | { kind: 'control'; state: 'pause' | 'resume' | 'abort'; stage?: string };

/** The view after `change`, or undefined when nothing changes. */
export function nextSequenceView(view: SequenceState | undefined, change: ViewChange): SequenceState | undefined {
  // Every rule returns the view it was given when it changes nothing, so no deep comparison is needed.
  const next = apply(view, change);
  return next === view ? undefined : next;
}

function apply(view: SequenceState | undefined, change: ViewChange): SequenceState | undefined {
  switch (change.kind) {
    case 'stageTriggered': {
      let next = view ? updateStage(view, change.stage, (entry) => (entry.state = 'triggered')) : created(change);
      if (change.paused === 'context') next = withOverallState(next, SequenceViewState.paused);
      if (change.paused === 'stage') next = updateStage(next, change.stage, (entry) => (entry.state = 'paused'));
      return next;
    }
    case 'stageErrored': {
      const base = view ? withStage(view, change.stage) : created(change);
      const next = updateStage(base, change.stage, (entry) => {
        entry.state = 'errored';
        entry.latestEvent = refOf(change.finished, change.nowIso);
        entry.latestFailedEvent = entry.latestEvent;
        entry.message = change.message;
      });
      return hasRunningStage(next) ? next : withOverallState(next, SequenceViewState.finished);
    }
    default:
      return view === undefined ? undefined : changeExisting(view, change);
  }
}

function changeExisting(view: SequenceState, change: Exclude<ViewChange, { kind: 'stageTriggered' | 'stageErrored' }>): SequenceState {
  switch (change.kind) {
    case 'queued':
      return view.state === SequenceViewState.triggered ? withOverallState(view, SequenceViewState.waiting) : view;
    case 'started':
      return view.state === SequenceViewState.triggered || view.state === SequenceViewState.waiting
        ? withOverallState(view, SequenceViewState.started)
        : view;
    case 'taskEvent':
      return noteTaskEvent(view, change.stage, change.event, change.nowIso, change.message);
    case 'stageFinished': {
      const { outcome } = change;
      let next = updateStage(view, change.stage, (entry) => {
        entry.state = outcome.status;
        entry.latestEvent = refOf(change.finished, change.nowIso);
        // Keptn marks a stage failed only for result fail or status errored: an aborted sequence
        // (status aborted, result pass) is not failed, and the Bridge paints latestFailedEvent red.
        if (outcome.result === 'fail' || outcome.status === 'errored') entry.latestFailedEvent = entry.latestEvent;
        if ((outcome.status !== 'succeeded' || outcome.result === 'fail') && outcome.message) entry.message = outcome.message;
      });
      if (change.timedOut) return withOverallState(next, SequenceViewState.timedOut);
      if (outcome.status === 'aborted') return withOverallState(next, SequenceViewState.aborted);
      for (const stage of change.chainedStages) next = withStage(next, stage);
      return change.chainedStages.length === 0 && !hasRunningStage(next) ? withOverallState(next, SequenceViewState.finished) : next;
    }
    case 'control': {
      if (change.state === 'abort') return withOverallState(view, SequenceViewState.aborted);
      if (change.stage === undefined)
        return withOverallState(view, change.state === 'pause' ? SequenceViewState.paused : SequenceViewState.started);
      const wanted = change.state === 'pause' ? 'paused' : 'triggered';
      const current = view.stages.find((s) => s.name === change.stage)?.state;
      if (current === wanted || (current !== undefined && !['triggered', 'paused', 'started'].includes(current))) return view;
      return updateStage(view, change.stage, (entry) => {
        if (entry.state === 'triggered' || entry.state === 'paused' || entry.state === 'started') entry.state = wanted;
      });
    }
    default: {
      const unreachable: never = change;
      throw new Error(`unknown view change ${JSON.stringify(unreachable)}`);
    }
  }
}

/** A new view for a context whose first stage was just triggered. */
function created(change: { trigger: KeptnEvent; sequence: string; stage: string }): SequenceState {
  const { trigger } = change;
  const problem = trigger.data.problem;
  const problemTitle = isPlainObject(problem) && typeof problem.problemTitle === 'string' ? problem.problemTitle : undefined;
  return {
    name: change.sequence,
    service: trigger.data.service ?? '',
    project: trigger.data.project ?? '',
    shkeptncontext: trigger.shkeptncontext,
    time: trigger.time,
    state: SequenceViewState.triggered,
    ...(problemTitle ? { problemTitle } : {}),
    stages: [{ name: change.stage, state: 'triggered' }],
  };
}

function refOf(event: KeptnEvent, nowIso: string): { type: string; id: string; time: string } {
  return { type: event.type, id: event.id, time: nowIso };
}

/** The view with `stage` present (appended as `triggered` if new). */
function withStage(view: SequenceState, stage: string): SequenceState {
  if (view.stages.some((s) => s.name === stage)) return view;
  const next = cloneJson(view);
  next.stages.push({ name: stage, state: 'triggered' });
  return next;
}

/** Applies `change` to one stage entry (appended first if new). */
function updateStage(view: SequenceState, stage: string, change: (entry: SequenceStageState) => void): SequenceState {
  const next = cloneJson(withStage(view, stage));
  const entry = next.stages.find((s) => s.name === stage);
  if (entry) change(entry);
  return next;
}

function noteTaskEvent(view: SequenceState, stage: string, event: KeptnEvent, nowIso: string, message?: string): SequenceState {
  return updateStage(view, stage, (entry) => {
    entry.latestEvent = refOf(event, nowIso);
    // A message is about the stage's latest event: a newer event replaces it.
    if (message === undefined) delete entry.message;
    else entry.message = message;
    if (event.data.result === 'fail' || event.data.status === 'errored') entry.latestFailedEvent = entry.latestEvent;
    entry.state = 'triggered';
    if (event.type === 'sh.keptn.event.deployment.triggered') {
      const image = imageOf(event.data);
      if (image) entry.image = image;
    }
    if (event.type === 'sh.keptn.event.evaluation.finished' && event.source === 'lighthouse-service') {
      const evaluation = event.data.evaluation;
      const score = isPlainObject(evaluation) && typeof evaluation.score === 'number' ? evaluation.score : 0;
      entry.latestEvaluation = { result: String(event.data.result ?? ''), score };
    }
  });
}

function withOverallState(view: SequenceState, state: SequenceViewState): SequenceState {
  if (view.state === state) return view;
  return { ...cloneJson(view), state };
}

function hasRunningStage(view: SequenceState): boolean {
  return view.stages.some((s) => s.state === 'triggered');
}

/**
 * The view with the stage's `message` set (or, when `message` is undefined, removed), provided the
 * stage's latest event is still `latestEventId`; undefined when it is not or nothing changes.
 */
export function withStageMessage(
  view: SequenceState,
  stage: string,
  latestEventId: string,
  message: string | undefined,
): SequenceState | undefined {
  const entry = view.stages.find((s) => s.name === stage);
  if (entry?.latestEvent?.id !== latestEventId || entry.message === message) return undefined;
  return updateStage(view, stage, (next) => {
    if (message === undefined) delete next.message;
    else next.message = message;
  });
}

/** `data.configurationChange.values.image` of a deployment payload, if set. */
export function imageOf(data: Record<string, unknown>): string | undefined {
  const change = data.configurationChange;
  if (!isPlainObject(change)) return undefined;
  const values = change.values;
  if (!isPlainObject(values)) return undefined;
  return typeof values.image === 'string' ? values.image : undefined;
}
