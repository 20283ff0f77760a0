/**
 * Parked long-poll requests of agent instances. A request takes a ticket before it looks for
 * work, so a wake-up that comes while it looks is not lost; `wakeAll` (called when the
 * orchestrator emitted events, or a lease ran out) resolves every ticket and the requests look
 * again; a ticket may narrow the events that wake it (its instance's subscriptions). Time here is real time (the request's `waitMs`), not the domain clock.
 */
import type { KeptnEvent } from '../events/keptn-event.js';

/** One parked request. */
export interface WaitTicket {
  /** Resolves on a wake-up or after `timeoutMs`, whichever is first; true when woken. */
  wait(timeoutMs: number): Promise<boolean>;
  /** True once a wake-up reached the ticket. */
  readonly woken: boolean;
  /** Forgets the ticket (the request is answered or gone). */
  cancel(): void;
}

/** The parked requests. */
export interface TaskWaiters {
  /** A ticket; `accepts` narrows which events of {@link wakeFor} wake it (default: all). */
  ticket(accepts?: (event: KeptnEvent) => boolean): WaitTicket;
  wakeAll(): void;
  /** Wakes the tickets that accept at least one of the events. */
  wakeFor(events: readonly KeptnEvent[]): void;
  /**
   * After `delayMs`, wakes the tickets that accept one of `events` (a lease on them runs out, or
   * a delayed task becomes visible); the timer does not keep the process alive.
   */
  wakeForAfter(delayMs: number, events: readonly KeptnEvent[]): void;
  /** How many requests are parked. */
  readonly size: number;
  /** True after {@link close}: tickets no longer park. */
  readonly closed: boolean;
  /** Clears pending timers and answers every parked request (shutdown). */
  close(): void;
}

/** Creates the waiter set. */
export function createTaskWaiters(): TaskWaiters {
  const wakers = new Map<() => void, ((event: KeptnEvent) => boolean) | undefined>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  function wakeAll(): void {
    const now = [...wakers.keys()];
    wakers.clear();
    for (const wake of now) wake();
  }

  function wakeFor(events: readonly KeptnEvent[]): void {
    for (const [wake, accepts] of [...wakers]) {
      if (accepts === undefined || events.some(accepts)) {
        wakers.delete(wake);
        wake();
      }
    }
  }

  return {
    ticket(accepts) {
      let woken = false;
      let resolveWake: (() => void) | undefined;
      const wake = () => {
        woken = true;
        resolveWake?.();
      };
      wakers.set(wake, accepts);
      return {
        wait(timeoutMs) {
          if (woken || closed) return Promise.resolve(true);
          return new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => {
              wakers.delete(wake);
              resolve(false);
            }, Math.max(0, timeoutMs));
            resolveWake = () => {
              clearTimeout(timer);
              resolve(true);
            };
          });
        },
        get woken() {
          return woken;
        },
        cancel() {
          wakers.delete(wake);
        },
      };
    },
    wakeAll,
    wakeFor,
    wakeForAfter(delayMs, events) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        wakeFor(events);
      }, delayMs);
      timer.unref();
      timers.add(timer);
    },
    get size() {
      return wakers.size;
    },
    get closed() {
      return closed;
    },
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      wakeAll();
    },
  };
}
