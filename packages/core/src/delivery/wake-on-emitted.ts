/**
 * Which emitted events wake parked agent long polls (wired to the event processor's `onEmitted`):
 * a new `.triggered` (a task, or a sequence event a wildcard subscription may match) wakes the
 * requests whose subscriptions and filters accept it; a `.finished` that did not succeed (a
 * sequence that was aborted or timed out closes the tasks its agents hold) wakes all. A task
 * delayed by `triggeredAfter` is emitted only when it is due, so waking on emission suffices.
 */
import type { KeptnEvent } from '../events/keptn-event.js';
import type { TaskWaiters } from './task-waiters.js';

/** Wakes the waiters for the emitted events. */
export function wakeOnEmitted(waiters: TaskWaiters, events: readonly KeptnEvent[]): void {
  // A sequence that ended other than `succeeded` (aborted, timed out, errored) may close tasks
  // agents hold: everyone looks. A new `.triggered` wakes the instances whose subscriptions accept it.
  if (events.some((e) => e.type.endsWith('.finished') && e.data.status !== 'succeeded')) waiters.wakeAll();
  else {
    const triggered = events.filter((e) => e.type.endsWith('.triggered'));
    if (triggered.length > 0) waiters.wakeFor(triggered);
  }
}
