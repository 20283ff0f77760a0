import type { KeptnEvent } from '@shipmate/core';

/**
 * Group commit for incoming events: events arriving in the same turn of the event loop are
 * written together, and every caller's promise resolves only once their transaction has
 * committed (so a 200 still means "stored"). Events the orchestrator acts on go through
 * `ingest` (stored and handled in one transaction); the others through `storeOnly`.
 */
export interface EventAppender {
  /** Stores the event; resolves when it is durable. */
  append(event: KeptnEvent, forOrchestrator: boolean): Promise<void>;
}

/** Where a batch goes. */
export interface EventSinks {
  /** Stores and handles events in one transaction. */
  ingest(events: KeptnEvent[]): Promise<void>;
  /** Stores events the orchestrator ignores. */
  storeOnly(events: KeptnEvent[]): Promise<void>;
}

interface Waiting {
  event: KeptnEvent;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Creates an appender writing batches to `sinks`. */
export function createEventAppender(sinks: EventSinks): EventAppender {
  let forOrchestrator: Waiting[] = [];
  let storeOnly: Waiting[] = [];
  let scheduled = false;

  async function flush(): Promise<void> {
    scheduled = false;
    const handled = forOrchestrator;
    const stored = storeOnly;
    forOrchestrator = [];
    storeOnly = [];
    await Promise.all([settle(handled, (events) => sinks.ingest(events)), settle(stored, (events) => sinks.storeOnly(events))]);
  }

  async function settle(batch: Waiting[], write: (events: KeptnEvent[]) => Promise<void>): Promise<void> {
    if (batch.length === 0) return;
    try {
      await write(batch.map((w) => w.event));
      for (const w of batch) w.resolve();
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }

  return {
    append(event, isForOrchestrator) {
      return new Promise<void>((resolve, reject) => {
        (isForOrchestrator ? forOrchestrator : storeOnly).push({ event, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(() => void flush());
        }
      });
    },
  };
}
