import { parseEventType } from '@shipmate/core';
import type { Clock, ControlPlaneStore, EventProcessor, IdGenerator, KeptnEvent } from '@shipmate/core';
import { createEventAppender } from './event-appender.js';
import { normalizeIncomingEvent } from './normalize-event.js';

/** Accepts events from clients and from the control plane's own API handlers. */
export interface EventIntake {
  /** Validates, stores (durably) and hands the event to the orchestrator; returns the stored event. */
  acceptFromClient(body: unknown): Promise<KeptnEvent>;
  /** Stores an event the control plane built itself (lifecycle events, evaluation triggers). */
  acceptInternal(event: KeptnEvent): Promise<void>;
}

/** Events the orchestrator acts on; everything else is only stored. */
export function needsOrchestration(type: string): boolean {
  const parsed = parseEventType(type);
  if (parsed.category === 'sequence') return parsed.kind === 'triggered';
  if (parsed.category === 'task') return parsed.kind === 'started' || parsed.kind === 'finished';
  return false;
}

/** Creates the intake; events the orchestrator acts on are handed to `processor.ingest`. */
export function createEventIntake(options: {
  store: ControlPlaneStore;
  processor: EventProcessor;
  ids: IdGenerator;
  clock: Clock;
  validateEvents: boolean;
}): EventIntake {
  const appender = createEventAppender({
    ingest: (events) => options.processor.ingest(events),
    storeOnly: (events) => options.store.appendEvents(events, { pending: false }),
  });
  return {
    async acceptFromClient(body) {
      const event = normalizeIncomingEvent(body, options.ids, options.clock.nowMs(), options.validateEvents);
      await appender.append(event, needsOrchestration(event.type));
      return event;
    },
    async acceptInternal(event) {
      await appender.append(event, needsOrchestration(event.type));
    },
  };
}
