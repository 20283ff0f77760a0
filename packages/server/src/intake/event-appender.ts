import type { ControlPlaneStore, KeptnEvent } from '@shipmate/core';

/**
 * Group commit for incoming events: appends requested in the same turn of the event loop go to
 * the store in one transaction, and every caller's promise resolves only once that transaction
 * has committed (so a 200 still means "stored").
 */
export interface EventAppender {
  /** Stores the event; resolves when it is durable. */
  append(event: KeptnEvent, pending: boolean): Promise<void>;
}

interface Waiting {
  event: KeptnEvent;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Creates an appender; `afterCommit` runs once per committed batch that had pending events. */
export function createEventAppender(store: ControlPlaneStore, afterCommit: () => void): EventAppender {
  let pending: Waiting[] = [];
  let settled: Waiting[] = [];
  let scheduled = false;

  async function flush(): Promise<void> {
    scheduled = false;
    const forOrchestrator = pending;
    const storeOnly = settled;
    pending = [];
    settled = [];
    await commitBatch(forOrchestrator, true);
    await commitBatch(storeOnly, false);
    if (forOrchestrator.length > 0) afterCommit();
  }

  async function commitBatch(batch: Waiting[], isPending: boolean): Promise<void> {
    if (batch.length === 0) return;
    try {
      await store.appendEvents(
        batch.map((w) => w.event),
        { pending: isPending },
      );
      for (const w of batch) w.resolve();
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }

  return {
    append(event, isPending) {
      return new Promise<void>((resolve, reject) => {
        (isPending ? pending : settled).push({ event, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(() => void flush());
        }
      });
    },
  };
}
