import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KeptnEvent } from '../events/keptn-event.js';
import { createTaskWaiters } from './task-waiters.js';
import type { AcceptsEvent, TaskWaiters, WaitTicket } from './task-waiters.js';

const task = (id: string, stage = 'dev') => ({ id, type: 'sh.keptn.event.deployment.triggered', data: { stage } }) as unknown as KeptnEvent;
const everything: AcceptsEvent = () => true;
const stageOnly =
  (stage: string): AcceptsEvent =>
  (event) =>
    event.data.stage === stage;

let waiters: TaskWaiters;

beforeEach(() => {
  waiters = createTaskWaiters();
});

afterEach(() => {
  waiters.close();
  vi.useRealTimers();
});

/** A ticket whose request looked once, found nothing and parked. */
function parked(integrationId: string, accepts = everything): WaitTicket {
  const ticket = waiters.ticket(integrationId);
  ticket.looking();
  ticket.looked(accepts, []);
  return ticket;
}

/** A request that looks again after its wake-up and finds nothing (another instance won the race). */
function looksAgain(ticket: WaitTicket, accepts = everything): void {
  ticket.looking();
  ticket.looked(accepts, []);
}

const woken = (...tickets: WaitTicket[]) => tickets.map((t) => t.woken);

describe('createTaskWaiters', () => {
  it('wakes, per event, only the ticket of an integration that waited longest', () => {
    const [a, b, c] = [parked('helm'), parked('helm'), parked('helm')];
    waiters.wakeFor([task('t1')]);
    expect(woken(a, b, c)).toEqual([true, false, false]);
    waiters.wakeFor([task('t2')]);
    expect(woken(a, b, c)).toEqual([true, true, false]);
  });

  it('moves a ticket that looked again to the back of the queue', () => {
    const [a, b, c] = [parked('helm'), parked('helm'), parked('helm')];
    waiters.wakeFor([task('t1')]);
    looksAgain(a);
    waiters.wakeFor([task('t2')]);
    looksAgain(b);
    expect(woken(a, b, c)).toEqual([false, false, false]);
    waiters.wakeFor([task('t3')]);
    expect(woken(a, b, c)).toEqual([false, false, true]);
    looksAgain(c);
    waiters.wakeFor([task('t4')]);
    expect(woken(a, b, c)).toEqual([true, false, false]);
  });

  it('wakes one ticket of every integration that accepts the event', () => {
    const [helm1, helm2, jmeter1, jmeter2] = [parked('helm'), parked('helm'), parked('jmeter'), parked('jmeter')];
    const prodOnly = parked('slack', stageOnly('production'));
    waiters.wakeFor([task('t1')]);
    expect(woken(helm1, helm2, jmeter1, jmeter2, prodOnly)).toEqual([true, false, true, false, false]);
  });

  it('skips tickets that do not accept the event', () => {
    const [production, dev] = [parked('helm', stageOnly('production')), parked('helm', stageOnly('dev'))];
    waiters.wakeFor([task('t1', 'dev')]);
    expect(woken(production, dev)).toEqual([false, true]);
  });

  it('wakes as many tickets as there are distinct events the integration accepts', () => {
    const [a, b, c] = [parked('helm'), parked('helm'), parked('helm')];
    waiters.wakeFor([task('t1'), task('t2'), task('t1')]);
    expect(woken(a, b, c)).toEqual([true, true, false]);
  });

  it('gives the event only one ticket accepts to that ticket first, so that two events reach two tickets', () => {
    const [both, devOnly] = [parked('helm'), parked('helm', stageOnly('dev'))];
    waiters.wakeFor([task('t1', 'dev'), task('t2', 'production')]);
    expect(woken(both, devOnly)).toEqual([true, true]);
  });

  it('passes the wake-up of a request that goes away before looking to the next ticket', () => {
    const [gone, next, last] = [parked('helm'), parked('helm'), parked('helm')];
    waiters.wakeFor([task('t1')]);
    gone.cancel();
    expect(woken(next, last)).toEqual([true, false]);
    expect(waiters.size).toBe(2);
  });

  it('does not pass on a wake-up a look used, even when that look leased nothing', () => {
    const [a, b] = [parked('helm'), parked('helm')];
    waiters.wakeFor([task('t1')]);
    looksAgain(a);
    a.cancel();
    expect(b.woken).toBe(false);
  });

  it('passes on a wake-up that came during a look that answered with other tasks, not one for a task it got', () => {
    const looking = waiters.ticket('helm');
    looking.looking();
    waiters.wakeFor([task('t1'), task('t2')]);
    const other = parked('helm');
    looking.looked(everything, [task('t1')]);
    expect(looking.woken).toBe(true);
    looking.cancel();
    expect(other.woken).toBe(true);

    const got = waiters.ticket('helm');
    got.looking();
    waiters.wakeFor([task('t3')]);
    const idle = parked('jmeter');
    const third = parked('helm');
    got.looked(everything, [task('t3')]);
    expect(got.woken).toBe(false);
    got.cancel();
    expect(woken(idle, third)).toEqual([false, false]);
  });

  it('passes on a wake-up that the look shows the instance does not accept', () => {
    // Both requests are in their first look, so both accept everything until it ends.
    const dev = waiters.ticket('helm');
    dev.looking();
    const production = waiters.ticket('helm');
    production.looking();
    waiters.wakeFor([task('t1', 'production')]);
    expect(woken(dev, production)).toEqual([true, false]);
    dev.looked(stageOnly('dev'), []);
    expect(woken(dev, production)).toEqual([false, true]);
  });

  it('wakes every ticket on wakeAll', () => {
    const tickets = [parked('helm'), parked('helm', stageOnly('production')), parked('jmeter')];
    waiters.wakeAll();
    expect(woken(...tickets)).toEqual([true, true, true]);
  });

  it('resolves wait true on a wake-up, false after timeoutMs or on abort', async () => {
    vi.useFakeTimers();
    const ticket = parked('helm');
    const timedOut = ticket.wait(1000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await timedOut).toBe(false);
    const gone = new AbortController();
    const aborted = ticket.wait(1000, gone.signal);
    gone.abort();
    expect(await aborted).toBe(false);
    const wokenUp = ticket.wait(1000);
    waiters.wakeFor([task('t1')]);
    expect(await wokenUp).toBe(true);
    // Still woken until the next look: a second wait returns at once.
    expect(await ticket.wait(1000)).toBe(true);
  });

  it('wakes one ticket of the named integration after the delay of wakeForAfter', async () => {
    vi.useFakeTimers();
    const [helm1, helm2, jmeter] = [parked('helm'), parked('helm'), parked('jmeter')];
    waiters.wakeForAfter(1000, [task('t1')], 'helm');
    await vi.advanceTimersByTimeAsync(999);
    expect(woken(helm1, helm2, jmeter)).toEqual([false, false, false]);
    await vi.advanceTimersByTimeAsync(1);
    expect(woken(helm1, helm2, jmeter)).toEqual([true, false, false]);
  });

  it('answers every parked request on close and counts tickets', async () => {
    const a = parked('helm');
    parked('jmeter').cancel();
    expect(waiters.size).toBe(1);
    const waiting = a.wait(60_000);
    waiters.close();
    expect(await waiting).toBe(true);
    expect(waiters.closed).toBe(true);
    a.cancel();
    expect(waiters.size).toBe(0);
  });

  describe('with the topics of each look (issue 13: per-task cost independent of parked agents)', () => {
    const typed = (id: string, taskName: string) =>
      ({ id, type: `sh.keptn.event.${taskName}.triggered`, data: { stage: 'dev' } }) as unknown as KeptnEvent;
    /** An accepts that counts how often the waiters ask it. */
    const counting =
      (counter: { asked: number }): AcceptsEvent =>
      () => {
        counter.asked++;
        return true;
      };
    function parkedOn(integrationId: string, topics: readonly string[], accepts: AcceptsEvent): WaitTicket {
      const ticket = waiters.ticket(integrationId);
      ticket.looking();
      ticket.looked(accepts, [], topics);
      return ticket;
    }

    it('asks only the first ticket of the one subscribed integration among 2,000 parked polls', () => {
      const counter = { asked: 0 };
      const tickets = new Map<string, WaitTicket[]>();
      for (let i = 0; i < 50; i++) {
        const integration = `fleet-${i}`;
        const own = Array.from({ length: 40 }, () => parkedOn(integration, [`sh.keptn.event.${integration}.triggered`], counting(counter)));
        tickets.set(integration, own);
      }
      expect(waiters.size).toBe(2000);
      waiters.wakeFor([typed('t1', 'fleet-7')]);
      expect(counter.asked).toBe(1);
      expect(tickets.get('fleet-7')!.map((t) => t.woken)).toEqual([true, ...Array<boolean>(39).fill(false)]);
      expect([...tickets.values()].flat().filter((t) => t.woken)).toHaveLength(1);
    });

    it('wakes integrations subscribed by wildcard, and tickets that have not looked yet, for any type', () => {
      const wildcard = parkedOn('logger', ['sh.keptn.event.*.triggered'], everything);
      const other = parkedOn('helm', ['sh.keptn.event.deployment.triggered'], everything);
      const fresh = waiters.ticket('jmeter');
      waiters.wakeFor([typed('t1', 'test')]);
      expect(woken(wildcard, other, fresh)).toEqual([true, false, true]);
    });

    it('indexes a ticket under the topics of its latest look and forgets it when cancelled', () => {
      const counter = { asked: 0 };
      const ticket = parkedOn('helm', ['sh.keptn.event.deployment.triggered'], counting(counter));
      looksAgainOn(ticket, ['sh.keptn.event.test.triggered'], counting(counter));
      waiters.wakeFor([typed('t1', 'deployment')]);
      expect(counter.asked).toBe(0);
      waiters.wakeFor([typed('t2', 'test')]);
      expect(ticket.woken).toBe(true);
      ticket.cancel();
      const later = parkedOn('jmeter', ['sh.keptn.event.test.triggered'], counting(counter));
      counter.asked = 0;
      waiters.wakeFor([typed('t3', 'test')]);
      expect(counter.asked).toBe(1);
      expect(later.woken).toBe(true);
    });

    function looksAgainOn(ticket: WaitTicket, topics: readonly string[], accepts: AcceptsEvent): void {
      ticket.looking();
      ticket.looked(accepts, [], topics);
    }
  });
});
