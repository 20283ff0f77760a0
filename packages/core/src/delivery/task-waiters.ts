/**
 * Parked long-poll requests of agent instances: one ticket per request, queued per integration in
 * the order the requests parked (or last looked at the tasks).
 *
 * A new task `.triggered` wakes, per integration, only the accepting ticket that waited longest:
 * one instance of an integration leases a task, so waking all of them would only cost store reads.
 * Several events in one {@link TaskWaiters.wakeFor} wake up to as many tickets of an integration as
 * it accepts distinct events. Every integration gets its own wake-up (each gets its own copy of a
 * task). `wakeAll` (aborted or timed-out sequences, subscription changes, shutdown) wakes everyone.
 *
 * A wake-up is used by the next look of the request at the tasks ({@link WaitTicket.looking}). One
 * that no look used is passed on to the next accepting ticket of the integration: when the request
 * goes away first (client disconnect), when it came during a look that then answered with other
 * tasks, or when the look showed that the instance does not accept the event after all. Time here is
 * real time (the request's `waitMs`), not the domain clock.
 *
 * Cost: tickets are indexed by the event types their last look said they accept
 * (waiter-topic-index.ts), so a new task examines only the tickets of integrations subscribed to
 * its type, and, for a single event, only the tickets of such an integration up to the first one
 * that accepts it and was not woken yet: independent of how many other agents are parked.
 */
import type { KeptnEvent } from '../events/keptn-event.js';
import { createWaiterTopicIndex } from './waiter-topic-index.js';
import type { TicketTopics } from './waiter-topic-index.js';
import type { CancelSignal } from './cancel-signal.js';

/** Which events may wake a ticket. */
export type AcceptsEvent = (event: KeptnEvent) => boolean;

/** One long-poll request. */
export interface WaitTicket {
  /**
   * The request starts to look at the tasks: wake-ups received so far are answered by this look,
   * and the ticket moves to the back of its integration's queue.
   */
  looking(): void;
  /**
   * The look ended: from now on only events `accepts` accepts wake the ticket. Wake-ups that came
   * during the look for events in `taken` (the look got them) are used; those for events `accepts`
   * rejects are passed on to the next ticket of the integration. `topics`, the event types (NATS
   * wildcards allowed) outside which `accepts` accepts nothing, lets events of other types skip
   * the ticket without asking `accepts`; without it, every event asks.
   */
  looked(accepts: AcceptsEvent, taken: readonly KeptnEvent[], topics?: readonly string[]): void;
  /**
   * True at once when woken since the last {@link looking} (or the waiters are closed); else waits
   * for a wake-up (true), `timeoutMs` or `signal` (false), whichever comes first.
   */
  wait(timeoutMs: number, signal?: CancelSignal): Promise<boolean>;
  /** True when woken since the last {@link looking}. */
  readonly woken: boolean;
  /** Forgets the ticket (the request is answered or gone); an unused wake-up is passed on. */
  cancel(): void;
}

/** The parked requests. */
export interface TaskWaiters {
  /** A ticket of an instance of `integrationId`; until {@link WaitTicket.looked}, every event may wake it. */
  ticket(integrationId: string): WaitTicket;
  /** Wakes every ticket. */
  wakeAll(): void;
  /** Wakes every ticket of one integration (its subscriptions changed: each looks again). */
  wakeIntegration(integrationId: string): void;
  /**
   * Per integration, wakes for each event the accepting ticket that waited longest, a different
   * one for each event while there are some (only `integrationId`'s tickets when given).
   */
  wakeFor(events: readonly KeptnEvent[], integrationId?: string): void;
  /**
   * {@link wakeFor} after `delayMs` (a lease on the events runs out, or a delayed task becomes
   * visible); the timer does not keep the process alive.
   */
  wakeForAfter(delayMs: number, events: readonly KeptnEvent[], integrationId?: string): void;
  /** How many requests hold a ticket. */
  readonly size: number;
  /**
   * How many times events (or a wake-all) were handed to the waiters so far, whether or not a ticket
   * took them: unchanged between two moments means nothing came that could interest any poll
   * (quiet-polls.ts relies on it).
   */
  readonly wakes: number;
  /** True after {@link close}: tickets no longer park. */
  readonly closed: boolean;
  /** Clears pending timers and answers every parked request (shutdown). */
  close(): void;
}

/** The state of one ticket. */
interface Entry {
  readonly integrationId: string;
  /** Undefined until the first look: every event. */
  accepts: AcceptsEvent | undefined;
  /** The types it is indexed under (undefined: any). */
  topics: TicketTopics;
  /** Events that woke it since the last look began. */
  pending: KeptnEvent[];
  /** Woken by {@link TaskWaiters.wakeAll} since the last look began. */
  all: boolean;
  /** Resolves a running `wait`. */
  resolve: ((woken: boolean) => void) | undefined;
}

const isWoken = (entry: Entry): boolean => entry.all || entry.pending.length > 0;
const acceptsEvent = (entry: Entry, event: KeptnEvent): boolean => entry.accepts?.(event) ?? true;

/** Creates the waiter set. */
export function createTaskWaiters(): TaskWaiters {
  /** Per integration, its tickets in the order they parked (a Set keeps insertion order). */
  const queues = new Map<string, Set<Entry>>();
  const topicIndex = createWaiterTopicIndex();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  let size = 0;
  let wakes = 0;

  function wake(entry: Entry, event?: KeptnEvent): void {
    if (event === undefined) entry.all = true;
    else if (!entry.pending.some((e) => e.id === event.id)) entry.pending.push(event);
    entry.resolve?.(true);
  }

  /**
   * Gives each event to one accepting ticket of the queue: the longest-waiting one not woken yet,
   * else (all accepting ones are woken) the longest-waiting woken one, whose coming look covers it.
   * Events with the fewest candidates go first, so that 2 events reach 2 tickets where they can.
   */
  function dispatch(queue: Set<Entry>, events: readonly KeptnEvent[], skip?: Entry): void {
    const distinct = [...new Map(events.map((event) => [event.id, event])).values()];
    if (distinct.length === 1) {
      dispatchOne(queue, distinct[0]!, skip);
      return;
    }
    const tickets = [...queue].filter((entry) => entry !== skip);
    const wanted = distinct
      .map((event) => ({ event, candidates: tickets.filter((entry) => acceptsEvent(entry, event)) }))
      .filter((w) => w.candidates.length > 0)
      .sort((a, b) => a.candidates.length - b.candidates.length);
    for (const { event, candidates } of wanted) {
      const entry = candidates.find((c) => !isWoken(c)) ?? candidates[0];
      if (entry) wake(entry, event);
    }
  }

  /** {@link dispatch} of one event: stops at the first accepting ticket not woken yet. */
  function dispatchOne(queue: Set<Entry>, event: KeptnEvent, skip?: Entry): void {
    let firstWoken: Entry | undefined;
    for (const entry of queue) {
      if (entry === skip || !acceptsEvent(entry, event)) continue;
      if (!isWoken(entry)) {
        wake(entry, event);
        return;
      }
      firstWoken ??= entry;
    }
    if (firstWoken) wake(firstWoken, event);
  }

  function wakeFor(events: readonly KeptnEvent[], integrationId?: string): void {
    if (events.length === 0) return;
    wakes++;
    if (integrationId !== undefined) {
      const queue = queues.get(integrationId);
      if (queue) dispatch(queue, events);
      return;
    }
    // Only the integrations with a ticket that may accept the type; each gets its events.
    const perIntegration = new Map<string, KeptnEvent[]>();
    for (const event of events) {
      for (const id of topicIndex.integrationsFor(event.type)) {
        const list = perIntegration.get(id);
        if (list) list.push(event);
        else perIntegration.set(id, [event]);
      }
    }
    for (const [id, list] of perIntegration) {
      const queue = queues.get(id);
      if (queue) dispatch(queue, list);
    }
  }

  function wakeAll(): void {
    wakes++;
    for (const queue of queues.values()) for (const entry of queue) wake(entry);
  }

  function wakeIntegration(integrationId: string): void {
    wakes++;
    for (const entry of queues.get(integrationId) ?? []) wake(entry);
  }

  return {
    ticket(integrationId) {
      const entry: Entry = { integrationId, accepts: undefined, topics: undefined, pending: [], all: false, resolve: undefined };
      topicIndex.add(integrationId, entry.topics);
      let queue = queues.get(integrationId);
      if (!queue) queues.set(integrationId, (queue = new Set()));
      queue.add(entry);
      size++;
      let live = true;
      const passOn = (events: readonly KeptnEvent[]) => {
        const current = queues.get(integrationId);
        if (current && events.length > 0) dispatch(current, events, entry);
      };
      return {
        looking() {
          entry.pending = [];
          entry.all = false;
          if (!live) return;
          queue.delete(entry);
          queue.add(entry);
        },
        looked(accepts, taken, topics) {
          entry.accepts = accepts;
          if (live) {
            topicIndex.remove(integrationId, entry.topics);
            entry.topics = topics && [...topics];
            topicIndex.add(integrationId, entry.topics);
          }
          const got = new Set(taken.map((e) => e.id));
          const open = entry.pending.filter((e) => !got.has(e.id));
          entry.pending = open.filter(accepts);
          passOn(open.filter((e) => !accepts(e)));
        },
        wait(timeoutMs, signal) {
          if (!live || signal?.aborted) return Promise.resolve(false);
          if (isWoken(entry) || closed) return Promise.resolve(true);
          return new Promise<boolean>((resolve) => {
            const done = (woken: boolean) => {
              clearTimeout(timer);
              signal?.removeEventListener('abort', onAbort);
              entry.resolve = undefined;
              resolve(woken);
            };
            const onAbort = () => done(false);
            const timer = setTimeout(() => done(false), Math.max(0, timeoutMs));
            signal?.addEventListener('abort', onAbort, { once: true });
            entry.resolve = done;
          });
        },
        get woken() {
          return isWoken(entry);
        },
        cancel() {
          if (!live) return;
          live = false;
          queue.delete(entry);
          topicIndex.remove(integrationId, entry.topics);
          if (queue.size === 0 && queues.get(integrationId) === queue) queues.delete(integrationId);
          size--;
          entry.resolve?.(false);
          const unused = entry.pending;
          entry.pending = [];
          passOn(unused);
        },
      };
    },
    wakeAll,
    wakeIntegration,
    wakeFor,
    wakeForAfter(delayMs, events, integrationId) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        wakeFor(events, integrationId);
      }, delayMs);
      timer.unref();
      timers.add(timer);
    },
    get size() {
      return size;
    },
    get wakes() {
      return wakes;
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
