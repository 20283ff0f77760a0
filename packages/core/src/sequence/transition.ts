/**
 * The sequence execution state machine: the one door through which an execution changes.
 *
 * States (Keptn's names, shipyard-controller `SequenceExecution.status.state`):
 * - `triggered`: created from `sh.keptn.event.<stage>.<seq>.triggered`, waiting in the
 *   project/stage/service queue. Leaves on `dispatch` (to `started`, or `waitingForApproval` when
 *   the first task is `approval`), `pause` (to `paused`), `abort` or `fail` (to `finished`).
 *   At most one execution of a project/stage/service is `started`: the orchestrator dispatches
 *   `triggered` and `waiting` executions in order of their trigger time while none is.
 * - `started`: a task has been triggered and the execution holds its queue slot. A task with
 *   `triggeredAfter` is first only scheduled (`currentTask.delayed`): no `.triggered` exists yet
 *   and nothing can answer it; the `taskDue` timer emits it when due and only then arms its start
 *   timeout and finish deadline (Keptn keeps such a task in its event queue). Leaves when the
 *   current task completes (next task: stays `started` or goes `waitingForApproval`; no task left
 *   or the task failed: `finished`), on `pause`, `abort` (to `finished`), `startTimeout` (to
 *   `timedOut`), `finishDeadline` or `fail` (to `finished` with status `errored`).
 * - `waitingForApproval`: the current task is `approval`; the queue slot is released (Keptn: an
 *   approval does not block the next sequence). Leaves like `started`, except that when the
 *   approval completes and a task is left it goes to `waiting`, not straight to the next task.
 * - `waiting`: tasks are done and the next one is held until the execution has the queue slot
 *   again (Keptn `Test__main_SequenceQueueApproval`: another sequence of the stage and service may
 *   have started during the approval). No task is open. Leaves on `dispatch` (the next task is
 *   triggered: `started` or `waitingForApproval`), `pause` (to `paused`), `abort` or `fail`.
 * - `paused`: by sequence control; does not hold the queue slot. Running tasks still report and
 *   may complete; the next task is held (not triggered) until `resume`, which restores
 *   `stateBeforePause`, or `waiting` when a task is held: the held task is triggered only once the
 *   execution has the queue slot again, as a sequence may have started meanwhile. A delayed task
 *   that falls due while paused is held too: `taskDue` is ignored and `resume` emits it (or leaves
 *   it to its timer when it is not due yet). A sequence may still finish while paused. `abort` and
 *   `fail` end it; ending an execution cancels a delayed task's timer, so its `.triggered` is never
 *   emitted.
 * - `finished`: terminal; normal end, failed task, finish deadline, abort or `fail`
 *   (`outcome.status` and `outcome.message` tell which). Nothing leaves it.
 *
 * Sub-tasks: while a task is open (triggered, not delayed), an integration may send a task
 * `.triggered` of another name in the same context, stage and service (`subtaskTriggered`; Keptn's
 * lighthouse sends `get-sli.triggered` while it handles `evaluation`). It is opened for delivery
 * like a task and recorded in `currentTask.subtasks`; its `.finished` (`subtaskEvent`) closes it,
 * and so does the end of its parent task or of the sequence. Sub-tasks never change the state.
 *
 * `fail` is the orchestrator's own input, not an event's: an event or timer of the execution could
 * not be handled for a permanent reason (see event-processor.ts), so the execution ends with status
 * `errored`, result `fail` and the reason as its message, from every non-terminal state, instead
 * of waiting forever for a step that can never run. No chaining follows (as for abort and timeouts).
 * - `timedOut`: terminal; no `.started`/`.finished` came within TASK_STARTED_WAIT_DURATION.
 *
 * The function is pure: time and ids come from {@link TransitionContext}; the caller stores the
 * new execution and carries out the effects in one transaction.
 */
import { ORCHESTRATOR_SOURCE, KEPTN_SPEC_VERSION, TaskResult, TaskStatus, keptnTime } from '../events/keptn-event.js';
import type { EventData, KeptnEvent } from '../events/keptn-event.js';
import { sequenceEventType, taskEventType } from '../events/event-type.js';
import { parseGoDuration } from '../time/go-duration.js';
import { aggregateTask, isTaskComplete, stopsSequence } from './aggregate-task.js';
import { cloneJson, isPlainObject, mergeData } from './merge-data.js';
import { ExecutionState, isTerminal } from './execution.js';
import type { ShipyardTask } from '../shipyard/shipyard.js';
import type { CurrentTask, ExecutionOutcome, PreviousTask, SequenceExecution, TaskEventRecord } from './execution.js';

/** Inputs the state machine understands. */
export type ExecutionInput =
  | { kind: 'dispatch' }
  | { kind: 'taskEvent'; event: KeptnEvent }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'abort' }
  | { kind: 'startTimeout'; triggeredId: string }
  | { kind: 'finishDeadline'; triggeredId: string }
  /** The `triggeredAfter` of the delayed current task has passed: emit its `.triggered`. */
  | { kind: 'taskDue'; triggeredId: string }
  /** An event or timer of the execution cannot be handled (permanently): end it as errored. */
  | { kind: 'fail'; message: string }
  /** An integration sent a task `.triggered` in the context of the current task (see "Sub-tasks"). */
  | { kind: 'subtaskTriggered'; event: KeptnEvent }
  /** A `.started`/`.finished` answering one of the current task's sub-tasks. */
  | { kind: 'subtaskEvent'; event: KeptnEvent };

/** Timer kinds the state machine asks for. */
export const TimerKind = { startTimeout: 'startTimeout', finishDeadline: 'finishDeadline', taskDue: 'taskDue' } as const;
/** One of {@link TimerKind}. */
export type TimerKind = (typeof TimerKind)[keyof typeof TimerKind];

/** What the caller must do besides storing the new execution. */
export type ExecutionEffect =
  /** Store and publish a task `.triggered` (its `time` is now: a delayed task is emitted when due). */
  | { kind: 'triggerTask'; event: KeptnEvent }
  /** Remove the task's `.triggered` from the open-triggered set and cancel its timers. */
  | { kind: 'closeTask'; triggeredId: string }
  /** Put a sub-task's `.triggered` (already stored) into the open-triggered set, for delivery. */
  | { kind: 'openSubtask'; event: KeptnEvent }
  | { kind: 'setTimer'; timer: { kind: TimerKind; triggeredId: string; dueAtMs: number } }
  /** The task event was recorded (feeds the state view and service activity). */
  | { kind: 'taskEventRecorded'; event: KeptnEvent }
  /** Emit `<stage>.<seq>.finished`; `chain` tells whether triggeredOn chaining applies. */
  | { kind: 'sequenceFinished'; event: KeptnEvent; outcome: ExecutionOutcome; lastTaskName: string; chain: boolean; timedOut: boolean }
  /** The input did not apply (late event, wrong state); nothing changed. */
  | { kind: 'ignored'; reason: string };

/** Time, ids and settings the transition needs. */
export interface TransitionContext {
  nowMs: number;
  newId: () => string;
  taskStartedWaitMs: number;
}

/** Result of one transition. */
export interface TransitionResult {
  execution: SequenceExecution;
  effects: ExecutionEffect[];
}

/** Applies one input to an execution. */
export function transition(current: SequenceExecution, input: ExecutionInput, ctx: TransitionContext): TransitionResult {
  const execution = cloneJson(current);
  const state = execution.status.state;
  if (isTerminal(state)) {
    return { execution: current, effects: [{ kind: 'ignored', reason: `execution is ${state}` }] };
  }
  switch (input.kind) {
    case 'dispatch':
      if (state !== ExecutionState.triggered && state !== ExecutionState.waiting)
        return ignored(current, `cannot dispatch in state ${state}`);
      return { execution, effects: triggerNextTask(execution, ctx) };
    case 'taskEvent':
      return onTaskEvent(execution, current, input.event, ctx);
    case 'pause':
      if (state === ExecutionState.paused) return ignored(current, 'already paused');
      execution.status.stateBeforePause = state;
      execution.status.state = ExecutionState.paused;
      return { execution, effects: [] };
    case 'resume': {
      if (state !== ExecutionState.paused) return ignored(current, `not paused (${state})`);
      const restored = execution.status.stateBeforePause || ExecutionState.started;
      const open = execution.status.currentTask;
      execution.status.stateBeforePause = '';
      if (open?.delayed) {
        execution.status.state = restored;
        return { execution, effects: Date.parse(open.scheduledAt) <= ctx.nowMs ? emitTask(execution, open.triggeredID, ctx) : [] };
      }
      const heldTask = restored !== ExecutionState.triggered && open === null;
      execution.status.state = heldTask ? ExecutionState.waiting : restored;
      return { execution, effects: [] };
    }
    case 'abort':
      return finish(execution, { result: TaskResult.pass, status: TaskStatus.aborted, message: 'sequence aborted' }, ctx, {
        chain: false,
        timedOut: false,
      });
    case 'startTimeout': {
      const task = execution.status.currentTask;
      if (!task || task.triggeredID !== input.triggeredId || task.events.length > 0) return ignored(current, 'task answered');
      const type = taskEventType(task.name, 'triggered');
      return finish(
        execution,
        {
          result: TaskResult.fail,
          status: TaskStatus.errored,
          message: `sequence timed out while waiting for task ${type} to receive a correlating .started or .finished event`,
        },
        ctx,
        { chain: false, timedOut: true },
      );
    }
    case 'finishDeadline': {
      const task = execution.status.currentTask;
      if (!task || task.triggeredID !== input.triggeredId) return ignored(current, 'task completed');
      const limit = execution.sequence.tasks[execution.status.previousTasks.length]?.finishTimeout ?? '';
      return finish(
        execution,
        {
          result: TaskResult.fail,
          status: TaskStatus.errored,
          message: `task ${task.name} did not finish within its finishTimeout of ${limit}`,
        },
        ctx,
        { chain: false, timedOut: false },
      );
    }
    case 'taskDue': {
      const task = execution.status.currentTask;
      if (!task?.delayed || task.triggeredID !== input.triggeredId) return ignored(current, 'no delayed task with this id');
      if (state === ExecutionState.paused) return ignored(current, 'paused: resume emits the task');
      return { execution, effects: emitTask(execution, task.triggeredID, ctx) };
    }
    case 'fail':
      return finish(execution, { result: TaskResult.fail, status: TaskStatus.errored, message: input.message }, ctx, {
        chain: false,
        timedOut: false,
      });
    case 'subtaskTriggered': {
      const task = execution.status.currentTask;
      if (!task || task.delayed) return ignored(current, 'no task is open to own the sub-task');
      if (input.event.id === task.triggeredID || task.subtasks?.includes(input.event.id)) return ignored(current, 'already open');
      task.subtasks = [...(task.subtasks ?? []), input.event.id];
      return { execution, effects: [{ kind: 'openSubtask', event: input.event }] };
    }
    case 'subtaskEvent': {
      const task = execution.status.currentTask;
      const id = input.event.triggeredid;
      if (!task?.subtasks || id === undefined || !task.subtasks.includes(id)) return ignored(current, 'not an open sub-task');
      if (!input.event.type.endsWith('.finished')) return ignored(current, 'only .finished closes a sub-task');
      task.subtasks = task.subtasks.filter((open) => open !== id);
      if (task.subtasks.length === 0) delete task.subtasks;
      return { execution, effects: [{ kind: 'closeTask', triggeredId: id }] };
    }
    default: {
      const unreachable: never = input;
      throw new Error(`unknown input ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Closes a task and its open sub-tasks. */
function closeTaskEffects(task: CurrentTask): ExecutionEffect[] {
  return [task.triggeredID, ...(task.subtasks ?? [])].map((triggeredId) => ({ kind: 'closeTask', triggeredId }));
}

function ignored(execution: SequenceExecution, reason: string): TransitionResult {
  return { execution, effects: [{ kind: 'ignored', reason }] };
}

function onTaskEvent(
  execution: SequenceExecution,
  current: SequenceExecution,
  event: KeptnEvent,
  ctx: TransitionContext,
): TransitionResult {
  const task = execution.status.currentTask;
  if (!task || task.triggeredID !== event.triggeredid) return ignored(current, 'event does not answer the current task');
  if (task.delayed) return ignored(current, 'the task is not triggered yet');
  const isFinished = event.type.endsWith('.finished');
  const record: TaskEventRecord = {
    eventType: event.type,
    source: event.source,
    result: stringField(event.data.result),
    status: stringField(event.data.status),
    time: event.time,
    properties: isFinished ? cloneJson(event.data) : null,
  };
  task.events.push(record);
  const effects: ExecutionEffect[] = [{ kind: 'taskEventRecorded', event }];
  if (!isTaskComplete(task.events)) return { execution, effects };

  const finished = task.events.filter((e) => e.eventType.endsWith('.finished'));
  const outcome = aggregateTask(finished);
  let properties: EventData = {};
  for (const f of finished) properties = mergeData(properties, f.properties ?? {}) as EventData;
  const previous: PreviousTask = { name: task.name, triggeredID: task.triggeredID, ...outcome, properties };
  execution.status.previousTasks.push(previous);
  execution.status.currentTask = null;
  effects.push(...closeTaskEffects(task));

  const completing = event.data;
  const labels = isStringMap(completing.labels) ? completing.labels : execution.scope.labels;
  const message = stringField(completing.message);
  const noTaskLeft = execution.status.previousTasks.length >= execution.sequence.tasks.length;
  if (stopsSequence(outcome) || noTaskLeft) {
    const result = finish(execution, { ...outcome, message }, ctx, { chain: true, timedOut: false }, labels);
    return { execution: result.execution, effects: [...effects, ...result.effects] };
  }
  if (execution.status.state === ExecutionState.paused) {
    // Held: resume hands it to the queue (the slot was released while paused).
    execution.status.stateBeforePause = ExecutionState.waiting;
    return { execution, effects };
  }
  if (execution.status.state === ExecutionState.waitingForApproval) {
    // The approval did not hold the queue slot: the next task waits for it.
    execution.status.state = ExecutionState.waiting;
    return { execution, effects };
  }
  return { execution, effects: [...effects, ...triggerNextTask(execution, ctx)] };
}

/** The task at the execution's position; the execution must have a task left. */
function nextTask(execution: SequenceExecution): ShipyardTask {
  const index = execution.status.previousTasks.length;
  const task = execution.sequence.tasks[index];
  if (!task) throw new Error(`execution ${execution._id} has no task at index ${index}`);
  return task;
}

/** Makes the next task current: emits it now, or schedules it when it has a `triggeredAfter`. */
function triggerNextTask(execution: SequenceExecution, ctx: TransitionContext): ExecutionEffect[] {
  const task = nextTask(execution);
  const id = ctx.newId();
  const delayMs = task.triggeredAfter ? parseGoDuration(task.triggeredAfter, 'triggeredAfter') : 0;
  if (delayMs <= 0) return emitTask(execution, id, ctx);
  const dueAtMs = ctx.nowMs + delayMs;
  execution.status.currentTask = { name: task.name, triggeredID: id, scheduledAt: keptnTime(dueAtMs), delayed: true, events: [] };
  execution.status.state = task.name === 'approval' ? ExecutionState.waitingForApproval : ExecutionState.started;
  return [{ kind: 'setTimer', timer: { kind: TimerKind.taskDue, triggeredId: id, dueAtMs } }];
}

/** Builds and records the next task's `.triggered` with id `id`, now, and arms its timers. */
function emitTask(execution: SequenceExecution, id: string, ctx: TransitionContext): ExecutionEffect[] {
  const task = nextTask(execution);
  const data = accumulatedData(execution);
  const shipyardProperties = task.properties ?? {};
  data[task.name] = mergeData(isPlainObject(data[task.name]) ? data[task.name] : {}, shipyardProperties);
  const event: KeptnEvent = {
    id,
    type: taskEventType(task.name, 'triggered'),
    source: ORCHESTRATOR_SOURCE,
    specversion: '1.0',
    time: keptnTime(ctx.nowMs),
    contenttype: 'application/json',
    shkeptncontext: execution.scope.keptnContext,
    gitcommitid: execution.scope.gitcommitid,
    shkeptnspecversion: KEPTN_SPEC_VERSION,
    data,
  };
  const currentTask: CurrentTask = { name: task.name, triggeredID: id, scheduledAt: event.time, events: [] };
  execution.status.currentTask = currentTask;
  execution.status.state = task.name === 'approval' ? ExecutionState.waitingForApproval : ExecutionState.started;
  const effects: ExecutionEffect[] = [
    { kind: 'triggerTask', event },
    { kind: 'setTimer', timer: { kind: TimerKind.startTimeout, triggeredId: id, dueAtMs: ctx.nowMs + ctx.taskStartedWaitMs } },
  ];
  if (task.finishTimeout) {
    const limitMs = parseGoDuration(task.finishTimeout, 'finishTimeout');
    effects.push({ kind: 'setTimer', timer: { kind: TimerKind.finishDeadline, triggeredId: id, dueAtMs: ctx.nowMs + limitMs } });
  }
  return effects;
}

/**
 * The payload the execution has accumulated: the trigger's data, project/stage/service from the
 * scope, every completed task's merged output, the last task's result and status, and `message`
 * cleared (Keptn's `GetNextTriggeredEventData` minus the next task's shipyard properties).
 */
export function accumulatedData(execution: SequenceExecution): EventData {
  let data = cloneJson(execution.inputProperties);
  data.project = execution.scope.project;
  data.stage = execution.scope.stage;
  data.service = execution.scope.service;
  for (const previous of execution.status.previousTasks) data = mergeData(data, previous.properties) as EventData;
  const last = execution.status.previousTasks.at(-1);
  if (last) {
    data.result = last.result;
    data.status = last.status;
  }
  if ('message' in data) data.message = '';
  return data;
}

function finish(
  execution: SequenceExecution,
  outcome: ExecutionOutcome,
  ctx: TransitionContext,
  options: { chain: boolean; timedOut: boolean },
  labels: Record<string, string> = execution.scope.labels,
): TransitionResult {
  const effects: ExecutionEffect[] = [];
  const open = execution.status.currentTask;
  if (open) effects.push(...closeTaskEffects(open));
  const lastTaskName = execution.status.previousTasks.at(-1)?.name ?? open?.name ?? '';
  execution.status.state = options.timedOut ? ExecutionState.timedOut : ExecutionState.finished;
  execution.status.stateBeforePause = '';
  execution.status.outcome = outcome;
  const { project, stage, service } = execution.scope;
  const event: KeptnEvent = {
    id: ctx.newId(),
    type: sequenceEventType(stage, execution.sequence.name, 'finished'),
    source: ORCHESTRATOR_SOURCE,
    specversion: '1.0',
    time: keptnTime(ctx.nowMs),
    contenttype: 'application/json',
    shkeptncontext: execution.scope.keptnContext,
    triggeredid: execution.scope.triggeredId,
    gitcommitid: execution.scope.gitcommitid,
    shkeptnspecversion: KEPTN_SPEC_VERSION,
    data: { project, stage, service, labels, status: outcome.status, result: outcome.result, message: outcome.message },
  };
  effects.push({ kind: 'sequenceFinished', event, outcome, lastTaskName, chain: options.chain, timedOut: options.timedOut });
  return { execution, effects };
}

function stringField(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function isStringMap(value: unknown): value is Record<string, string> {
  return isPlainObject(value) && Object.values(value).every((v) => typeof v === 'string');
}
