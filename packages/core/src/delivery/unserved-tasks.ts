/**
 * Notes in the sequence state view when a task has no live subscriber (ARCHITECTURE.md §2),
 * instead of only when it times out: the stage's `message` says which event type, stage, project
 * and service nobody serves. The orchestration step that triggers the task writes the note with the
 * rest of the view (orchestrator option `taskHasLiveSubscriber`), so it can never overwrite a newer
 * state; the next task event on the stage (`.started`, `.finished`) replaces it
 * (sequence-view.ts), and so does a lease of the task to an agent instance that registered
 * later ({@link UnservedTaskNotes.served}).
 */
import { parseEventType } from '../events/event-type.js';
import type { KeptnEvent } from '../events/keptn-event.js';
import type { ControlPlaneStore } from '../ports/store.js';
import { formatDurationMs } from '../time/go-duration.js';

/** Options of {@link createUnservedTaskNotes}. */
export interface UnservedTaskNotesOptions {
  store: Pick<ControlPlaneStore, 'updateStageMessage'>;
}

/** The use case. */
export interface UnservedTaskNotes {
  /** Removes the note of tasks an agent instance was just given (only while the task is still the stage's latest event). */
  served(tasks: readonly KeptnEvent[]): Promise<void>;
}

/** True for a task `.triggered` (`sh.keptn.event.<task>.triggered`), not a sequence's `<stage>.<sequence>.triggered`. */
export function isTaskTriggered(event: KeptnEvent): boolean {
  const parsed = parseEventType(event.type);
  return parsed.category === 'task' && parsed.kind === 'triggered' && event.data.stage !== undefined;
}

/** The stage message of a task without a live subscriber. */
export function noLiveSubscriberMessage(task: KeptnEvent, taskStartedWaitMs: number): string {
  const { project, stage, service } = task.data;
  return (
    `no live integration subscribes to ${task.type} in stage ${stage} (project ${project}, service ${service}); ` +
    `the task waits for one until it times out (TASK_STARTED_WAIT_DURATION ${formatDurationMs(taskStartedWaitMs)})`
  );
}

/** Wires the use case. */
export function createUnservedTaskNotes(options: UnservedTaskNotesOptions): UnservedTaskNotes {
  const { store } = options;
  return {
    async served(tasks) {
      for (const task of tasks.filter(isTaskTriggered)) {
        const { project = '', stage = '' } = task.data;
        await store.updateStageMessage({ project, keptnContext: task.shkeptncontext, stage, latestEventId: task.id, message: undefined });
      }
    },
  };
}
