/**
 * The heartbeats of parked long polls, renewed together: while any poll is parked, one interval
 * timer ticks every `tickMs`, and each tick renews, in one store write, every parked instance whose
 * last heartbeat would be older than `renewEveryMs` by the next tick. So each parked instance is
 * renewed at most every `renewEveryMs` and at least every `renewEveryMs - tickMs`, and a fleet of
 * idle agents costs one transaction per tick instead of one per instance.
 *
 * An instance that is no longer registered when its heartbeat is renewed (deleted, expired, or
 * merged into another registration) ends its parked polls with the error the renewal gave, so the
 * agent learns it at once and registers again. A failed write is reported and retried on the next
 * tick. Time here is real time, like the polls' waits.
 */
import type { InstanceRef } from './task-delivery.js';

/** Options of {@link createParkedHeartbeats}. */
export interface ParkedHeartbeatsOptions {
  /**
   * Renews the heartbeats of the instances in one write; per instance, in order, undefined or the
   * error its parked polls end with (it is no longer registered).
   */
  renew(instances: readonly InstanceRef[]): Promise<ReadonlyArray<Error | undefined>>;
  /** How often due heartbeats are renewed (the heartbeat interval). */
  tickMs: number;
  /** The longest time between two heartbeats of a parked instance; at least `tickMs`. */
  renewEveryMs: number;
  /** A renewal write failed; the instances stay due and are retried on the next tick. */
  onError: (error: unknown) => void;
  /** Real-time clock in ms. @default performance.now */
  now?: () => number;
}

/** The parked instances and their shared timer. */
export interface ParkedHeartbeats {
  /**
   * Keeps the heartbeat of the poll's instance renewed until the returned function is called; the
   * instance's heartbeat was just written (the poll's first look). `onGone` ends the poll when the
   * instance is no longer registered.
   */
  park(instance: InstanceRef, onGone: (error: Error) => void): () => void;
  /** How many polls are parked. */
  readonly size: number;
  /** Stops the timer for good (shutdown); parked polls are no longer renewed. */
  close(): void;
}

/** One parked poll. */
interface Poll {
  readonly onGone: (error: Error) => void;
}

/** One parked instance: its last heartbeat and its parked polls. */
interface Entry {
  readonly instance: InstanceRef;
  lastMs: number;
  readonly polls: Set<Poll>;
}

/** Creates the set; no timer runs while nothing is parked. */
export function createParkedHeartbeats(options: ParkedHeartbeatsOptions): ParkedHeartbeats {
  const { tickMs, renewEveryMs } = options;
  const now = options.now ?? (() => performance.now());
  const entries = new Map<string, Entry>();
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  let renewing = false;
  let closed = false;

  async function tick(): Promise<void> {
    if (renewing) return;
    const tickAt = now();
    const due = [...entries.values()].filter((entry) => tickAt - entry.lastMs + tickMs > renewEveryMs);
    if (due.length === 0) return;
    renewing = true;
    try {
      const results = await options.renew(due.map((entry) => entry.instance));
      due.forEach((entry, i) => {
        const gone = results[i];
        if (gone === undefined) {
          entry.lastMs = tickAt;
          return;
        }
        const key = keyOf(entry.instance);
        // Unless its polls all ended meanwhile (and a new one parked with its own first heartbeat).
        if (entries.get(key) !== entry) return;
        entries.delete(key);
        for (const poll of entry.polls) poll.onGone(gone);
      });
    } catch (error) {
      options.onError(error);
    } finally {
      renewing = false;
    }
  }

  function stopWhenEmpty(): void {
    if (size > 0 || !timer) return;
    clearInterval(timer);
    timer = undefined;
  }

  return {
    park(instance, onGone) {
      const key = keyOf(instance);
      let entry = entries.get(key);
      if (!entry) entries.set(key, (entry = { instance, lastMs: now(), polls: new Set() }));
      else entry.lastMs = now();
      const parked = entry;
      const poll: Poll = { onGone };
      parked.polls.add(poll);
      size++;
      if (!timer && !closed) {
        timer = setInterval(() => void tick(), tickMs);
        timer.unref();
      }
      let parkedNow = true;
      return () => {
        if (!parkedNow) return;
        parkedNow = false;
        parked.polls.delete(poll);
        if (parked.polls.size === 0 && entries.get(key) === parked) entries.delete(key);
        size--;
        stopWhenEmpty();
      };
    },
    get size() {
      return size;
    },
    close() {
      closed = true;
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}

function keyOf(instance: InstanceRef): string {
  return `${instance.integrationId}\u0000${instance.instanceId}`;
}
