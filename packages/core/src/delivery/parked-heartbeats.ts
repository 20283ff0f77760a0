/**
 * The heartbeats of parked long polls, renewed together: while any poll is parked, one interval
 * timer ticks every `tickMs`, and each tick renews, in one store write, every parked instance whose
 * last heartbeat would be older than `renewEveryMs` by the next tick. So each parked instance is
 * renewed at least every `renewEveryMs` (give or take how late the timer fires, see
 * {@link LATE_TICK_SHARE}), and a fleet of idle agents costs one transaction per tick instead of one
 * per instance.
 *
 * An instance that is no longer registered when its heartbeat is renewed (deleted, expired, or
 * merged into another registration) ends its parked polls with the error the renewal gave, so the
 * agent learns it at once and registers again. A failed write is reported and retried on the next
 * tick. Time here is real time, like the polls' waits.
 *
 * The set also remembers when each instance's heartbeat was last written (by a poll's first look
 * or a renewal here) for `renewEveryMs` after its polls ended. An idle agent sends its next poll
 * as soon as one is answered, so the next poll usually finds a heartbeat at most `renewEveryMs`
 * old: then ({@link ParkedHeartbeats.heartbeatKnown}) the poll skips the write of its first look
 * and parks from that time, and the regular ticks renew it. Only when the next tick would find such
 * a heartbeat older than `renewEveryMs` (its poll was answered just before the tick that would have
 * renewed it) does the park ask for a renewal within `soonMs`, which writes every instance due by
 * then in one transaction. So an idle fleet re-polling (every agent's poll ends after the same wait)
 * costs no write per poll (issue 13 point 6).
 */
import { instanceKey as keyOf } from './task-delivery.js';
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
  /**
   * Delay of the renewal a park asks for when its heartbeat, written before, would be older than
   * `renewEveryMs` at the next tick; the parks within it share one write. @default 100
   */
  soonMs?: number;
  /** A renewal write failed; the instances stay due and are retried on the next tick. */
  onError: (error: unknown) => void;
  /** Real-time clock in ms. @default performance.now */
  now?: () => number;
}

/** The parked instances and their shared timer. */
export interface ParkedHeartbeats {
  /**
   * Keeps the heartbeat of the poll's instance renewed until the returned function is called.
   * `heartbeatWritten` (default true): the poll's first look just wrote the instance's heartbeat;
   * false when it skipped the write because {@link heartbeatKnown} said so, and the renewals then
   * go from the heartbeat written before (within `soonMs` when the next tick would be too late).
   * `onGone` ends the poll when the instance is no longer registered.
   */
  park(instance: InstanceRef, onGone: (error: Error) => void, heartbeatWritten?: boolean): () => void;
  /**
   * True when the instance's heartbeat was written less than `renewEveryMs` ago by a poll's first
   * look or a renewal of this set: a poll that parks now may skip its own.
   */
  heartbeatKnown(instance: InstanceRef): boolean;
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

/**
 * How late, as a share of `tickMs`, a tick may come before an instance it skipped counts as due.
 * An interval timer fires a few ms after its time, so a heartbeat renewed at one tick is a little
 * more than `tickMs` old at the next: without this allowance "older than `renewEveryMs` by the
 * next tick" held at every tick, and with the default 5 s tick and 10 s renewal every parked
 * instance was written every 5 s, not every 10 (5,000 writes a tick in bench (e), not 2,500). The
 * offline threshold (`ONLINE_HEARTBEATS` intervals, 15 s) leaves far more room than this.
 */
const LATE_TICK_SHARE = 0.1;

/** Creates the set; no timer runs while nothing is parked. */
export function createParkedHeartbeats(options: ParkedHeartbeatsOptions): ParkedHeartbeats {
  const { tickMs, renewEveryMs } = options;
  const soonMs = Math.min(options.soonMs ?? 100, tickMs);
  const lateTickMs = tickMs * LATE_TICK_SHARE;
  const now = options.now ?? (() => performance.now());
  const entries = new Map<string, Entry>();
  /** When each instance's heartbeat was last written, kept `renewEveryMs` after its polls ended. */
  const written = new Map<string, number>();
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  /** When {@link timer} last ticked (or started): the next tick comes `tickMs` later or a little after. */
  let lastTickAt = 0;
  /** The renewal a park asked for, before the next tick. */
  let soon: NodeJS.Timeout | undefined;
  let renewing = false;
  /** A renewal was asked for while one ran: run again when it ends. */
  let again = false;
  let closed = false;

  /** A poll parked from a heartbeat the next tick would find older than `renewEveryMs`: renew within `soonMs`. */
  function renewSoon(): void {
    if (soon || closed) return;
    soon = setTimeout(() => {
      soon = undefined;
      void tick();
    }, soonMs);
    soon.unref();
  }

  async function tick(): Promise<void> {
    if (renewing) {
      again = true;
      return;
    }
    const tickAt = now();
    for (const [key, atMs] of written) if (tickAt - atMs >= renewEveryMs) written.delete(key);
    const due = [...entries.values()].filter((entry) => tickAt - entry.lastMs + tickMs > renewEveryMs + lateTickMs);
    if (due.length === 0) return;
    renewing = true;
    try {
      const results = await options.renew(due.map((entry) => entry.instance));
      due.forEach((entry, i) => {
        const gone = results[i];
        const key = keyOf(entry.instance);
        if (gone === undefined) {
          entry.lastMs = tickAt;
          written.set(key, tickAt);
          return;
        }
        written.delete(key);
        // Unless its polls all ended meanwhile (and a new one parked with its own first heartbeat).
        if (entries.get(key) !== entry) return;
        entries.delete(key);
        for (const poll of entry.polls) poll.onGone(gone);
      });
    } catch (error) {
      options.onError(error);
    } finally {
      renewing = false;
      if (again) {
        again = false;
        renewSoon();
      }
    }
  }

  function stopWhenEmpty(): void {
    if (size > 0 || !timer) return;
    clearInterval(timer);
    timer = undefined;
    if (soon) clearTimeout(soon);
    soon = undefined;
    // The record stays (a lone agent's next poll comes right after this one); the next tick prunes it.
  }

  return {
    park(instance, onGone, heartbeatWritten = true) {
      const key = keyOf(instance);
      const parkedAt = now();
      if (heartbeatWritten) written.set(key, parkedAt);
      // Unknown (pruned meanwhile): due at the next tick.
      const lastMs = heartbeatWritten ? parkedAt : (written.get(key) ?? Number.NEGATIVE_INFINITY);
      let entry = entries.get(key);
      if (!entry) entries.set(key, (entry = { instance, lastMs, polls: new Set() }));
      else entry.lastMs = Math.max(entry.lastMs, lastMs);
      const parked = entry;
      const poll: Poll = { onGone };
      parked.polls.add(poll);
      size++;
      if (!timer && !closed) {
        timer = setInterval(() => {
          lastTickAt = now();
          void tick();
        }, tickMs);
        timer.unref();
        lastTickAt = parkedAt;
      }
      const nextTickAt = Math.max(lastTickAt + tickMs, parkedAt);
      if (timer && nextTickAt - parked.lastMs > renewEveryMs) renewSoon();
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
    heartbeatKnown(instance) {
      const atMs = written.get(keyOf(instance));
      return atMs !== undefined && now() - atMs < renewEveryMs;
    },
    get size() {
      return size;
    },
    close() {
      closed = true;
      written.clear();
      if (timer) clearInterval(timer);
      timer = undefined;
      if (soon) clearTimeout(soon);
      soon = undefined;
    },
  };
}
