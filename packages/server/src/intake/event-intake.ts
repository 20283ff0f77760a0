import { parseEventType } from '@shipmate/core';
import { requireOpenApproval } from '../approvals/open-approvals.js';
import type { Clock, ControlPlaneStore, EventProcessor, IdGenerator, KeptnEvent, ParsedEventType } from '@shipmate/core';
import { createEventAppender } from './event-appender.js';
import { requireOpenParentTask } from './subtask-parent.js';
import { normalizeIncomingEvent } from './normalize-event.js';

/** Accepts events from clients and from the control plane's own API handlers. */
export interface EventIntake {
  /** Validates, stores (durably) and hands the event to the orchestrator; returns the stored event. */
  acceptFromClient(body: unknown): Promise<KeptnEvent>;
  /** Stores an event the control plane built itself (lifecycle events, evaluation triggers). */
  acceptInternal(event: KeptnEvent): Promise<void>;
}

const APPROVAL_FINISHED = 'sh.keptn.event.approval.finished';
const MONITORING_CONFIGURE = 'sh.keptn.event.monitoring.configure';

/**
 * Events the orchestrator acts on; everything else is only stored. A task `.triggered` from a
 * client may be a sub-task of a running task (the lighthouse's `get-sli`), opened for delivery.
 */
function needsOrchestration(parsed: ParsedEventType): boolean {
  if (parsed.category === 'sequence') return parsed.kind === 'triggered';
  if (parsed.category === 'task') return parsed.kind === 'triggered' || parsed.kind === 'started' || parsed.kind === 'finished';
  return false;
}

/** A sequence trigger about to be stored: its project, stage and the commit it asks for, if any. */
export interface SequenceStart {
  readonly project: string;
  readonly stage: string;
  readonly commit?: string;
}

/** Creates the intake; events the orchestrator acts on are handed to `processor.ingest`. */
export function createEventIntake(options: {
  store: ControlPlaneStore;
  processor: EventProcessor;
  ids: IdGenerator;
  clock: Clock;
  validateEvents: boolean;
  /**
   * Runs before a sequence trigger is stored, outside the orchestrator's step (see
   * create-server.ts: the upstream pull and the shipyard preload). Must not throw.
   */
  beforeSequenceStart?: (start: SequenceStart) => Promise<void>;
  /**
   * Stores the SLI provider a `sh.keptn.event.monitoring.configure` names for its project, before the
   * event is stored (an unknown project fails the request). Absent: the event is only stored.
   */
  configureMonitoring?: (project: string, provider: string) => Promise<void>;
  /** Called with every event once it is stored (the delivery log). */
  onStored?: (event: KeptnEvent) => void;
}): EventIntake {
  async function append(event: KeptnEvent): Promise<void> {
    const project = event.data?.project;
    const parsed = parseEventType(event.type);
    if (options.beforeSequenceStart && typeof project === 'string' && parsed.category === 'sequence' && parsed.kind === 'triggered') {
      await options.beforeSequenceStart({ project, stage: parsed.stage, ...(event.gitcommitid ? { commit: event.gitcommitid } : {}) });
    }
    await appender.append(event, needsOrchestration(parsed));
    options.onStored?.(event);
  }
  const appender = createEventAppender({
    ingest: (events) => options.processor.ingest(events),
    storeOnly: (events) => options.store.appendEvents(events, { pending: false }),
  });
  return {
    async acceptFromClient(body) {
      const event = normalizeIncomingEvent(body, options.ids, options.clock.nowMs(), options.validateEvents);
      // An approval decision must name an open approval task: one that is unknown, or decided,
      // aborted or timed out already, is refused instead of being stored as if it had counted.
      if (event.type === APPROVAL_FINISHED) {
        const project = typeof event.data.project === 'string' ? event.data.project : undefined;
        await requireOpenApproval(options.store, options.clock, project, event.triggeredid);
      }
      const parsed = parseEventType(event.type);
      if (parsed.category === 'task' && parsed.kind === 'triggered') await requireOpenParentTask(options.store, event);
      if (event.type === MONITORING_CONFIGURE && options.configureMonitoring) {
        await options.configureMonitoring(String(event.data.project), String(event.data.type));
      }
      await append(event);
      return event;
    },
    acceptInternal: append,
  };
}
