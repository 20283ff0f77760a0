/**
 * Notes at once in the sequence state view when a task has no live subscriber (ARCHITECTURE.md
 * §2), instead of only when it times out: the stage's `message` says which event type, stage,
 * project and service nobody serves. The note is written only while the task's `.triggered` is
 * still the stage's latest event, so it never overwrites a newer state; the next task event on the
 * stage (`.started`, `.finished`) replaces it (sequence-state-updates.ts), and so does a lease of
 * the task to an agent instance that registered later ({@link UnservedTaskNotes.served}).
 */
import { parseEventType } from '../events/event-type.js';
import type { KeptnEvent } from '../events/keptn-event.js';
import type { Clock } from '../ports/clock.js';
import type { IntegrationRegistryStore } from '../ports/registry-store.js';
import type { ControlPlaneStore } from '../ports/store.js';
import { formatDurationMs } from '../time/go-duration.js';
import { hasLiveSubscriber } from './live-subscribers.js';
import { subscriptionsAccept } from './subscription-match.js';

/** Options of {@link createUnservedTaskNotes}. */
export interface UnservedTaskNotesOptions {
  store: Pick<ControlPlaneStore, 'updateStageMessage'>;
  registry: Pick<IntegrationRegistryStore, 'listIntegrations' | 'listInstances'>;
  clock: Clock;
  /** An instance is offline after 3 missed heartbeats. */
  heartbeatIntervalMs: number;
  /** TASK_STARTED_WAIT_DURATION, named in the message. */
  taskStartedWaitMs: number;
}

/** The use case. */
export interface UnservedTaskNotes {
  /** Notes, on the stage of each task `.triggered` among `events` without a live subscriber, why it waits; returns how many it noted. */
  check(events: readonly KeptnEvent[]): Promise<number>;
  /** Removes the note of tasks an agent instance was just given. */
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

function stageOf(task: KeptnEvent) {
  return { project: task.data.project ?? '', keptnContext: task.shkeptncontext, stage: task.data.stage ?? '', latestEventId: task.id };
}

/** Wires the use case. */
export function createUnservedTaskNotes(options: UnservedTaskNotesOptions): UnservedTaskNotes {
  const { store, registry, clock } = options;
  return {
    async check(events) {
      const tasks = events.filter(isTaskTriggered);
      if (tasks.length === 0) return 0;
      // Instances are read only for the integrations that subscribe to one of the tasks.
      const integrations = (await registry.listIntegrations({})).filter((i) => tasks.some((t) => subscriptionsAccept(i.subscriptions, t)));
      const instances = integrations.length > 0 ? await registry.listInstances(integrations.map((i) => i.id)) : [];
      const snapshot = { integrations, instances, nowMs: clock.nowMs(), heartbeatIntervalMs: options.heartbeatIntervalMs };
      let noted = 0;
      for (const task of tasks) {
        if (hasLiveSubscriber(task, snapshot)) continue;
        if (await store.updateStageMessage({ ...stageOf(task), message: noLiveSubscriberMessage(task, options.taskStartedWaitMs) }))
          noted++;
      }
      return noted;
    },
    async served(tasks) {
      for (const task of tasks.filter(isTaskTriggered)) await store.updateStageMessage({ ...stageOf(task), message: undefined });
    },
  };
}
