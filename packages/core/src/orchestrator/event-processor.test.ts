import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UnavailableError } from '../errors/errors.js';
import { ErrorCode } from '../errors/error-codes.js';
import { ORCHESTRATOR_SOURCE } from '../events/keptn-event.js';
import type { KeptnEvent } from '../events/keptn-event.js';
import type { ConfigurationSource } from '../ports/configuration-source.js';
import type { Changeset, ControlPlaneStore, PendingEvent, ProjectRecord, TimerRecord } from '../ports/store.js';
import type { SequenceExecution } from '../sequence/execution.js';
import type { SequenceState } from '../sequence/sequence-state.js';
import { createEventProcessor } from './event-processor.js';
import type { EventProcessor } from './event-processor.js';
import { createOrchestrator } from './orchestrator.js';

const SHIPYARD = [
  'apiVersion: spec.keptn.sh/0.2.3',
  'kind: Shipyard',
  'metadata:',
  '  name: test',
  'spec:',
  '  stages:',
  '    - name: dev',
  '      sequences:',
  '        - name: delivery',
  '          tasks:',
  '            - name: deployment',
  '            - name: release',
].join('\n');

/** Raised by the store double while it is "full". */
const storeFull = () => new UnavailableError(ErrorCode.storeUnavailable, 'database or disk is full (SQLITE_FULL)');

/**
 * An in-memory store with only what the orchestrator and the processor use. `failCommits` makes
 * the next that many commits (and appends, if `failAppends`) throw `UnavailableError`, as the
 * SQLite store does when its disk is full; `failReads` does the same for `getExecution`.
 */
function memoryStore() {
  let seq = 0;
  const events: Array<{ seq: number; event: KeptnEvent; pending: boolean }> = [];
  const executions = new Map<string, SequenceExecution>();
  const states = new Map<string, SequenceState>();
  const timers = new Map<string, TimerRecord>();
  const project: ProjectRecord = {
    name: 'shop',
    creationDate: '1',
    shipyard: SHIPYARD,
    shipyardCommit: 'c1',
    shipyardVersion: 'spec.keptn.sh/0.2.3',
    stages: ['dev'],
  };
  const control = { failCommits: 0, failAppends: false, commits: 0, failGetExecution: undefined as Error | undefined };
  const store: Partial<ControlPlaneStore> = {
    async appendEvents(list, { pending }) {
      if (control.failAppends && control.failCommits > 0) {
        control.failCommits -= 1;
        throw storeFull();
      }
      for (const event of list) events.push({ seq: ++seq, event, pending });
    },
    async pendingEvents(limit) {
      return events
        .filter((e) => e.pending)
        .slice(0, limit)
        .map((e): PendingEvent => ({ seq: e.seq, event: e.event }));
    },
    async commit(c: Changeset) {
      control.commits += 1;
      if (control.failCommits > 0) {
        control.failCommits -= 1;
        throw storeFull();
      }
      for (const { event, pending } of c.newEvents ?? []) events.push({ seq: ++seq, event, pending });
      for (const done of c.processedSeqs ?? []) for (const e of events) if (e.seq === done) e.pending = false;
      for (const e of c.executions ?? []) executions.set(e._id, structuredClone(e));
      for (const t of c.timersPut ?? []) timers.set(t.id, t);
      for (const id of c.timersRemoveForTask ?? []) for (const t of [...timers.values()]) if (t.triggeredId === id) timers.delete(t.id);
      for (const id of [...(c.timersRemove ?? []), ...(c.firedTimers ?? [])]) timers.delete(id);
      for (const s of c.sequenceStates ?? []) states.set(s.shkeptncontext, structuredClone(s));
    },
    async getProject(name) {
      return name === 'shop' ? project : undefined;
    },
    async listProjects() {
      return [project];
    },
    async hasService(p, _stage, service) {
      return p === 'shop' && service === 'carts';
    },
    async listServices(p, stage) {
      return p === 'shop' ? [{ project: p, stage: stage ?? 'dev', name: 'carts', creationDate: '1', lastEventTypes: {} }] : [];
    },
    async getExecution(id) {
      const failure = control.failGetExecution;
      control.failGetExecution = undefined;
      if (failure) throw failure;
      return executions.get(id);
    },
    async findExecutionByTrigger(id) {
      return [...executions.values()].find((e) => e.scope.triggeredId === id);
    },
    async findExecutionByTask(id) {
      return [...executions.values()].find((e) => e.status.currentTask?.triggeredID === id);
    },
    async listExecutionsInScope(p, stage, service, wanted) {
      return [...executions.values()].filter(
        (e) => e.scope.project === p && e.scope.stage === stage && e.scope.service === service && wanted.includes(e.status.state),
      );
    },
    async queryExecutions(q) {
      const items = [...executions.values()].filter((e) => e.scope.project === q.project && (!q.state || e.status.state === q.state));
      return { items, totalCount: items.length };
    },
    async getSequenceState(_project, context) {
      return states.get(context);
    },
    async getSequenceStates(contexts) {
      return contexts.flatMap((c) => states.get(c.keptnContext) ?? []);
    },
    async listPauseMarkers() {
      return [];
    },
    async dueTimers(nowMs, limit) {
      return [...timers.values()].filter((t) => t.dueAtMs <= nowMs).slice(0, limit);
    },
    async nextTimerDueMs() {
      const due = [...timers.values()].map((t) => t.dueAtMs);
      return due.length === 0 ? undefined : Math.min(...due);
    },
  };
  const complete = new Proxy(store, {
    get(target, name: string) {
      const method = target[name as keyof ControlPlaneStore];
      if (method === undefined) throw new Error(`the store double has no ${name}`);
      return method;
    },
  }) as ControlPlaneStore;
  return { store: complete, control, events, executions, states, timers };
}

type MemoryStore = ReturnType<typeof memoryStore>;

/** Serves the one shipyard at commit `c1`. */
function configuration(): ConfigurationSource {
  return {
    async latestCommit() {
      return 'c1';
    },
    async readShipyard() {
      return SHIPYARD;
    },
  };
}

let nextId = 0;
function event(type: string, fields: Partial<KeptnEvent> = {}, data: Record<string, unknown> = {}): KeptnEvent {
  return {
    id: `ev-${++nextId}`,
    type,
    source: 'test',
    specversion: '1.0',
    time: new Date(Date.now()).toISOString(),
    contenttype: 'application/json',
    shkeptncontext: 'ctx-1',
    ...fields,
    data: { project: 'shop', stage: 'dev', service: 'carts', ...data },
  };
}

const trigger = (context: string, service = 'carts', data: Record<string, unknown> = {}) =>
  event('sh.keptn.event.dev.delivery.triggered', { shkeptncontext: context }, { service, ...data });

/** `levels` arrays nested in each other, deeper than any recursive copy survives. */
function nested(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

interface Harness {
  memory: MemoryStore;
  processor: EventProcessor;
  logs: string[];
  /** Open task `.triggered` events emitted so far, by context. */
  tasks(context: string): KeptnEvent[];
  stored(type: string): KeptnEvent[];
}

function harness(options: { retryMaxMs?: number; taskStartedWaitMs?: number } = {}): Harness {
  const memory = memoryStore();
  const logs: string[] = [];
  const clock = { nowMs: () => Date.now() };
  const orchestrator = createOrchestrator({
    store: memory.store,
    configuration: configuration(),
    clock,
    ids: { newId: () => `id-${++nextId}` },
    taskStartedWaitMs: options.taskStartedWaitMs ?? 600_000,
  });
  const processor = createEventProcessor({
    store: memory.store,
    orchestrator,
    clock,
    onError: (_error, what) => void logs.push(what),
    ...(options.retryMaxMs === undefined ? {} : { retryMaxMs: options.retryMaxMs }),
  });
  const stored = (type: string) => memory.events.filter((e) => e.event.type === type).map((e) => e.event);
  return {
    memory,
    processor,
    logs,
    stored,
    tasks: (context) =>
      memory.events
        .filter((e) => e.event.type.endsWith('.triggered') && e.event.source === ORCHESTRATOR_SOURCE && e.event.shkeptncontext === context)
        .map((e) => e.event),
  };
}

const retryDelays = (logs: string[]) => logs.flatMap((line) => [...line.matchAll(/retry \d+ in (\d+) ms/g)].map((m) => Number(m[1])));
const pendingIds = (h: Harness) => h.memory.events.filter((e) => e.pending).map((e) => e.event.id);

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('event processor: taking events in', () => {
  it('handles the events of every ingest made while the steps before ran in one step and one commit, in their order', async () => {
    const h = harness();
    await h.processor.start();
    const before = h.memory.control.commits;
    const triggers = ['ctx-a', 'ctx-b', 'ctx-c'].map((context) => trigger(context));
    await Promise.all(triggers.map((t) => h.processor.ingest([t])));
    expect(h.memory.control.commits - before).toBe(1);
    expect(h.stored('sh.keptn.event.dev.delivery.triggered').map((e) => e.id)).toEqual(triggers.map((t) => t.id));
    // One service: the first runs, the others wait behind it, in the order they came.
    expect(h.tasks('ctx-a').map((e) => e.type)).toEqual(['sh.keptn.event.deployment.triggered']);
    expect([h.memory.states.get('ctx-b')?.state, h.memory.states.get('ctx-c')?.state]).toEqual(['waiting', 'waiting']);
  });

  it('rejects every caller of a step whose events could not even be stored', async () => {
    const h = harness();
    await h.processor.start();
    // The step's commit fails, and so does storing its events as pending.
    h.memory.control.failAppends = true;
    h.memory.control.failCommits = 2;
    const results = await Promise.allSettled([h.processor.ingest([trigger('ctx-x')]), h.processor.ingest([trigger('ctx-y')])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});

describe('event processor: transient failures', () => {
  it('keeps the event pending, retries with doubling pauses through its timer, and continues once the cause is gone', async () => {
    const h = harness();
    await h.processor.start();
    const first = trigger('ctx-1');
    // The store is "full" for 4 commits: the ingest, the pending batch, then two retries.
    h.memory.control.failCommits = 4;
    await h.processor.ingest([first]);
    expect(pendingIds(h)).toEqual([first.id]);
    expect(retryDelays(h.logs)).toEqual([100]);
    expect(h.logs.at(-1)).toMatch(/SQLITE_FULL.*nothing is dropped, retry 1 in 100 ms at 2026-01-01T00:00:00.100Z/);

    // Nothing runs between retries (no busy loop).
    const commits = h.memory.control.commits;
    await vi.advanceTimersByTimeAsync(99);
    expect(h.memory.control.commits).toBe(commits);

    await vi.advanceTimersByTimeAsync(1);
    expect(retryDelays(h.logs)).toEqual([100, 200]);
    await vi.advanceTimersByTimeAsync(200);
    expect(retryDelays(h.logs)).toEqual([100, 200, 400]);
    expect(pendingIds(h)).toEqual([first.id]);
    expect(h.tasks('ctx-1')).toEqual([]);

    // The cause is gone: the next retry goes through and the sequence runs.
    await vi.advanceTimersByTimeAsync(400);
    expect(pendingIds(h)).toEqual([]);
    expect(h.tasks('ctx-1').map((e) => e.type)).toEqual(['sh.keptn.event.deployment.triggered']);
    expect(h.memory.states.get('ctx-1')?.state).toBe('started');
  });

  it('queues later events behind the failing one and handles them in order after it', async () => {
    const h = harness();
    await h.processor.start();
    h.memory.control.failCommits = 2;
    const first = trigger('ctx-1', 'carts');
    const second = trigger('ctx-2', 'carts');
    await h.processor.ingest([first]);
    await h.processor.ingest([second]);
    await h.processor.idle();
    // The second is stored (acknowledged) but not handled ahead of the first.
    expect(pendingIds(h)).toEqual([first.id, second.id]);
    expect(h.memory.executions.size).toBe(0);

    await vi.advanceTimersByTimeAsync(100);
    expect(pendingIds(h)).toEqual([]);
    // Same queue: the first holds it, the second waits behind it.
    expect(h.memory.states.get('ctx-1')?.state).toBe('started');
    expect(h.memory.states.get('ctx-2')?.state).toBe('waiting');
  });

  it('caps the pause at retryMaxMs', async () => {
    const h = harness({ retryMaxMs: 1000 });
    await h.processor.start();
    h.memory.control.failCommits = 7;
    await h.processor.ingest([trigger('ctx-1')]);
    await vi.advanceTimersByTimeAsync(100 + 200 + 400 + 800 + 1000 + 1000);
    expect(retryDelays(h.logs)).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(h.memory.states.get('ctx-1')?.state).toBe('started');
  });

  it('keeps a due timer in place while firing it fails, and fires it on the retry', async () => {
    const h = harness({ taskStartedWaitMs: 1000 });
    await h.processor.start();
    await h.processor.ingest([trigger('ctx-1')]);
    expect(h.memory.timers.size).toBe(1);
    h.memory.control.failCommits = 2;
    // The task's .triggered is stamped 1 ms after the trigger (the fake clock has not moved), and
    // its start timeout counts from then.
    await vi.advanceTimersByTimeAsync(1001);
    expect(h.memory.timers.size).toBe(1);
    expect(h.memory.states.get('ctx-1')?.state).toBe('started');
    await vi.advanceTimersByTimeAsync(100 + 200);
    expect(h.memory.timers.size).toBe(0);
    expect(h.memory.states.get('ctx-1')?.state).toBe('timedOut');
    expect(retryDelays(h.logs)).toEqual([100, 200]);
  });
});

describe('event processor: permanent failures', () => {
  it('ends the sequence of a trigger that cannot be handled: errored .finished, the reason in the sequence state, event processed', async () => {
    const h = harness();
    await h.processor.start();
    const deep = trigger('ctx-d', 'carts', { deep: nested(100_000) });
    await h.processor.ingest([deep]);
    expect(pendingIds(h)).toEqual([]);
    const finished = h.stored('sh.keptn.event.dev.delivery.finished').find((e) => e.triggeredid === deep.id);
    expect(finished?.data).toMatchObject({ status: 'errored', result: 'fail' });
    expect(String(finished?.data.message)).toMatch(new RegExp(`Unable to handle event ${deep.id} .*Maximum call stack size exceeded`));
    const view = h.memory.states.get('ctx-d');
    expect(view).toMatchObject({ state: 'finished', stages: [{ name: 'dev', state: 'errored' }] });
    expect(view?.stages[0]?.message).toBe(finished?.data.message);
    expect(h.logs.some((line) => line.includes(`event ${deep.id}`) && line.includes('failed permanently'))).toBe(true);
  });

  it('ends the sequence of a task .finished that cannot be handled, and lets the queue move on', async () => {
    const h = harness();
    await h.processor.start();
    await h.processor.ingest([trigger('ctx-1'), trigger('ctx-2')]);
    const [task] = h.tasks('ctx-1');
    if (!task) throw new Error('no task');
    const finished = event(
      'sh.keptn.event.deployment.finished',
      { shkeptncontext: 'ctx-1', triggeredid: task.id },
      { result: 'pass', status: 'succeeded', deployment: nested(100_000) },
    );
    await h.processor.ingest([finished]);
    expect(pendingIds(h)).toEqual([]);
    const ended = h.stored('sh.keptn.event.dev.delivery.finished').find((e) => e.shkeptncontext === 'ctx-1');
    expect(ended?.data).toMatchObject({ status: 'errored', result: 'fail' });
    expect(String(ended?.data.message)).toContain(`Unable to handle event ${finished.id} of type sh.keptn.event.deployment.finished`);
    expect(h.memory.states.get('ctx-1')).toMatchObject({ state: 'finished', stages: [{ state: 'errored' }] });
    // The queued sequence behind it starts.
    expect(h.tasks('ctx-2').map((e) => e.type)).toEqual(['sh.keptn.event.deployment.triggered']);
  });

  it('retries recording the failure when the store fails meanwhile, without dropping the event', async () => {
    const h = harness();
    await h.processor.start();
    // A trigger that fails permanently, and whose failure record then meets a full store twice.
    const again = trigger('ctx-e', 'carts', { deep: nested(100_000) });
    const commit = h.memory.store.commit.bind(h.memory.store);
    let failFailure = 2;
    h.memory.store.commit = async (c) => {
      if ((c.processedSeqs?.length ?? 0) > 0 && failFailure > 0 && (c.newEvents ?? []).some((e) => e.event.type.endsWith('.finished'))) {
        failFailure -= 1;
        throw storeFull();
      }
      return commit(c);
    };
    await h.processor.ingest([again]);
    expect(pendingIds(h)).toEqual([again.id]);
    expect(h.logs.at(-1)).toMatch(/recording the failure of event .* failed transiently.*retry 1 in 100 ms/);
    await vi.advanceTimersByTimeAsync(100 + 200);
    expect(pendingIds(h)).toEqual([]);
    expect(h.memory.states.get('ctx-e')).toMatchObject({ state: 'finished', stages: [{ state: 'errored' }] });
  });

  it('ends the sequence when a timer cannot be fired, and removes the timer', async () => {
    const h = harness({ taskStartedWaitMs: 1000 });
    await h.processor.start();
    await h.processor.ingest([trigger('ctx-1')]);
    h.memory.control.failGetExecution = new Error('execution document is unreadable');
    await vi.advanceTimersByTimeAsync(1001); // 1 ms: the task's .triggered follows the trigger
    expect(h.memory.timers.size).toBe(0);
    const ended = h.stored('sh.keptn.event.dev.delivery.finished').find((e) => e.shkeptncontext === 'ctx-1');
    expect(ended?.data).toMatchObject({ status: 'errored', result: 'fail' });
    expect(String(ended?.data.message)).toMatch(/Unable to fire timer startTimeout of task .*execution document is unreadable/);
    expect(h.memory.states.get('ctx-1')?.stages[0]?.message).toBe(ended?.data.message);
  });
});
