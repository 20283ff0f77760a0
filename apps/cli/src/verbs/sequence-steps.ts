/**
 * What a followed sequence shows (`trigger … --watch`, `get sequence --watch`, `shipmate demo`):
 * one step per sequence start and end and per task triggered, started, progressing and finished,
 * with what matters of each (where a version runs, the test's figures, the quality gate's score,
 * why something failed). Only the tasks the shipyard runs count: sub-tasks an integration asks
 * for (the lighthouse's `get-sli`) are left out.
 */
import type { KeptnEvent } from '@shipmate/api';
import { ORCHESTRATOR_SOURCE, parseEventType } from '@shipmate/core';
import type { Style } from './verb-output.js';

/** The kinds of step. */
export const StepKind = {
  sequenceTriggered: 'sequence.triggered',
  sequenceFinished: 'sequence.finished',
  taskTriggered: 'task.triggered',
  taskStarted: 'task.started',
  taskProgress: 'task.progress',
  taskFinished: 'task.finished',
} as const;
/** One of {@link StepKind}. */
export type StepKind = (typeof StepKind)[keyof typeof StepKind];

/** One step of a followed sequence (also what `-o json` prints per line). */
export interface SequenceStep {
  readonly kind: StepKind;
  readonly time: string;
  readonly stage: string;
  /** The sequence (sequence steps only). */
  readonly sequence?: string;
  /** The task (task steps only). */
  readonly task?: string;
  /** Who sent the event (the integration, for task steps). */
  readonly source: string;
  readonly result?: string;
  readonly status?: string;
  readonly message?: string;
  /** The most telling detail of a finished task: where it serves, the test's figures, the score. */
  readonly detail?: string;
  /** The id of the event (of the `.triggered` for task steps: what `approve --id` takes). */
  readonly triggeredId: string;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function num(value: unknown, digits = 0): string | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : undefined;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The most telling detail of a finished task (its message for tasks without figures). */
function detailOf(task: string, data: Record<string, unknown>, message: string | undefined): string | undefined {
  const own = record(data[task]);
  switch (task) {
    case 'deployment': {
      const uris = own.deploymentURIsLocal;
      return Array.isArray(uris) && typeof uris[0] === 'string' ? `serving at ${uris[0]}` : message;
    }
    case 'test': {
      const p95 = num(own.latencyP95Ms, 1);
      const rps = num(own.throughputRps);
      const errors = num(typeof own.errorRate === 'number' ? own.errorRate * 100 : undefined, 1);
      const figures = [p95 && `p95 ${p95} ms`, rps && `${rps} req/s`, errors && `${errors} % errors`].filter(Boolean).join(', ');
      return figures === '' ? message : figures;
    }
    case 'evaluation': {
      // Without objectives the lighthouse passes with score 0 and says why: the message tells more.
      const evaluation = record(data.evaluation);
      const judged = Array.isArray(evaluation.indicatorResults) && evaluation.indicatorResults.length > 0;
      const score = num(evaluation.score);
      return score === undefined || !judged
        ? (message ?? (score === undefined ? undefined : `quality gate score ${score}`))
        : `quality gate score ${score}`;
    }
    default:
      return message;
  }
}

const STATUS_CHANGED = /^sh\.keptn\.event\.([^.]+)\.status\.changed$/;

/**
 * Turns the events of one keptn context into steps, in the order given. It remembers which
 * `.triggered` the shipyard sent, so that answers to sub-tasks are left out; feed it every event
 * once (it keeps no other state).
 */
export class SequenceStepReader {
  private readonly tasks = new Set<string>();

  /**
   * Notes the tasks the shipyard triggered among `events` before they are read, so that an answer
   * whose time (an integration's clock) sorts before its `.triggered` still counts.
   */
  remember(events: readonly KeptnEvent[]): void {
    for (const event of events) {
      const parsed = parseEventType(event.type);
      if (parsed.category === 'task' && parsed.kind === 'triggered' && event.source === ORCHESTRATOR_SOURCE) this.tasks.add(event.id);
    }
  }

  /** The step of `event`, or undefined for events a follower does not show. */
  read(event: KeptnEvent): SequenceStep | undefined {
    const data = event.data;
    const stage = text(data.stage) ?? '';
    const common = { time: event.time, stage, source: event.source };
    const outcome = {
      ...(text(data.result) ? { result: text(data.result) } : {}),
      ...(text(data.status) ? { status: text(data.status) } : {}),
      ...(text(data.message) ? { message: text(data.message) } : {}),
    };
    const parsed = parseEventType(event.type);
    if (parsed.category === 'sequence') {
      const kind = parsed.kind === 'triggered' ? StepKind.sequenceTriggered : StepKind.sequenceFinished;
      return { kind, ...common, sequence: parsed.sequence, ...(kind === StepKind.sequenceFinished ? outcome : {}), triggeredId: event.id };
    }
    const progress = STATUS_CHANGED.exec(event.type);
    if (progress !== null) {
      if (!event.triggeredid || !this.tasks.has(event.triggeredid)) return undefined;
      return { kind: StepKind.taskProgress, ...common, task: progress[1] ?? '', ...outcome, triggeredId: event.triggeredid };
    }
    if (parsed.category !== 'task') return undefined;
    if (parsed.kind === 'triggered') {
      if (event.source !== ORCHESTRATOR_SOURCE) return undefined;
      this.tasks.add(event.id);
      return { kind: StepKind.taskTriggered, ...common, task: parsed.task, triggeredId: event.id };
    }
    if (!event.triggeredid || !this.tasks.has(event.triggeredid)) return undefined;
    if (parsed.kind === 'started') return { kind: StepKind.taskStarted, ...common, task: parsed.task, triggeredId: event.triggeredid };
    if (parsed.kind !== 'finished') return undefined;
    const detail = failed(outcome) ? outcome.message : detailOf(parsed.task, data, outcome.message);
    return {
      kind: StepKind.taskFinished,
      ...common,
      task: parsed.task,
      ...outcome,
      ...(detail ? { detail } : {}),
      triggeredId: event.triggeredid,
    };
  }
}

/** True for a result `fail` or a status other than `succeeded`. */
export function failed(outcome: { result?: string | undefined; status?: string | undefined }): boolean {
  return outcome.result === 'fail' || (outcome.status !== undefined && outcome.status !== 'succeeded');
}

/** `pass`, `fail (errored)`, …: the result with a status other than succeeded beside it. */
function outcomeText(step: SequenceStep): string {
  const status = step.status && step.status !== 'succeeded' ? step.status : undefined;
  if (step.result) return status ? `${step.result} (${status})` : step.result;
  return status ?? 'finished';
}

/** The human line of a step. */
export function stepLine(step: SequenceStep, style: Style): string {
  switch (step.kind) {
    case StepKind.sequenceTriggered:
      return style.bold(`▸ ${step.stage}: ${step.sequence ?? ''} started`);
    case StepKind.sequenceFinished: {
      const about = failed(step) && step.message ? ` - ${step.message}` : '';
      return `${style.bold(`▸ ${step.stage}: ${step.sequence ?? ''}`)} ${style.outcome(outcomeText(step))}${about}`;
    }
    case StepKind.taskTriggered:
      return `${taskName(step)} ${style.dim('triggered')}`;
    case StepKind.taskStarted:
      return `${taskName(step)} ${style.dim('started')}  ${style.dim(step.source)}`;
    case StepKind.taskProgress:
      return `${taskName(step)} ${style.dim('…')}  ${step.message ?? ''}`.trimEnd();
    case StepKind.taskFinished:
      return `${taskName(step)} ${style.outcome(outcomeText(step))}${step.detail ? `  ${step.detail}` : ''}`;
    default: {
      const unknown: never = step.kind;
      throw new Error(`unknown step kind ${String(unknown)}`);
    }
  }
}

function taskName(step: SequenceStep): string {
  return `  ${step.stage.padEnd(11)} ${(step.task ?? '').padEnd(11)}`;
}

/** How a followed context ended. */
export interface SequenceOutcome {
  /** `pass`, `warning`, `fail`, `errored`, `aborted` or `timedOut`. */
  readonly result: string;
  /** The stage sequences in the order they finished, e.g. `dev delivery pass`. */
  readonly stages: ReadonlyArray<{ readonly stage: string; readonly sequence: string; readonly result: string }>;
  /** Why it did not pass: the first failing stage's message. */
  readonly message?: string;
}

/**
 * The result of a context from its steps and the sequence view's overall state: aborted and timed
 * out as the view says; else the worst of its stages (errored over fail over warning over pass).
 */
export function sequenceOutcome(steps: readonly SequenceStep[], viewState: string): SequenceOutcome {
  const finished = steps.filter((step) => step.kind === StepKind.sequenceFinished);
  const stages = finished.map((step) => ({ stage: step.stage, sequence: step.sequence ?? '', result: outcomeText(step) }));
  const firstFailed = finished.find((step) => failed(step));
  const message = firstFailed?.message ? { message: `${firstFailed.stage}: ${firstFailed.message}` } : {};
  if (viewState === 'aborted' || viewState === 'timedOut') return { result: viewState, stages, ...message };
  const worst = finished.some((step) => step.status === 'errored')
    ? 'errored'
    : finished.some((step) => failed(step))
      ? 'fail'
      : finished.some((step) => step.result === 'warning')
        ? 'warning'
        : 'pass';
  return { result: worst, stages, ...message };
}

/** The exit code of an outcome: 0 for pass and warning, 1 otherwise. */
export function outcomeExitCode(outcome: SequenceOutcome): number {
  return outcome.result === 'pass' || outcome.result === 'warning' ? 0 : 1;
}
