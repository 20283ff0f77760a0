/**
 * Requests waiting for the `.finished` that answers a given `.triggered` (a sub-task's answer, see
 * routes/answer-routes.ts): the intake calls {@link AnswerWaiters.stored} with every stored event,
 * and a waiter whose triggered id it answers is woken at once. In memory, per process.
 */
import type { CancelSignal, KeptnEvent } from '@shipmate/core';

/** The waiters. */
export interface AnswerWaiters {
  /**
   * Resolves with the `.finished` answering `triggeredId` once one is stored, or undefined after
   * `timeoutMs` or when `signal` aborts. Register before looking in the store, so no answer stored
   * in between is missed.
   */
  wait(triggeredId: string, timeoutMs: number, signal?: CancelSignal): Promise<KeptnEvent | undefined>;
  /** Wakes the waiters an event answers. */
  stored(event: KeptnEvent): void;
  /** How many requests wait now. */
  readonly size: number;
}

/** Creates the waiters. */
export function createAnswerWaiters(): AnswerWaiters {
  const waiting = new Map<string, Set<(event: KeptnEvent | undefined) => void>>();
  let size = 0;
  return {
    wait(triggeredId, timeoutMs, signal) {
      return new Promise((resolve) => {
        let done = false;
        const finish = (event: KeptnEvent | undefined) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          const set = waiting.get(triggeredId);
          set?.delete(finish);
          if (set?.size === 0) waiting.delete(triggeredId);
          size -= 1;
          resolve(event);
        };
        const onAbort = () => finish(undefined);
        const timer = setTimeout(() => finish(undefined), timeoutMs);
        size += 1;
        const set = waiting.get(triggeredId) ?? new Set();
        set.add(finish);
        waiting.set(triggeredId, set);
        if (signal?.aborted) finish(undefined);
        else signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    stored(event) {
      if (!event.triggeredid || !event.type.endsWith('.finished')) return;
      const set = waiting.get(event.triggeredid);
      if (!set) return;
      for (const finish of [...set]) finish(event);
    },
    get size() {
      return size;
    },
  };
}
