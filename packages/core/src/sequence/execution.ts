/** The sequence execution record: one run of one sequence in one stage for one context. */
import type { EventData, TaskResult, TaskStatus } from '../events/keptn-event.js';
import type { ShipyardTask } from '../shipyard/shipyard.js';

/** States of a sequence execution; see transition.ts for what enters and leaves each. */
export const ExecutionState = {
  triggered: 'triggered',
  started: 'started',
  waitingForApproval: 'waitingForApproval',
  waiting: 'waiting',
  paused: 'paused',
  finished: 'finished',
  timedOut: 'timedOut',
} as const;
/** One of {@link ExecutionState}. */
export type ExecutionState = (typeof ExecutionState)[keyof typeof ExecutionState];

/** States that hold the project/stage/service queue (Keptn: only `started`). */
export const BLOCKING_STATES: readonly ExecutionState[] = [ExecutionState.started];

/** States an execution never leaves. The stores' index of active executions leaves them out by these names. */
export const TERMINAL_STATES: readonly ExecutionState[] = [ExecutionState.finished, ExecutionState.timedOut];

/** True for states an execution never leaves. */
export function isTerminal(state: ExecutionState): boolean {
  return TERMINAL_STATES.includes(state);
}

/** Throws a RangeError if `states` holds a terminal state: a store's queue read (listExecutionsInScope) takes active states only. */
export function requireActiveStates(states: readonly ExecutionState[]): void {
  const terminal = states.filter(isTerminal);
  if (terminal.length > 0) {
    throw new RangeError(`the queue of a scope holds active executions only; asked for ${terminal.join(', ')}`);
  }
}

/**
 * The execution among `executions` (those of one keptn context) that runs a task in `stage` and
 * `service`: not terminal, with a current task. The task a sub-task belongs to (see transition.ts).
 */
export function executionWithCurrentTask(
  executions: readonly SequenceExecution[],
  stage: unknown,
  service: unknown,
): SequenceExecution | undefined {
  return executions.find(
    (e) => e.scope.stage === stage && e.scope.service === service && !isTerminal(e.status.state) && e.status.currentTask !== null,
  );
}

/** A `.started` or `.finished` event recorded against the current task. */
export interface TaskEventRecord {
  eventType: string;
  source: string;
  result: string;
  status: string;
  time: string;
  properties: EventData | null;
}

/** The task an execution is waiting on. */
export interface CurrentTask {
  name: string;
  triggeredID: string;
  /** When the task's `.triggered` was emitted, or, while `delayed`, when it is due. */
  scheduledAt: string;
  /**
   * Set while the task waits out its `triggeredAfter`: its `.triggered` is neither stored nor
   * published yet (a `taskDue` timer at `scheduledAt` emits it) and no event can answer it.
   */
  delayed?: true;
  events: TaskEventRecord[];
  /**
   * Open sub-tasks of this task: `.triggered` events an integration sent in the task's context
   * for others to answer (the lighthouse's `get-sli` for an SLI provider). They are delivered like
   * tasks and closed by their `.finished`, or with this task.
   */
  subtasks?: string[];
}

/** A completed task with its aggregated outcome and merged `.finished` data. */
export interface PreviousTask {
  name: string;
  triggeredID: string;
  result: TaskResult;
  status: TaskStatus;
  properties: EventData;
}

/** How the execution ended, once it did. */
export interface ExecutionOutcome {
  result: TaskResult;
  status: TaskStatus;
  message: string;
}

/** Keptn's `SequenceExecution` (shipyard-controller/models/sequence_execution.go) plus `outcome`. */
export interface SequenceExecution {
  _id: string;
  schemaVersion: '1';
  sequence: { name: string; tasks: ShipyardTask[] };
  status: {
    state: ExecutionState;
    stateBeforePause: ExecutionState | '';
    previousTasks: PreviousTask[];
    currentTask: CurrentTask | null;
    outcome?: ExecutionOutcome;
  };
  scope: {
    project: string;
    stage: string;
    service: string;
    labels: Record<string, string>;
    keptnContext: string;
    triggeredId: string;
    gitcommitid: string;
    eventType: string;
  };
  inputProperties: EventData;
  triggeredAt: string;
}
