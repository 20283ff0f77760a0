/**
 * A sequence's timeline across its stages, built from what the API has: the sequence state (stages
 * in order, their state, image, evaluation and message), the execution records (each stage's task
 * list from the shipyard, the delayed task) and the context's events (every task's `.triggered`,
 * `.started` and `.finished`, whose `source` is the executor). Tasks of a stage come in the order
 * they were triggered, then the shipyard's tasks not reached yet: `pending` while the stage runs,
 * `skipped` once it ended.
 */
import { timeMs } from '../format/format-time';
import type { KeptnEvent, SequenceExecution, SequenceState } from '@shipmate/api';

/** One stage of a sequence state. */
type SequenceStageState = NonNullable<SequenceState['stages']>[number];

/** Where a task is. */
export type TaskPhase =
  /** Not triggered yet (or waiting out `triggeredAfter` when `scheduledAt` is set). */
  | 'pending'
  /** Triggered; no executor has said `.started` yet. */
  | 'triggered'
  /** Started, not finished. */
  | 'running'
  | 'finished'
  /** The stage ended before the task was reached. */
  | 'skipped';

/** One task row. */
export interface TimelineTask {
  name: string;
  phase: TaskPhase;
  /** Id of the task's `.triggered` event (what an approval decision names). */
  triggeredId?: string;
  triggeredAt?: string;
  finishedAt?: string;
  /** When a delayed task is due. */
  scheduledAt?: string;
  /** Sources of its `.started` and `.finished` events: the integrations that ran it. */
  executors: string[];
  result?: string;
  status?: string;
  message?: string;
  /** The stage's message when it is about this task (e.g. no live integration subscribes to it). */
  note?: string;
}

/** One stage of the timeline. */
export interface TimelineStage {
  name: string;
  /** '' when the server did not say. */
  state: string;
  image?: string;
  evaluation?: SequenceStageState['latestEvaluation'];
  /** The stage's message when it is not about one task. */
  message?: string;
  triggeredAt?: string;
  tasks: TimelineTask[];
}

const PREFIX = 'sh.keptn.event.';

/** `sh.keptn.event.<task>.<kind>` → task and kind; undefined for sequence events (`<stage>.<sequence>.<kind>`) and others. */
export function taskEventOf(type: string): { task: string; kind: 'triggered' | 'started' | 'finished' } | undefined {
  if (!type.startsWith(PREFIX)) return undefined;
  const parts = type.slice(PREFIX.length).split('.');
  if (parts.length !== 2) return undefined;
  const [task, kind] = parts as [string, string];
  return kind === 'triggered' || kind === 'started' || kind === 'finished' ? { task, kind } : undefined;
}

const RUNNING_STAGE_STATES = new Set(['triggered', 'started', 'paused', 'waiting']);

function byTime(a: KeptnEvent, b: KeptnEvent): number {
  return timeMs(a.time) - timeMs(b.time);
}

/** The newest execution record of a stage (a stage may run again, e.g. after a remediation). */
function executionOf(executions: readonly SequenceExecution[], stage: string): SequenceExecution | undefined {
  return executions
    .filter((execution) => execution.scope?.stage === stage)
    .sort((a, b) => timeMs(b.triggeredAt) - timeMs(a.triggeredAt))[0];
}

/** A string field of an object the contract leaves open (tasks of an execution record). */
function field(value: object | null | undefined, name: string): unknown {
  return value ? (value as Record<string, unknown>)[name] : undefined;
}

/** The shipyard's task names of an execution record. */
function plannedTasks(execution: SequenceExecution | undefined): string[] {
  return (execution?.sequence?.tasks ?? []).map((task) => field(task, 'name')).filter((name): name is string => typeof name === 'string');
}

function stageTasks(stage: SequenceStageState, execution: SequenceExecution | undefined, events: readonly KeptnEvent[]): TimelineStage {
  const stageName = stage.name ?? '';
  const stageState = stage.state ?? '';
  const own = events.filter((event) => event.data.stage === stageName).sort(byTime);
  const answers = new Map<string, KeptnEvent[]>();
  for (const event of own) {
    if (event.triggeredid === undefined) continue;
    const kind = taskEventOf(event.type)?.kind;
    if (kind === 'started' || kind === 'finished') answers.set(event.triggeredid, [...(answers.get(event.triggeredid) ?? []), event]);
  }
  const tasks: TimelineTask[] = [];
  for (const event of own) {
    const parsed = taskEventOf(event.type);
    if (parsed?.kind !== 'triggered') continue;
    const replies = answers.get(event.id) ?? [];
    const finished = replies.filter((reply) => taskEventOf(reply.type)?.kind === 'finished');
    const last = finished[finished.length - 1];
    const task: TimelineTask = {
      name: parsed.task,
      phase: last ? 'finished' : replies.length > 0 ? 'running' : 'triggered',
      triggeredId: event.id,
      triggeredAt: event.time,
      executors: [...new Set(replies.map((reply) => reply.source))],
    };
    if (last) {
      task.finishedAt = last.time;
      if (last.data.result) task.result = last.data.result;
      if (last.data.status) task.status = last.data.status;
      if (typeof last.data.message === 'string' && last.data.message !== '') task.message = last.data.message;
    }
    if (stage.message && stage.latestEvent?.id === event.id) task.note = stage.message;
    tasks.push(task);
  }
  // The shipyard's tasks after those triggered (sub-tasks such as get-sli are not in the shipyard).
  const planned = plannedTasks(execution);
  const reached = tasks.filter((task) => planned.includes(task.name)).length;
  const running = RUNNING_STAGE_STATES.has(stageState);
  const current = execution?.status?.currentTask;
  const scheduledAt = field(current, 'scheduledAt');
  for (const name of planned.slice(reached)) {
    const task: TimelineTask = { name, phase: running ? 'pending' : 'skipped', executors: [] };
    if (field(current, 'delayed') === true && field(current, 'name') === name && typeof scheduledAt === 'string')
      task.scheduledAt = scheduledAt;
    tasks.push(task);
  }
  const noted = tasks.some((task) => task.note !== undefined);
  const sequenceTrigger = own.find((event) => taskEventOf(event.type) === undefined && event.type.endsWith('.triggered'));
  return {
    name: stageName,
    state: stageState,
    ...(stage.image ? { image: stage.image } : {}),
    ...(stage.latestEvaluation ? { evaluation: stage.latestEvaluation } : {}),
    ...(stage.message && !noted ? { message: stage.message } : {}),
    ...(sequenceTrigger ? { triggeredAt: sequenceTrigger.time } : {}),
    tasks,
  };
}

/** The timeline of one sequence run. */
export function buildTimeline(
  state: SequenceState,
  executions: readonly SequenceExecution[],
  events: readonly KeptnEvent[],
): TimelineStage[] {
  return (state.stages ?? []).map((stage) => stageTasks(stage, executionOf(executions, stage.name ?? ''), events));
}

/** True when the sequence can still change (pause, resume and abort make sense). */
export function isSequenceOpen(state: string): boolean {
  return !['finished', 'aborted', 'timedOut'].includes(state);
}
