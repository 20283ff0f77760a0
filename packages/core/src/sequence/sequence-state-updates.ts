/**
 * Pure updates of the sequence state view, following Keptn's `sequencestate.go`:
 * task events set the stage's `latestEvent` (and `latestFailedEvent` on fail/errored) and mark the
 * stage `triggered`; a stage's `<stage>.<seq>.finished` sets its state to the outcome's status.
 */
import type { KeptnEvent } from '../events/keptn-event.js';
import { cloneJson, isPlainObject } from './merge-data.js';
import type { SequenceStageState, SequenceState, SequenceViewState } from './sequence-state.js';

/** A new view for a context whose first stage was just triggered. */
export function newSequenceState(trigger: KeptnEvent, sequenceName: string, stage: string): SequenceState {
  const problem = trigger.data.problem;
  const problemTitle = isPlainObject(problem) && typeof problem.problemTitle === 'string' ? problem.problemTitle : undefined;
  return {
    name: sequenceName,
    service: trigger.data.service ?? '',
    project: trigger.data.project ?? '',
    shkeptncontext: trigger.shkeptncontext,
    time: trigger.time,
    state: 'triggered',
    ...(problemTitle ? { problemTitle } : {}),
    stages: [{ name: stage, state: 'triggered' }],
  };
}

/** The view with `stage` present (appended as `triggered` if new). */
export function withStage(view: SequenceState, stage: string): SequenceState {
  if (view.stages.some((s) => s.name === stage)) return view;
  const next = cloneJson(view);
  next.stages.push({ name: stage, state: 'triggered' });
  return next;
}

/** Applies `change` to one stage entry. */
export function updateStage(view: SequenceState, stage: string, change: (entry: SequenceStageState) => void): SequenceState {
  const next = cloneJson(withStage(view, stage));
  const entry = next.stages.find((s) => s.name === stage);
  if (entry) change(entry);
  return next;
}

/**
 * Notes a task event (sent or received) on its stage. `message` says why the stage is stuck at this
 * event (e.g. no live subscriber of a task `.triggered`); without one, the stage's message goes.
 */
export function noteTaskEvent(view: SequenceState, stage: string, event: KeptnEvent, nowIso: string, message?: string): SequenceState {
  return updateStage(view, stage, (entry) => {
    const ref = { type: event.type, id: event.id, time: nowIso };
    entry.latestEvent = ref;
    // A message is about the stage's latest event: a newer event replaces it.
    if (message === undefined) delete entry.message;
    else entry.message = message;
    if (event.data.result === 'fail' || event.data.status === 'errored') entry.latestFailedEvent = ref;
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

/** Sets the overall state. */
export function withOverallState(view: SequenceState, state: SequenceViewState): SequenceState {
  if (view.state === state) return view;
  return { ...cloneJson(view), state };
}

/** True when some stage is still running (state `triggered`). */
export function hasRunningStage(view: SequenceState): boolean {
  return view.stages.some((s) => s.state === 'triggered');
}

/** `data.configurationChange.values.image` of a deployment payload, if set. */
export function imageOf(data: Record<string, unknown>): string | undefined {
  const change = data.configurationChange;
  if (!isPlainObject(change)) return undefined;
  const values = change.values;
  if (!isPlainObject(values)) return undefined;
  return typeof values.image === 'string' ? values.image : undefined;
}
