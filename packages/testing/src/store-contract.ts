/**
 * The contract of the store port: one vitest suite that every `ControlPlaneStore` adapter runs
 * (SQLite, PostgreSQL). Each test gets a fresh, empty store from `createStore` and hands it to
 * `cleanup` afterwards. Tests assert what a caller can observe through the port only.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AlreadyHandledError,
  ConflictError,
  ErrorCode,
  ExecutionState,
  NotFoundError,
  SequenceViewState,
  TERMINAL_STATES,
  TimerKind,
} from '@shipmate/core';
import type { ControlPlaneStore, EventQuery, KeptnEvent, Page, SequenceExecution, SequenceState, SequenceStateQuery } from '@shipmate/core';
import {
  at,
  fixtureEvent,
  fixtureExecution,
  fixtureOpenTriggered,
  fixtureProject,
  fixtureSequenceState,
  fixtureTimer,
} from './store-fixtures.js';
import type { EventFixture } from './store-fixtures.js';

/** Runs the store contract suite against the adapter that `createStore` opens. */
export function describeStoreContract(
  name: string,
  createStore: () => Promise<ControlPlaneStore>,
  cleanup: (store: ControlPlaneStore) => Promise<void> = (store) => store.close(),
): void {
  describe(`ControlPlaneStore contract: ${name}`, () => {
    let store: ControlPlaneStore;

    beforeEach(async () => {
      store = await createStore();
    });

    afterEach(async () => {
      await cleanup(store);
    });

    /** Builds events, appends them in one call and returns them in the order given. */
    async function append(fields: EventFixture[], pending = false): Promise<KeptnEvent[]> {
      const events = fields.map((f) => fixtureEvent(f));
      await store.appendEvents(events, { pending });
      return events;
    }

    /** Ids of the events matching `query` (first page of up to 100 unless given). */
    async function eventIds(query: Partial<EventQuery>): Promise<string[]> {
      const page = await store.queryEvents({ offset: 0, limit: 100, ...query });
      return page.items.map((e) => e.id);
    }

    function execIds(items: SequenceExecution[]): string[] {
      return items.map((e) => e._id);
    }

    function contexts(page: Page<SequenceState>): string[] {
      return page.items.map((s) => s.shkeptncontext);
    }

    describe('event intake and the pending queue', () => {
      it('returns pending events oldest first with increasing seq, and not the store-only ones', async () => {
        const [a, b] = await append([{ time: at(2) }, { time: at(1) }], true);
        await append([{ time: at(3) }], false);
        const [c] = await append([{ time: at(0) }], true);

        const pending = await store.pendingEvents(10);

        expect(pending.map((p) => p.event)).toEqual([a, b, c]);
        const seqs = pending.map((p) => p.seq);
        expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
        expect(new Set(seqs).size).toBe(3);
      });

      it('limits the pending batch', async () => {
        const events = await append([{}, {}, {}], true);
        const pending = await store.pendingEvents(2);
        expect(pending.map((p) => p.event.id)).toEqual([events[0]?.id, events[1]?.id]);
      });

      it('takes processed events off the queue but keeps them in the event store', async () => {
        const [a, b] = await append([{ time: at(1) }, { time: at(2) }], true);
        const [first] = await store.pendingEvents(1);
        expect(first?.event.id).toBe(a?.id);

        await store.commit({ processedSeqs: [first?.seq ?? -1] });

        expect((await store.pendingEvents(10)).map((p) => p.event.id)).toEqual([b?.id]);
        expect(await eventIds({})).toEqual([b?.id, a?.id]);
      });

      it('refuses to process an event twice: the whole commit is dropped with ERR_ALREADY_HANDLED', async () => {
        const [a] = await append([{ time: at(1) }], true);
        const [pending] = await store.pendingEvents(1);
        await store.commit({ processedSeqs: [pending?.seq ?? -1] });
        const emitted = fixtureEvent({ time: at(2) });

        const second = store.commit({ processedSeqs: [pending?.seq ?? -1], newEvents: [{ event: emitted, pending: false }] });

        await expect(second).rejects.toBeInstanceOf(AlreadyHandledError);
        await expect(second).rejects.toMatchObject({ code: 'ERR_ALREADY_HANDLED' });
        expect(await eventIds({})).toEqual([a?.id]);
      });

      it('queues pending events of a commit after those appended before it', async () => {
        const [appended] = await append([{ time: at(5) }], true);
        const emitted = fixtureEvent({ time: at(1) });
        const stored = fixtureEvent({ time: at(2) });
        await store.commit({
          newEvents: [
            { event: emitted, pending: true },
            { event: stored, pending: false },
          ],
        });

        expect((await store.pendingEvents(10)).map((p) => p.event.id)).toEqual([appended?.id, emitted.id]);
        expect(await eventIds({})).toEqual([appended?.id, stored.id, emitted.id]);
      });

      it('keeps the first copy of an event id appended twice and queues it once', async () => {
        const original = fixtureEvent({ data: { message: 'first' } });
        await store.appendEvents([original], { pending: true });
        await store.appendEvents([{ ...original, data: { ...original.data, message: 'second' } }], { pending: true });

        const pending = await store.pendingEvents(10);
        expect(pending.map((p) => p.event)).toEqual([original]);
        expect((await store.queryEvents({ offset: 0, limit: 10 })).totalCount).toBe(1);
      });

      it('round-trips the whole event document', async () => {
        const event = fixtureEvent({
          triggeredid: 'trig-1',
          gitcommitid: 'abc',
          shkeptnspecversion: '0.2.4',
          data: { labels: { team: 'a' }, nested: { list: [1, 'two', null], flag: true } },
        });
        await store.appendEvents([event], { pending: false });
        expect((await store.queryEvents({ eventId: event.id, offset: 0, limit: 1 })).items).toEqual([event]);
      });
    });

    describe('commit', () => {
      it('makes every part of a changeset visible together', async () => {
        await store.insertProject(fixtureProject('shop'));
        await store.insertService('shop', 'carts', ['dev', 'prod'], '1');
        const [incoming] = await append([{ type: 'sh.keptn.event.dev.delivery.triggered', shkeptncontext: 'ctx-a' }], true);
        const [pending] = await store.pendingEvents(1);
        const task = fixtureEvent({ type: 'sh.keptn.event.deployment.triggered', shkeptncontext: 'ctx-a', time: at(1) });
        const execution = fixtureExecution({
          keptnContext: 'ctx-a',
          triggeredId: incoming?.id ?? '',
          currentTaskId: task.id,
          state: ExecutionState.started,
        });
        const timer = fixtureTimer({ executionId: execution._id, triggeredId: task.id, dueAtMs: 1000 });
        const state = fixtureSequenceState({ keptnContext: 'ctx-a', state: SequenceViewState.started });
        const ref = { eventId: task.id, keptnContext: 'ctx-a', time: task.time };

        await store.commit({
          newEvents: [{ event: task, pending: false }],
          processedSeqs: [pending?.seq ?? -1],
          executions: [execution],
          openTriggeredPut: [fixtureOpenTriggered(task, execution._id)],
          timersPut: [timer],
          sequenceStates: [state],
          pausePut: [{ project: 'shop', keptnContext: 'ctx-a', stage: 'dev' }],
          serviceActivity: [{ project: 'shop', stage: 'dev', service: 'carts', eventType: task.type, ref, deployedImage: 'carts:1' }],
          projectLastContext: [{ project: 'shop', keptnContext: 'ctx-a' }],
        });

        expect(await store.pendingEvents(10)).toEqual([]);
        expect(await eventIds({ keptnContext: 'ctx-a' })).toEqual([task.id, incoming?.id]);
        expect(await store.getExecution(execution._id)).toEqual(execution);
        expect(await store.findExecutionByTask(task.id)).toEqual(execution);
        expect(await store.queryOpenTriggered({ type: task.type, visibleAt: at(10) })).toEqual([task]);
        expect(await store.dueTimers(1000, 10)).toEqual([timer]);
        expect(await store.getSequenceState('shop', 'ctx-a')).toEqual(state);
        expect(await store.listPauseMarkers('shop', 'ctx-a')).toEqual([{ project: 'shop', keptnContext: 'ctx-a', stage: 'dev' }]);
        const dev = (await store.listServices('shop', 'dev'))[0];
        expect(dev?.lastEventTypes).toEqual({ [task.type]: ref });
        expect(dev?.deployedImage).toBe('carts:1');
        expect((await store.getProject('shop'))?.lastEventContext).toBe('ctx-a');
      });

      it('changes nothing when a changeset fails part-way', async () => {
        const [queued] = await append([{}], true);
        const [pending] = await store.pendingEvents(1);
        const good = fixtureEvent();
        // A BigInt cannot be serialized to JSON, so storing this event fails on any adapter.
        const bad = fixtureEvent({ data: { size: 1n } });
        const execution = fixtureExecution();
        const timer = fixtureTimer();

        await expect(
          store.commit({
            newEvents: [
              { event: good, pending: true },
              { event: bad, pending: true },
            ],
            processedSeqs: [pending?.seq ?? -1],
            executions: [execution],
            timersPut: [timer],
            sequenceStates: [fixtureSequenceState({ keptnContext: 'ctx-fail' })],
          }),
        ).rejects.toThrow();

        expect((await store.pendingEvents(10)).map((p) => p.event.id)).toEqual([queued?.id]);
        expect(await eventIds({})).toEqual([queued?.id]);
        expect(await store.getExecution(execution._id)).toBeUndefined();
        expect(await store.nextTimerDueMs()).toBeUndefined();
        expect(await store.getSequenceState('shop', 'ctx-fail')).toBeUndefined();
      });

      it('accepts an empty changeset', async () => {
        await expect(store.commit({})).resolves.toBeUndefined();
      });
    });

    describe('event queries', () => {
      it('sorts by time, newest first', async () => {
        const [a, b, c] = await append([{ time: at(2) }, { time: at(3) }, { time: at(1) }]);
        expect(await eventIds({})).toEqual([b?.id, a?.id, c?.id]);
      });

      // Each row: the query, an event that matches it, and a near miss that must not match.
      it.each<[string, Partial<EventQuery>, EventFixture, EventFixture]>([
        ['keptnContext', { keptnContext: 'ctx-x' }, { shkeptncontext: 'ctx-x' }, { shkeptncontext: 'ctx-x2' }],
        [
          'type',
          { type: 'sh.keptn.event.test.finished' },
          { type: 'sh.keptn.event.test.finished' },
          { type: 'sh.keptn.event.test.finished.x' },
        ],
        ['project', { project: 'other' }, { data: { project: 'other' } }, { data: { project: 'Other' } }],
        ['stage', { stage: 'prod' }, { data: { stage: 'prod' } }, { data: { stage: 'production' } }],
        ['service', { service: 'orders' }, { data: { service: 'orders' } }, { data: { service: 'order' } }],
        ['eventId', { eventId: 'evt-wanted' }, { id: 'evt-wanted' }, { id: 'evt-wanted-2' }],
        ['source', { source: 'jmeter-service' }, { source: 'jmeter-service' }, { source: 'jmeter' }],
        ['triggeredId', { triggeredId: 'trig-x' }, { triggeredid: 'trig-x' }, { triggeredid: 'trig-x2' }],
      ])('filters on %s by exact match', async (_field, query, matching, nearMiss) => {
        const [target] = await append([matching, nearMiss, {}]);
        expect(await eventIds(query)).toEqual([target?.id]);
      });

      it('applies fromTime and beforeTime as exclusive bounds', async () => {
        const [, t2, t3] = await append([{ time: at(1) }, { time: at(2) }, { time: at(3) }, { time: at(4) }]);
        expect(await eventIds({ fromTime: at(1), beforeTime: at(4) })).toEqual([t3?.id, t2?.id]);
        expect(await eventIds({ fromTime: at(3) })).toHaveLength(1);
        expect(await eventIds({ beforeTime: at(1) })).toEqual([]);
      });

      it('pages with offset and limit and counts all matches', async () => {
        const events = await append([1, 2, 3, 4, 5].map((m) => ({ time: at(m) })));
        const newestFirst = events.map((e) => e.id).reverse();

        const first = await store.queryEvents({ offset: 0, limit: 2 });
        const last = await store.queryEvents({ offset: 4, limit: 2 });
        const beyond = await store.queryEvents({ offset: 10, limit: 2 });

        expect(first.items.map((e) => e.id)).toEqual(newestFirst.slice(0, 2));
        expect(first.totalCount).toBe(5);
        expect(last.items.map((e) => e.id)).toEqual(newestFirst.slice(4));
        expect(last.totalCount).toBe(5);
        expect(beyond).toEqual({ items: [], totalCount: 5 });
      });

      it('counts matches only up to countLimit, never below the items returned, and none with 0', async () => {
        await append([1, 2, 3, 4, 5, 6].map((m) => ({ time: at(m), shkeptncontext: `ctx-${m}` })));
        const page = (q: { offset: number; limit: number; countLimit?: number; rootOnly?: boolean }) => store.queryEvents(q);

        expect((await page({ offset: 0, limit: 2, countLimit: 4 })).totalCount).toBe(4);
        expect((await page({ offset: 0, limit: 2, countLimit: 10 })).totalCount).toBe(6);
        expect((await page({ offset: 3, limit: 2, countLimit: 1 })).totalCount).toBe(5);
        const uncounted = await page({ offset: 1, limit: 2, countLimit: 0 });
        expect(uncounted.items).toHaveLength(2);
        expect(uncounted.totalCount).toBe(3);
        expect((await page({ offset: 0, limit: 1, countLimit: 3, rootOnly: true })).totalCount).toBe(3);
        expect((await store.queryExecutions({ project: 'shop', offset: 0, limit: 1, countLimit: 0 })).totalCount).toBe(0);
        expect((await store.querySequenceStates({ project: 'shop', offset: 0, limit: 1, countLimit: 1 })).totalCount).toBe(0);
      });

      it('pages through events with equal times without repeating or skipping any', async () => {
        const events = await append(Array.from({ length: 7 }, () => ({ time: at(1) })));
        const seen: string[] = [];
        for (let offset = 0; offset < 7; offset += 3) seen.push(...(await eventIds({ offset, limit: 3 })));
        expect([...seen].sort()).toEqual(events.map((e) => e.id).sort());
      });

      it('lists events of equal time newest stored first, so a cause comes after its effects', async () => {
        const [cause, effect, next] = await append([{ time: at(1) }, { time: at(1) }, { time: at(1) }]);
        expect(await eventIds({})).toEqual([next?.id, effect?.id, cause?.id]);
        const [b, a] = await Promise.all([eventIds({ offset: 0, limit: 1 }), eventIds({ offset: 1, limit: 2 })]);
        expect([...b, ...a]).toEqual([next?.id, effect?.id, cause?.id]);
      });

      it('returns only the earliest event of each context with rootOnly, before other filters', async () => {
        const [rootA, , rootB] = await append([
          { shkeptncontext: 'ctx-a', time: at(1), type: 'sh.keptn.event.dev.delivery.triggered' },
          { shkeptncontext: 'ctx-a', time: at(2), type: 'sh.keptn.event.deployment.triggered' },
          { shkeptncontext: 'ctx-b', time: at(3), type: 'sh.keptn.event.dev.delivery.triggered' },
          { shkeptncontext: 'ctx-b', time: at(3), type: 'sh.keptn.event.deployment.triggered' },
          { shkeptncontext: 'ctx-c', time: at(0), data: { project: 'other' } },
        ]);

        expect(await eventIds({ project: 'shop', rootOnly: true })).toEqual([rootB?.id, rootA?.id]);
        // ctx-a's root is not a deployment event, so a type filter does not promote its second event.
        expect(await eventIds({ project: 'shop', rootOnly: true, type: 'sh.keptn.event.deployment.triggered' })).toEqual([]);
        expect((await store.queryEvents({ project: 'shop', rootOnly: true, offset: 0, limit: 1 })).totalCount).toBe(2);
      });

      it('keeps the earliest event of a context its root when events arrive out of time order, one batch or many', async () => {
        const [later] = await append([{ shkeptncontext: 'ctx-a', time: at(5) }]);
        expect(await eventIds({ project: 'shop', rootOnly: true })).toEqual([later?.id]);
        const [, earlier] = await append([
          { shkeptncontext: 'ctx-a', time: at(4) },
          { shkeptncontext: 'ctx-a', time: at(2) },
          { shkeptncontext: 'ctx-b', time: at(3) },
          { shkeptncontext: 'ctx-a', time: at(2) },
        ]);
        const [, rootB] = await append([{ shkeptncontext: 'ctx-a', time: at(6) }]).then(async (a) => [
          a[0],
          (await store.queryEvents({ keptnContext: 'ctx-b', offset: 0, limit: 1 })).items[0],
        ]);
        expect(await eventIds({ project: 'shop', rootOnly: true })).toEqual([rootB?.id, earlier?.id]);
        // The same context in another project has a root of its own.
        const [elsewhere] = await append([{ shkeptncontext: 'ctx-a', time: at(9), data: { project: 'other' } }]);
        expect(await eventIds({ project: 'other', rootOnly: true })).toEqual([elsewhere?.id]);
      });

      it('makes the earliest remaining event of a context its root once older events are deleted', async () => {
        const [, second, , otherRoot] = await append([
          { shkeptncontext: 'ctx-a', time: at(1) },
          { shkeptncontext: 'ctx-a', time: at(3) },
          { shkeptncontext: 'ctx-a', time: at(4) },
          { shkeptncontext: 'ctx-b', time: at(5) },
        ]);
        expect(await store.deleteEventsBefore(at(2))).toBe(1);
        expect(await eventIds({ project: 'shop', rootOnly: true })).toEqual([otherRoot?.id, second?.id]);
      });

      it('drops events whose triggeredid was invalidated in the same project', async () => {
        const finished = 'sh.keptn.event.evaluation.finished';
        const [, kept] = await append([
          { type: finished, triggeredid: 'trig-1', time: at(1) },
          { type: finished, triggeredid: 'trig-2', time: at(2) },
          { type: finished, time: at(3), data: { project: 'other' }, triggeredid: 'trig-3' },
          { type: 'sh.keptn.event.evaluation.invalidated', triggeredid: 'trig-1', time: at(4) },
          { type: 'sh.keptn.event.evaluation.invalidated', triggeredid: 'trig-2', time: at(5), data: { project: 'other' } },
        ]);

        expect(await eventIds({ project: 'shop', type: finished, excludeInvalidated: true })).toEqual([kept?.id]);
        expect(await eventIds({ project: 'shop', type: finished })).toHaveLength(2);
      });

      it('matches fieldIn paths against one of the values, all paths together', async () => {
        const [pass, warning] = await append([
          { time: at(1), data: { result: 'pass' } },
          { time: at(2), data: { result: 'warning' } },
          { time: at(3), data: { result: 'fail' } },
          { time: at(4), data: { result: 'pass', stage: 'prod' } },
        ]);

        expect(await eventIds({ fieldIn: { 'data.result': ['pass', 'warning'], 'data.stage': ['dev'] } })).toEqual([warning?.id, pass?.id]);
        expect(await eventIds({ fieldIn: { 'data.result': [] } })).toEqual([]);
      });

      it('reads fieldIn paths at the top level and inside nested objects with dashes in names', async () => {
        const [target] = await append([
          { source: 'lighthouse-service', shkeptncontext: 'ctx-n', data: { 'get-sli': { indicator: 'p95' } } },
          { source: 'lighthouse-service', shkeptncontext: 'ctx-n', data: { 'get-sli': { indicator: 'p50' } } },
          { source: 'other', shkeptncontext: 'ctx-n', data: { 'get-sli': { indicator: 'p95' } } },
        ]);

        const query = { fieldIn: { source: ['lighthouse-service'], shkeptncontext: ['ctx-n'], 'data.get-sli.indicator': ['p95'] } };
        expect(await eventIds(query)).toEqual([target?.id]);
        expect(await eventIds({ fieldIn: { id: [target?.id ?? ''] } })).toEqual([target?.id]);
      });

      it('rejects a fieldIn key that is not a plain document path', async () => {
        await append([{}]);
        for (const key of ["data.result') OR 1=1 --", 'data..result', 'data result', '$.data']) {
          await expect(store.queryEvents({ offset: 0, limit: 10, fieldIn: { [key]: ['x'] } })).rejects.toMatchObject({
            code: ErrorCode.invalidField,
          });
        }
      });

      it('deletes processed events older than a time and keeps pending and newer ones', async () => {
        const [, , newer] = await append([{ time: at(1) }, { time: at(2) }, { time: at(3) }]);
        const [pendingOld] = await append([{ time: at(0) }], true);

        expect(await store.deleteEventsBefore(at(3))).toBe(2);

        expect(await eventIds({})).toEqual([newer?.id, pendingOld?.id]);
        expect((await store.pendingEvents(10)).map((p) => p.event.id)).toEqual([pendingOld?.id]);
        expect(await store.deleteEventsBefore(at(3))).toBe(0);
      });
    });

    describe('open triggered events', () => {
      const type = 'sh.keptn.event.deployment.triggered';

      async function open(fields: EventFixture[]): Promise<KeptnEvent[]> {
        const events = fields.map((f) => fixtureEvent({ type, ...f }));
        await store.commit({ openTriggeredPut: events.map((e) => fixtureOpenTriggered(e)) });
        return events;
      }

      it('returns events of exactly the type, visible by visibleAt, newest first', async () => {
        const [older, newer, , due] = await open([{ time: at(1) }, { time: at(2) }, { time: at(9) }, { time: at(5) }]);
        await open([
          { type: 'sh.keptn.event.deployment.triggered.x', time: at(1) },
          { type: 'sh.keptn.event.test.triggered', time: at(1) },
        ]);

        const visible = await store.queryOpenTriggered({ type, visibleAt: at(5) });

        expect(visible.map((e) => e.id)).toEqual([due?.id, newer?.id, older?.id]);
        expect(visible[0]).toEqual(due);
      });

      it('shows an event from its visibleAt when one is given, not from its time', async () => {
        const ahead = fixtureEvent({ type, time: at(6) });
        await store.commit({ openTriggeredPut: [{ ...fixtureOpenTriggered(ahead), visibleAt: at(5) }] });
        expect(await store.queryOpenTriggered({ type, visibleAt: at(4) })).toEqual([]);
        expect(await store.queryOpenTriggered({ type, visibleAt: at(5) })).toEqual([ahead]);
      });

      it('returns every type when no type is given', async () => {
        const [task] = await open([{ time: at(1) }]);
        const [other] = await open([{ type: 'sh.keptn.event.test.triggered', time: at(2) }]);
        expect((await store.queryOpenTriggered({ visibleAt: at(5) })).map((e) => e.id)).toEqual([other?.id, task?.id]);
      });

      it('filters on project, stage, service and event id', async () => {
        const [shopDev, , , other] = await open([
          {},
          { data: { stage: 'prod' } },
          { data: { service: 'orders' } },
          { data: { project: 'other' } },
        ]);
        const q = { type, visibleAt: at(1) };

        expect((await store.queryOpenTriggered({ ...q, project: 'shop', stage: 'dev', service: 'carts' })).map((e) => e.id)).toEqual([
          shopDev?.id,
        ]);
        expect((await store.queryOpenTriggered({ ...q, project: 'other' })).map((e) => e.id)).toEqual([other?.id]);
        expect((await store.queryOpenTriggered({ ...q, eventId: shopDev?.id ?? '' })).map((e) => e.id)).toEqual([shopDev?.id]);
        expect(await store.queryOpenTriggered(q)).toHaveLength(4);
      });

      it('removes closed events and stores a re-opened one once', async () => {
        const [kept, closed] = await open([{}, {}]);
        await open([{ id: kept?.id ?? '' }]);

        await store.commit({ openTriggeredRemove: [closed?.id ?? ''] });

        expect((await store.queryOpenTriggered({ type, visibleAt: at(1) })).map((e) => e.id)).toEqual([kept?.id]);
      });

      it('ends closed when one changeset opens and closes the same event', async () => {
        const event = fixtureEvent({ type });
        await store.commit({ openTriggeredPut: [fixtureOpenTriggered(event)], openTriggeredRemove: [event.id] });
        expect(await store.queryOpenTriggered({ type, visibleAt: at(1) })).toEqual([]);
      });
    });

    describe('sequence executions', () => {
      async function save(...executions: SequenceExecution[]): Promise<SequenceExecution[]> {
        await store.commit({ executions });
        return executions;
      }

      it('finds an execution by id, by its sequence trigger and by its current task', async () => {
        const [execution] = await save(
          fixtureExecution({ triggeredId: 'seq-t', currentTaskId: 'task-1' }),
          fixtureExecution({ currentTaskId: 'task-2' }),
        );

        expect(await store.getExecution(execution?._id ?? '')).toEqual(execution);
        expect(await store.findExecutionByTrigger('seq-t')).toEqual(execution);
        expect(await store.findExecutionByTask('task-1')).toEqual(execution);
        expect(await store.getExecution('missing')).toBeUndefined();
        expect(await store.findExecutionByTrigger('missing')).toBeUndefined();
        expect(await store.findExecutionByTask('missing')).toBeUndefined();
      });

      it('replaces an execution saved again under the same id', async () => {
        const first = fixtureExecution({ currentTaskId: 'task-1' });
        await save(first);
        const next: SequenceExecution = {
          ...first,
          status: {
            ...first.status,
            state: ExecutionState.started,
            currentTask: { name: 'test', triggeredID: 'task-2', scheduledAt: at(1), events: [] },
          },
        };
        await save(next);

        expect(await store.getExecution(first._id)).toEqual(next);
        expect(await store.findExecutionByTask('task-1')).toBeUndefined();
        expect(await store.findExecutionByTask('task-2')).toEqual(next);
        expect((await store.queryExecutions({ project: 'shop', offset: 0, limit: 0 })).totalCount).toBe(1);
      });

      it('lists the executions of one context of one project', async () => {
        const [dev, prod] = await save(
          fixtureExecution({ keptnContext: 'ctx-a', stage: 'dev', triggeredAt: at(1) }),
          fixtureExecution({ keptnContext: 'ctx-a', stage: 'prod', triggeredAt: at(2) }),
          fixtureExecution({ keptnContext: 'ctx-b' }),
          fixtureExecution({ keptnContext: 'ctx-a', project: 'other' }),
        );
        const found = await store.listExecutionsOfContext('shop', 'ctx-a');
        expect(execIds(found).sort()).toEqual([dev?._id, prod?._id].sort());
      });

      it('finds the executions of several current tasks in one read, the oldest where two share a task', async () => {
        const [first, , older] = await save(
          fixtureExecution({ currentTaskId: 'task-1', triggeredAt: at(1) }),
          fixtureExecution({ currentTaskId: 'task-2', triggeredAt: at(1) }),
          fixtureExecution({ currentTaskId: 'task-2', triggeredAt: at(0) }),
          fixtureExecution({ currentTaskId: 'task-3' }),
        );
        const found = await store.findExecutionsByTasks(['task-1', 'task-2', 'missing']);
        expect([...found.keys()].sort()).toEqual(['task-1', 'task-2']);
        expect(found.get('task-1')).toEqual(first);
        expect(found.get('task-2')).toEqual(older);
        expect(await store.findExecutionByTask('task-2')).toEqual(older);
        expect((await store.findExecutionsByTasks([])).size).toBe(0);
      });

      it('lists the executions of several contexts of several projects in one read, oldest trigger first', async () => {
        const [prodA, devA, b, otherA] = await save(
          fixtureExecution({ keptnContext: 'ctx-a', stage: 'prod', triggeredAt: at(2) }),
          fixtureExecution({ keptnContext: 'ctx-a', stage: 'dev', triggeredAt: at(1) }),
          fixtureExecution({ keptnContext: 'ctx-b', triggeredAt: at(4) }),
          fixtureExecution({ keptnContext: 'ctx-a', project: 'other', triggeredAt: at(3) }),
          fixtureExecution({ keptnContext: 'ctx-c' }),
          fixtureExecution({ keptnContext: 'ctx-b', project: 'other' }),
        );
        const found = await store.listExecutionsOfContexts([
          { project: 'shop', keptnContext: 'ctx-a' },
          { project: 'shop', keptnContext: 'ctx-b' },
          { project: 'other', keptnContext: 'ctx-a' },
          { project: 'shop', keptnContext: 'missing' },
        ]);
        expect(execIds(found)).toEqual([devA?._id, prodA?._id, otherA?._id, b?._id]);
        expect(await store.listExecutionsOfContexts([])).toEqual([]);
      });

      it('lists executions of a scope in the given states, oldest trigger first', async () => {
        const [queuedLate, running, queuedEarly] = await save(
          fixtureExecution({ state: ExecutionState.triggered, triggeredAt: at(3) }),
          fixtureExecution({ state: ExecutionState.started, triggeredAt: at(2) }),
          fixtureExecution({ state: ExecutionState.triggered, triggeredAt: at(1) }),
          fixtureExecution({ state: ExecutionState.finished, triggeredAt: at(0) }),
          fixtureExecution({ state: ExecutionState.triggered, stage: 'prod' }),
          fixtureExecution({ state: ExecutionState.triggered, service: 'orders' }),
          fixtureExecution({ state: ExecutionState.triggered, project: 'other' }),
        );

        const queue = await store.listExecutionsInScope('shop', 'dev', 'carts', [ExecutionState.triggered, ExecutionState.started]);
        expect(execIds(queue)).toEqual([queuedEarly?._id, running?._id, queuedLate?._id]);
        expect(execIds(await store.listExecutionsInScope('shop', 'dev', 'carts', [ExecutionState.started]))).toEqual([running?._id]);
        expect(await store.listExecutionsInScope('shop', 'dev', 'carts', [])).toEqual([]);
      });

      it('moves an execution saved again through the queue of its scope, and out of it once it is over', async () => {
        const [execution] = await save(fixtureExecution({ state: ExecutionState.triggered }));
        const saveAs = (state: ExecutionState) => save({ ...execution!, status: { ...execution!.status, state } });
        const queued = () => store.listExecutionsInScope('shop', 'dev', 'carts', [ExecutionState.triggered]);
        const running = () => store.listExecutionsInScope('shop', 'dev', 'carts', [ExecutionState.started]);

        await saveAs(ExecutionState.started);
        expect(execIds(await queued())).toEqual([]);
        expect(execIds(await running())).toEqual([execution?._id]);
        await saveAs(ExecutionState.finished);
        expect(execIds(await running())).toEqual([]);
        expect((await store.getExecution(execution!._id))?.status.state).toBe(ExecutionState.finished);
      });

      it('refuses a terminal state in a queue read: the queue holds active executions only', async () => {
        for (const state of TERMINAL_STATES) {
          await expect(store.listExecutionsInScope('shop', 'dev', 'carts', [ExecutionState.triggered, state])).rejects.toThrow(RangeError);
        }
      });

      it('queries executions of a project with filters, newest trigger first', async () => {
        const [a, b, c, d] = await save(
          fixtureExecution({ triggeredAt: at(1), keptnContext: 'ctx-1' }),
          fixtureExecution({ triggeredAt: at(3), keptnContext: 'ctx-2', stage: 'prod', state: ExecutionState.started }),
          fixtureExecution({ triggeredAt: at(2), keptnContext: 'ctx-3', service: 'orders', name: 'remediation' }),
          fixtureExecution({ triggeredAt: at(4), keptnContext: 'ctx-4', state: ExecutionState.finished }),
          fixtureExecution({ triggeredAt: at(5), project: 'other' }),
        );
        const query = async (q: Partial<Parameters<ControlPlaneStore['queryExecutions']>[0]>) =>
          execIds((await store.queryExecutions({ project: 'shop', offset: 0, limit: 0, ...q })).items);

        expect(await query({})).toEqual([d?._id, b?._id, c?._id, a?._id]);
        expect(await query({ stage: 'prod' })).toEqual([b?._id]);
        expect(await query({ service: 'orders' })).toEqual([c?._id]);
        expect(await query({ keptnContext: 'ctx-1' })).toEqual([a?._id]);
        expect(await query({ name: 'remediation' })).toEqual([c?._id]);
        expect(await query({ state: ExecutionState.finished })).toEqual([d?._id]);
      });

      it('pages executions and counts all matches; limit 0 returns all', async () => {
        await save(...[1, 2, 3, 4, 5].map((m) => fixtureExecution({ triggeredAt: at(m) })));

        const second = await store.queryExecutions({ project: 'shop', offset: 2, limit: 2 });
        expect(second.items.map((e) => e.triggeredAt)).toEqual([at(3), at(2)]);
        expect(second.totalCount).toBe(5);
        expect((await store.queryExecutions({ project: 'shop', offset: 0, limit: 0 })).items).toHaveLength(5);
        expect((await store.queryExecutions({ project: 'shop', offset: 3, limit: 0 })).items).toHaveLength(2);
      });
    });

    describe('sequence states', () => {
      async function saveStates(...states: SequenceState[]): Promise<SequenceState[]> {
        await store.commit({ sequenceStates: states });
        return states;
      }

      async function query(q: Partial<SequenceStateQuery>): Promise<Page<SequenceState>> {
        return store.querySequenceStates({ project: 'shop', offset: 0, limit: 0, ...q });
      }

      it('stores one state per project and context, replaced on each save', async () => {
        const first = fixtureSequenceState({ keptnContext: 'ctx-a' });
        const elsewhere = fixtureSequenceState({ keptnContext: 'ctx-a', project: 'other' });
        const next: SequenceState = { ...first, state: SequenceViewState.finished, stages: [{ name: 'dev', state: 'succeeded' }] };
        await saveStates(first, elsewhere);
        await saveStates(next);

        expect(await store.getSequenceState('shop', 'ctx-a')).toEqual(next);
        expect(await store.getSequenceState('other', 'ctx-a')).toEqual(elsewhere);
        expect(await store.getSequenceState('shop', 'missing')).toBeUndefined();
        expect((await query({})).totalCount).toBe(1);
      });

      it('reads the states of several contexts at once, matching project and context together', async () => {
        const a = fixtureSequenceState({ keptnContext: 'ctx-a' });
        const b = fixtureSequenceState({ keptnContext: 'ctx-b' });
        const elsewhere = fixtureSequenceState({ keptnContext: 'ctx-c', project: 'other' });
        await saveStates(a, b, elsewhere);

        const found = await store.getSequenceStates([
          { project: 'shop', keptnContext: 'ctx-b' },
          { project: 'shop', keptnContext: 'ctx-a' },
          { project: 'shop', keptnContext: 'ctx-c' },
          { project: 'shop', keptnContext: 'missing' },
        ]);
        expect(found.map((s) => s.shkeptncontext).sort()).toEqual(['ctx-a', 'ctx-b']);
        expect(found.find((s) => s.shkeptncontext === 'ctx-a')).toEqual(a);
        expect(await store.getSequenceStates([])).toEqual([]);
      });

      it('sorts by time, newest first, and filters on name and state', async () => {
        await saveStates(
          fixtureSequenceState({ keptnContext: 'c1', time: at(1) }),
          fixtureSequenceState({ keptnContext: 'c2', time: at(3), name: 'remediation' }),
          fixtureSequenceState({ keptnContext: 'c3', time: at(2), state: SequenceViewState.finished }),
          fixtureSequenceState({ keptnContext: 'c4', time: at(4), project: 'other' }),
        );

        expect(contexts(await query({}))).toEqual(['c2', 'c3', 'c1']);
        expect(contexts(await query({ name: 'remediation' }))).toEqual(['c2']);
        expect(contexts(await query({ state: SequenceViewState.finished }))).toEqual(['c3']);
      });

      it('applies fromTime and beforeTime as exclusive bounds and filters on a list of contexts', async () => {
        await saveStates(...[1, 2, 3, 4].map((m) => fixtureSequenceState({ keptnContext: `c${m}`, time: at(m) })));

        expect(contexts(await query({ fromTime: at(1), beforeTime: at(4) }))).toEqual(['c3', 'c2']);
        expect(contexts(await query({ keptnContexts: ['c1', 'c4', 'unknown'] }))).toEqual(['c4', 'c1']);
        expect(contexts(await query({ keptnContexts: [] }))).toEqual([]);
      });

      it('pages a list of contexts with a bounded count', async () => {
        await saveStates(...[1, 2, 3, 4, 5].map((m) => fixtureSequenceState({ keptnContext: `c${m}`, time: at(m) })));
        const asked = ['c1', 'c2', 'c4', 'c5'];

        const first = await query({ keptnContexts: asked, limit: 2, countLimit: 3 });
        expect(contexts(first)).toEqual(['c5', 'c4']);
        expect(first.totalCount).toBe(3);
        const second = await query({ keptnContexts: asked, offset: 2, limit: 2, countLimit: 100 });
        expect(contexts(second)).toEqual(['c2', 'c1']);
        expect(second.totalCount).toBe(4);
      });

      it('sets and removes a stage message only while the stage latest event is the given one', async () => {
        const latestEvent = { type: 'sh.keptn.event.test.triggered', id: 'task-1', time: at(1) };
        const [view] = await saveStates({
          ...fixtureSequenceState({ keptnContext: 'ctx-m' }),
          stages: [
            { name: 'dev', state: 'succeeded' },
            { name: 'hardening', state: 'triggered', latestEvent },
          ],
        });
        const update = { project: 'shop', keptnContext: 'ctx-m', stage: 'hardening', latestEventId: 'task-1' };
        const stage = async (name: string) => (await store.getSequenceState('shop', 'ctx-m'))?.stages.find((s) => s.name === name);

        expect(await store.updateStageMessage({ ...update, message: 'nobody subscribes' })).toBe(true);
        expect(await stage('hardening')).toEqual({ name: 'hardening', state: 'triggered', latestEvent, message: 'nobody subscribes' });
        expect(await stage('dev')).toEqual({ name: 'dev', state: 'succeeded' });
        expect(await store.updateStageMessage({ ...update, message: 'nobody subscribes' })).toBe(false);
        // Another latest event, another stage or context: nothing changes.
        expect(await store.updateStageMessage({ ...update, latestEventId: 'task-0', message: 'stale' })).toBe(false);
        expect(await store.updateStageMessage({ ...update, stage: 'dev', message: 'stale' })).toBe(false);
        expect(await store.updateStageMessage({ ...update, keptnContext: 'missing', message: 'stale' })).toBe(false);
        expect((await stage('hardening'))?.message).toBe('nobody subscribes');

        expect(await store.updateStageMessage({ ...update, message: undefined })).toBe(true);
        expect(await store.getSequenceState('shop', 'ctx-m')).toEqual({
          ...view,
          stages: [view?.stages[0], { name: 'hardening', state: 'triggered', latestEvent }],
        });
        expect(await store.updateStageMessage({ ...update, message: undefined })).toBe(false);
      });

      it('pages states and counts all matches; limit 0 returns all', async () => {
        await saveStates(...[1, 2, 3, 4, 5].map((m) => fixtureSequenceState({ keptnContext: `c${m}`, time: at(m) })));

        const page = await query({ offset: 1, limit: 2 });
        expect(contexts(page)).toEqual(['c4', 'c3']);
        expect(page.totalCount).toBe(5);
        expect(contexts(await query({ limit: 0 }))).toEqual(['c5', 'c4', 'c3', 'c2', 'c1']);
      });
    });

    describe('timers', () => {
      it('returns due timers earliest first, up to the limit, and the next due time', async () => {
        const late = fixtureTimer({ dueAtMs: 3000, kind: TimerKind.finishDeadline });
        const early = fixtureTimer({ dueAtMs: 1000 });
        const middle = fixtureTimer({ dueAtMs: 2000 });
        const future = fixtureTimer({ dueAtMs: 9000 });
        await store.commit({ timersPut: [late, early, middle, future] });

        expect(await store.dueTimers(3000, 10)).toEqual([early, middle, late]);
        expect(await store.dueTimers(3000, 2)).toEqual([early, middle]);
        expect(await store.dueTimers(999, 10)).toEqual([]);
        expect(await store.nextTimerDueMs()).toBe(1000);
      });

      it('removes timers by id and every timer of a task', async () => {
        const a1 = fixtureTimer({ triggeredId: 'task-a', dueAtMs: 1 });
        const a2 = fixtureTimer({ triggeredId: 'task-a', dueAtMs: 2, kind: TimerKind.finishDeadline });
        const b1 = fixtureTimer({ triggeredId: 'task-b', dueAtMs: 3 });
        const b2 = fixtureTimer({ triggeredId: 'task-b', dueAtMs: 4 });
        await store.commit({ timersPut: [a1, a2, b1, b2] });

        await store.commit({ timersRemoveForTask: ['task-a'], timersRemove: [b1.id] });

        expect(await store.dueTimers(100, 10)).toEqual([b2]);
        expect(await store.nextTimerDueMs()).toBe(4);
        await store.commit({ timersRemove: [b2.id] });
        expect(await store.nextTimerDueMs()).toBeUndefined();
      });

      it('removes a fired timer, and refuses to fire one that is gone: the whole commit is dropped with ERR_ALREADY_HANDLED', async () => {
        const fired = fixtureTimer({ dueAtMs: 1000 });
        const other = fixtureTimer({ dueAtMs: 2000 });
        await store.commit({ timersPut: [fired, other] });
        await store.commit({ firedTimers: [fired.id] });
        expect(await store.dueTimers(5000, 10)).toEqual([other]);

        const again = store.commit({ firedTimers: [fired.id], timersRemove: [other.id] });

        await expect(again).rejects.toBeInstanceOf(AlreadyHandledError);
        expect(await store.dueTimers(5000, 10)).toEqual([other]);
      });

      it('replaces a timer put again under the same id', async () => {
        const timer = fixtureTimer({ dueAtMs: 1000 });
        await store.commit({ timersPut: [timer] });
        await store.commit({ timersPut: [{ ...timer, dueAtMs: 5000 }] });
        expect(await store.dueTimers(10_000, 10)).toEqual([{ ...timer, dueAtMs: 5000 }]);
      });
    });

    describe('pause markers', () => {
      it('puts markers once, lists them per context and removes them', async () => {
        const whole = { project: 'shop', keptnContext: 'ctx-a', stage: '' };
        const dev = { ...whole, stage: 'dev' };
        await store.commit({ pausePut: [dev, whole, dev, { ...whole, keptnContext: 'ctx-b' }, { ...whole, project: 'other' }] });

        expect(await store.listPauseMarkers('shop', 'ctx-a')).toEqual([whole, dev]);

        await store.commit({ pauseRemove: [whole] });
        expect(await store.listPauseMarkers('shop', 'ctx-a')).toEqual([dev]);
        expect(await store.listPauseMarkers('shop', 'ctx-b')).toHaveLength(1);
      });
    });

    describe('projects', () => {
      it('inserts, reads and lists projects sorted by name', async () => {
        const shop = fixtureProject('shop', { gitCredentials: { remoteURL: 'https://git.example/shop.git', user: 'me' } });
        const alpha = fixtureProject('alpha');
        await store.insertProject(shop);
        await store.insertProject(alpha);

        expect(await store.getProject('shop')).toEqual(shop);
        expect(await store.getProject('missing')).toBeUndefined();
        expect((await store.listProjects()).map((p) => p.name)).toEqual(['alpha', 'shop']);
      });

      it('refuses a second project of the same name', async () => {
        await store.insertProject(fixtureProject('shop'));
        const error: unknown = await store.insertProject(fixtureProject('shop', { stages: ['x'] })).catch((e: unknown) => e);

        expect(error).toBeInstanceOf(ConflictError);
        expect(error).toMatchObject({ code: ErrorCode.projectExists, message: expect.stringContaining("project 'shop' already exists") });
        expect((await store.getProject('shop'))?.stages).toEqual(['dev', 'prod']);
      });

      it('updates a project and keeps the last event context that commits set', async () => {
        const original = fixtureProject('shop');
        await store.insertProject(original);
        await store.commit({ projectLastContext: [{ project: 'shop', keptnContext: 'ctx-new' }] });

        // A caller that read the project before that commit still holds lastEventContext null.
        await store.updateProject({ ...original, shipyardCommit: 'commit-2', shipyard: 'v2' });

        expect(await store.getProject('shop')).toEqual({
          ...original,
          shipyardCommit: 'commit-2',
          shipyard: 'v2',
          lastEventContext: 'ctx-new',
        });
      });

      it('refuses to update an unknown project', async () => {
        await expect(store.updateProject(fixtureProject('ghost'))).rejects.toBeInstanceOf(NotFoundError);
        expect(await store.getProject('ghost')).toBeUndefined();
      });

      it('deletes a project with everything of it and nothing of other projects', async () => {
        for (const project of ['shop', 'other']) await seedProject(project);

        expect(await store.deleteProject('shop')).toBe(true);

        expect(await store.getProject('shop')).toBeUndefined();
        expect(await store.listServices('shop')).toEqual([]);
        expect((await store.queryEvents({ project: 'shop', offset: 0, limit: 10 })).totalCount).toBe(0);
        expect((await store.queryExecutions({ project: 'shop', offset: 0, limit: 0 })).totalCount).toBe(0);
        expect(await store.listExecutionsOfContext('shop', 'ctx-shop')).toEqual([]);
        expect((await store.querySequenceStates({ project: 'shop', offset: 0, limit: 0 })).totalCount).toBe(0);
        expect(await store.queryOpenTriggered({ type: 'sh.keptn.event.deployment.triggered', project: 'shop', visibleAt: at(10) })).toEqual(
          [],
        );
        expect(await store.listPauseMarkers('shop', 'ctx-shop')).toEqual([]);
        expect(await store.getShipyardVersion('shop', 'commit-1')).toBeUndefined();
        expect((await store.dueTimers(Number.MAX_SAFE_INTEGER, 10)).map((t) => t.triggeredId)).toEqual(['task-other']);

        expect(await store.getProject('other')).toBeDefined();
        expect(await store.listServices('other')).toHaveLength(2);
        expect((await store.queryEvents({ project: 'other', offset: 0, limit: 10 })).totalCount).toBe(1);
        expect(await store.listExecutionsOfContext('other', 'ctx-other')).toHaveLength(1);
        expect(await store.getSequenceState('other', 'ctx-other')).toBeDefined();
        expect(
          await store.queryOpenTriggered({ type: 'sh.keptn.event.deployment.triggered', project: 'other', visibleAt: at(10) }),
        ).toHaveLength(1);
        expect(await store.listPauseMarkers('other', 'ctx-other')).toHaveLength(1);
        expect(await store.getShipyardVersion('other', 'commit-1')).toBe('shipyard of other');
      });

      it('reports false when deleting an unknown project', async () => {
        expect(await store.deleteProject('ghost')).toBe(false);
      });

      /** A project with one of everything, all under context `ctx-<project>`. */
      async function seedProject(project: string): Promise<void> {
        const context = `ctx-${project}`;
        await store.putShipyardVersion(project, 'commit-1', `shipyard of ${project}`);
        await store.insertProject(fixtureProject(project));
        await store.insertService(project, 'carts', ['dev', 'prod'], '1');
        const task = fixtureEvent({ shkeptncontext: context, data: { project } });
        const execution = fixtureExecution({ project, keptnContext: context, currentTaskId: task.id });
        await store.commit({
          newEvents: [{ event: task, pending: false }],
          executions: [execution],
          openTriggeredPut: [fixtureOpenTriggered(task, execution._id)],
          timersPut: [fixtureTimer({ executionId: execution._id, triggeredId: `task-${project}` })],
          sequenceStates: [fixtureSequenceState({ project, keptnContext: context })],
          pausePut: [{ project, keptnContext: context, stage: '' }],
        });
      }
    });

    describe('shipyard versions', () => {
      it('stores versions per project and commit, idempotently', async () => {
        await store.putShipyardVersion('shop', 'c1', 'one');
        await store.putShipyardVersion('shop', 'c1', 'one');
        await store.putShipyardVersion('shop', 'c2', 'two');
        await store.putShipyardVersion('other', 'c1', 'other one');

        expect(await store.getShipyardVersion('shop', 'c1')).toBe('one');
        expect(await store.getShipyardVersion('shop', 'c2')).toBe('two');
        expect(await store.getShipyardVersion('other', 'c1')).toBe('other one');
        expect(await store.getShipyardVersion('shop', 'c3')).toBeUndefined();
      });
    });

    describe('services', () => {
      beforeEach(async () => {
        await store.insertProject(fixtureProject('shop'));
      });

      it('creates a service in each stage and lists them sorted by name, in stage order', async () => {
        await store.insertService('shop', 'orders', ['dev', 'prod'], '200');
        await store.insertService('shop', 'carts', ['dev', 'prod'], '100');

        const all = await store.listServices('shop');
        expect(all.map((s) => `${s.name}/${s.stage}`)).toEqual(['carts/dev', 'carts/prod', 'orders/dev', 'orders/prod']);
        expect(all[0]).toEqual({ project: 'shop', stage: 'dev', name: 'carts', creationDate: '100', lastEventTypes: {} });
        expect((await store.listServices('shop', 'prod')).map((s) => s.name)).toEqual(['carts', 'orders']);
        expect(await store.listServices('shop', 'staging')).toEqual([]);
        expect(await store.hasService('shop', 'prod', 'carts')).toBe(true);
        expect(await store.hasService('shop', 'staging', 'carts')).toBe(false);
        expect(await store.hasService('shop', 'prod', 'payment')).toBe(false);
        expect(await store.hasService('other', 'prod', 'carts')).toBe(false);
      });

      it('refuses a service that exists already', async () => {
        await store.insertService('shop', 'carts', ['dev', 'prod'], '1');
        const error: unknown = await store.insertService('shop', 'carts', ['dev'], '2').catch((e: unknown) => e);

        expect(error).toBeInstanceOf(ConflictError);
        expect(error).toMatchObject({ code: ErrorCode.serviceExists });
        expect(await store.listServices('shop')).toHaveLength(2);
      });

      it('refuses a service of an unknown project', async () => {
        const error: unknown = await store.insertService('ghost', 'carts', ['dev'], '1').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(NotFoundError);
        expect(error).toMatchObject({ code: ErrorCode.projectNotFound });
      });

      it('deletes a service from every stage', async () => {
        await store.insertService('shop', 'carts', ['dev', 'prod'], '1');
        await store.insertService('shop', 'orders', ['dev', 'prod'], '1');

        await store.deleteService('shop', 'carts');

        expect((await store.listServices('shop')).map((s) => s.name)).toEqual(['orders', 'orders']);
      });

      it('notes service activity per event type and keeps the deployed image unless a new one is given', async () => {
        await store.insertService('shop', 'carts', ['dev', 'prod'], '1');
        const activity = (eventType: string, eventId: string, deployedImage?: string) => ({
          project: 'shop',
          stage: 'dev',
          service: 'carts',
          eventType,
          ref: { eventId, keptnContext: 'ctx-1', time: at(1) },
          ...(deployedImage ? { deployedImage } : {}),
        });
        const deployed = 'sh.keptn.event.deployment.finished';
        const tested = 'sh.keptn.event.test.finished';

        await store.commit({ serviceActivity: [activity(deployed, 'e1', 'carts:1'), activity(tested, 'e2')] });
        await store.commit({ serviceActivity: [activity(deployed, 'e3')] });

        // listServices without a stage returns carts in stage order: dev, then prod.
        const [dev, prod] = await store.listServices('shop');
        expect(dev?.deployedImage).toBe('carts:1');
        expect(dev?.lastEventTypes).toEqual({
          [deployed]: { eventId: 'e3', keptnContext: 'ctx-1', time: at(1) },
          [tested]: { eventId: 'e2', keptnContext: 'ctx-1', time: at(1) },
        });
        expect(prod).toEqual({ project: 'shop', stage: 'prod', name: 'carts', creationDate: '1', lastEventTypes: {} });
      });

      it("starts a service created again under an old name without the old one's activity", async () => {
        await store.insertService('shop', 'carts', ['dev'], '1');
        const ref = { eventId: 'e1', keptnContext: 'ctx-1', time: at(1) };
        await store.commit({
          serviceActivity: [
            {
              project: 'shop',
              stage: 'dev',
              service: 'carts',
              eventType: 'sh.keptn.event.deployment.finished',
              ref,
              deployedImage: 'carts:1',
            },
          ],
        });
        await store.deleteService('shop', 'carts');
        await store.insertService('shop', 'carts', ['dev'], '2');

        expect(await store.listServices('shop')).toEqual([
          { project: 'shop', stage: 'dev', name: 'carts', creationDate: '2', lastEventTypes: {} },
        ]);
      });
    });
  });
}
