/**
 * Which emitted events wake parked agent long polls (wired to the event processor's `onEmitted`):
 * a new `.triggered` (a task, or a sequence event a wildcard subscription may match) wakes the
 * requests whose subscriptions and filters accept it; a `.finished` that did not succeed (a
 * sequence that was aborted or timed out closes the tasks its agents hold) wakes all. A task
 * delayed by `triggeredAfter` is emitted with a future `time`: the waiters are woken again then.
 */
import type { KeptnEvent } from '../events/keptn-event.js';
import type { Clock } from '../ports/clock.js';
import type { TaskWaiters } from './task-waiters.js';

/** Wakes the waiters for the emitted events, now and when delayed tasks become visible. */
export function wakeOnEmitted(waiters: TaskWaiters, clock: Clock, events: readonly KeptnEvent[]): void {
  // A sequence that ended other than `succeeded` (aborted, timed out, errored) may close tasks
  // agents hold: everyone looks. A new `.triggered` wakes the instances whose subscriptions accept it.
  if (events.some((e) => e.type.endsWith('.finished') && e.data.status !== 'succeeded')) waiters.wakeAll();
  else {
    const triggered = events.filter((e) => e.type.endsWith('.triggered'));
    if (triggered.length > 0) waiters.wakeFor(triggered);
  }
  const nowMs = clock.nowMs();
  for (const event of events) {
    const dueMs = Date.parse(event.time) - nowMs;
    // A task 1 ms ahead was stamped after its cause and is visible now (the orchestrator's
    // `visibleAt`); no triggeredAfter that short is worth a second wake.
    if (event.type.endsWith('.triggered') && dueMs > 1) waiters.wakeForAfter(dueMs + 1, [event]);
  }
}
