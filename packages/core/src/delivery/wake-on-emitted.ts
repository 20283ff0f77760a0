/**
 * Which emitted events wake parked agent long polls (wired to the event processor's `onEmitted`):
 * a new `.triggered` (a task, or a sequence event a wildcard subscription may match) and a
 * `.finished` (a sequence that was aborted or timed out closes the tasks its agents hold). A task
 * delayed by `triggeredAfter` is emitted with a future `time`: the waiters are woken again then.
 */
import type { KeptnEvent } from '../events/keptn-event.js';
import type { Clock } from '../ports/clock.js';
import type { TaskWaiters } from './task-waiters.js';

/** Wakes the waiters for the emitted events, now and when delayed tasks become visible. */
export function wakeOnEmitted(waiters: TaskWaiters, clock: Clock, events: readonly KeptnEvent[]): void {
  if (events.some((e) => e.type.endsWith('.triggered') || e.type.endsWith('.finished'))) waiters.wakeAll();
  const nowMs = clock.nowMs();
  for (const event of events) {
    const dueMs = Date.parse(event.time) - nowMs;
    if (event.type.endsWith('.triggered') && dueMs > 0) waiters.wakeAllAfter(dueMs + 1);
  }
}
