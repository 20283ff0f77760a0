/**
 * Polls that may skip their first look. An idle agent sends its next long poll as soon as one is
 * answered. When that poll ended by its wait running out, nothing woke it, and its last look found
 * nothing for the instance (no task to take, none it holds, none it may be offered later), then a
 * look by the next poll finds nothing either, unless an event came in between. Events reach the
 * polls only through the waiters, which count every hand-over (`TaskWaiters.wakes`); the
 * `.triggered` of a task delayed by `triggeredAfter` is emitted only when it is due. So the next
 * poll reuses the last look and parks at once, when it comes within `graceMs` of the end and the
 * count did not move. A fleet of idle agents re-polling then reads no store (issue 13, figure (e)).
 *
 * Bounds: a record is kept `graceMs` (a poll that comes later looks), and a look is reused for at
 * most `maxReuseMs` since it was made, so that a notice another replica sent and this one missed
 * (a task emitted there) costs at most that long, not forever. One replica's memory: a poll on
 * another replica looks.
 */
import type { AcceptsEvent } from './task-waiters.js';
import { instanceKey as keyOf } from './task-delivery.js';
import type { InstanceRef } from './task-delivery.js';

/** What a look found out that the next poll may reuse. */
export interface ReusableLook {
  /** The look's filter of wake-ups. */
  accepts: AcceptsEvent;
  /** The event types outside which `accepts` accepts nothing. */
  topics: readonly string[];
  /** When the look was made (real ms). */
  lookedAt: number;
}

/** Options of {@link createQuietPolls}. */
export interface QuietPollsOptions {
  /** How long after a poll ended the next one may reuse its look. @default 1000 */
  graceMs?: number;
  /** How long a look may be reused from its own time. @default 300000 (5 min) */
  maxReuseMs?: number;
  /** Real-time clock in ms. @default performance.now */
  now?: () => number;
}

/** The instances whose last poll ended quiet. */
export interface QuietPolls {
  /**
   * The poll of `instance` ended because its wait ran out, unwoken, with `look` (its last) having
   * found nothing for the instance; `wakes` is the waiters' count at the end.
   */
  ended(instance: InstanceRef, look: ReusableLook, wakes: number): void;
  /**
   * The look a new poll of `instance` may use instead of its own (and forgets it): undefined unless
   * the last poll ended quiet less than `graceMs` ago, the waiters' count is still `wakes`, and the
   * look is less than `maxReuseMs` old.
   */
  reuse(instance: InstanceRef, wakes: number): ReusableLook | undefined;
  /** How many records are kept. */
  readonly size: number;
}

interface Quiet {
  readonly look: ReusableLook;
  readonly wakes: number;
  readonly endedAt: number;
}

/** Creates the set. */
export function createQuietPolls(options: QuietPollsOptions = {}): QuietPolls {
  const graceMs = options.graceMs ?? 1000;
  const maxReuseMs = options.maxReuseMs ?? 300_000;
  const now = options.now ?? (() => performance.now());
  const records = new Map<string, Quiet>();
  let prunedAt = 0;

  /** Drops records older than `graceMs`, at most once per `graceMs`. */
  function prune(at: number): void {
    if (at - prunedAt < graceMs) return;
    prunedAt = at;
    for (const [key, quiet] of records) if (at - quiet.endedAt >= graceMs) records.delete(key);
  }

  return {
    ended(instance, look, wakes) {
      const at = now();
      prune(at);
      if (at - look.lookedAt >= maxReuseMs) return;
      records.set(keyOf(instance), { look, wakes, endedAt: at });
    },
    reuse(instance, wakes) {
      const key = keyOf(instance);
      const quiet = records.get(key);
      if (!quiet) return undefined;
      records.delete(key);
      const at = now();
      if (quiet.wakes !== wakes || at - quiet.endedAt >= graceMs || at - quiet.look.lookedAt >= maxReuseMs) return undefined;
      return quiet.look;
    },
    get size() {
      return records.size;
    },
  };
}
