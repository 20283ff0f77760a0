/**
 * The orchestrator driven in-process on the in-memory store and a clock moved by hand: no server,
 * no SQLite, no timers of the event loop. Each test plays the executors' part (answering task
 * `.triggered` events with `.started`/`.finished`) and reads the outcome through the store port,
 * as the API would: events, open tasks, executions and the sequence state view.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore, fixtureProject, manualClock } from '@shipmate/testing';
import type { MemoryControlPlaneStore } from '@shipmate/testing';
import { createStoreConfigurationSource } from '../config/store-configuration-source.js';
import { keptnTime } from '../events/keptn-event.js';
import type { EventData, KeptnEvent } from '../events/keptn-event.js';
import type { SequenceState } from '../sequence/sequence-state.js';
import type { ControlPlaneStore } from '../ports/store.js';
import { createOrchestrator } from './orchestrator.js';
import type { Orchestrator } from './orchestrator.js';

/** dev → hardening → production, each stage started by the previous one's `delivery.finished`. */
const SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: orchestrator-unit
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks:
            - name: deployment
            - name: evaluation
    - name: hardening
      sequences:
        - name: delivery
          triggeredOn:
            - event: dev.delivery.finished
          tasks:
            - name: deployment
            - name: evaluation
    - name: production
      sequences:
        - name: delivery
          triggeredOn:
            - event: hardening.delivery.finished
          tasks:
            - name: approval
            - name: deployment
`;

const PROJECT = 'shop';
const STAGES = ['dev', 'hardening', 'production'];
/** TASK_STARTED_WAIT_DURATION of these tests. */
const STARTED_WAIT_MS = 60_000;

let store: MemoryControlPlaneStore;
let clock: ReturnType<typeof manualClock>;
let orchestrator: Orchestrator;
let lastId = 0;

beforeEach(async () => {
  store = createMemoryStore();
  clock = manualClock();
  orchestrator = orchestratorOn(store);
  await store.putShipyardVersion(PROJECT, 'c1', SHIPYARD);
  await store.insertProject(fixtureProject(PROJECT, { shipyard: SHIPYARD, shipyardCommit: 'c1', stages: STAGES }));
  for (const service of ['carts', 'orders']) await store.insertService(PROJECT, service, STAGES, '1');
});

/** An orchestrator of these tests working on `on` (the test store, or a view of it). */
function orchestratorOn(on: ControlPlaneStore): Orchestrator {
  return createOrchestrator({
    store: on,
    configuration: createStoreConfigurationSource(store),
    clock,
    ids: { newId: () => `id-${++lastId}` },
    taskStartedWaitMs: STARTED_WAIT_MS,
  });
}

/** Hands pending events (chained triggers) to the orchestrator until none is left, as the event processor does. */
async function drain(): Promise<void> {
  for (let batch = await store.pendingEvents(100); batch.length > 0; batch = await store.pendingEvents(100)) {
    await orchestrator.handleEvents(batch);
  }
}

/**
 * An event from outside (a user or an executor), a second after the previous one, taken in and
 * handled with what it set off.
 */
async function send(type: string, keptnContext: string, data: EventData, triggeredid?: string): Promise<void> {
  await orchestrator.ingestEvents([incoming(type, keptnContext, data, triggeredid)]);
  await drain();
}

/** An event from outside, a second after the previous one. */
function incoming(type: string, keptnContext: string, data: EventData, triggeredid?: string): KeptnEvent {
  clock.advance(1000);
  return {
    id: `in-${++lastId}`,
    type,
    source: 'orchestrator-test',
    specversion: '1.0',
    time: keptnTime(clock.nowMs()),
    contenttype: 'application/json',
    shkeptncontext: keptnContext,
    ...(triggeredid ? { triggeredid } : {}),
    data,
  };
}

/** Starts `<stage>.delivery` for a service in a new context. */
async function trigger(keptnContext: string, stage = 'dev', service = 'carts'): Promise<void> {
  await send(`sh.keptn.event.${stage}.delivery.triggered`, keptnContext, { project: PROJECT, stage, service });
}

/** Moves the clock on and fires the timers due by then, as the event processor does. */
async function advance(ms: number): Promise<void> {
  clock.advance(ms);
  for (let due = await store.dueTimers(clock.nowMs(), 100); due.length > 0; due = await store.dueTimers(clock.nowMs(), 100)) {
    for (const timer of due) await orchestrator.fireTimer(timer);
    await drain();
  }
}

/** The open task `.triggered` events of a context, as executors would be offered them, oldest first. */
async function openTasks(keptnContext: string): Promise<KeptnEvent[]> {
  const open = await store.queryOpenTriggered({ project: PROJECT, visibleAt: keptnTime(clock.nowMs() + 60_000) });
  return open.filter((e) => e.shkeptncontext === keptnContext && !e.type.includes('.delivery.')).reverse();
}

/** `<stage>/<task>` of each open task of a context. */
async function openTaskNames(keptnContext: string): Promise<string[]> {
  return (await openTasks(keptnContext)).map((e) => `${String(e.data.stage)}/${e.type.split('.')[3]}`);
}

/** The one open task of a context; fails the test when there is not exactly one. */
async function theOpenTask(keptnContext: string, name: string): Promise<KeptnEvent> {
  const open = await openTasks(keptnContext);
  expect(open.map((e) => e.type)).toEqual([`sh.keptn.event.${name}.triggered`]);
  return open[0] as KeptnEvent;
}

/** An executor answers a task: `.started`, then `.finished` with `result` (`only` one of them). */
async function answer(task: KeptnEvent, result: 'pass' | 'warning' | 'fail' = 'pass', only?: 'started' | 'finished'): Promise<void> {
  const name = task.type.split('.')[3] ?? '';
  const data = { project: PROJECT, stage: task.data.stage, service: task.data.service };
  if (only !== 'finished') await send(`sh.keptn.event.${name}.started`, task.shkeptncontext, data, task.id);
  if (only !== 'started')
    await send(`sh.keptn.event.${name}.finished`, task.shkeptncontext, { ...data, status: 'succeeded', result }, task.id);
}

/** Runs every open task of the context to `.finished` with `pass` until none is open or `stopAt` is reached. */
async function passTasks(keptnContext: string, stopAt?: string): Promise<void> {
  for (let open = await openTasks(keptnContext); open.length > 0; open = await openTasks(keptnContext)) {
    const [task] = open as [KeptnEvent];
    if (stopAt && task.type === `sh.keptn.event.${stopAt}.triggered`) return;
    await answer(task);
  }
}

async function view(keptnContext: string): Promise<SequenceState | undefined> {
  return store.getSequenceState(PROJECT, keptnContext);
}

/** `<stage>: <state>` of each stage in the view. */
async function stageStates(keptnContext: string): Promise<string[]> {
  return ((await view(keptnContext))?.stages ?? []).map((s) => `${s.name}: ${s.state}`);
}

/** The `data` of each `<stage>.delivery.finished` of a context, oldest first. */
async function sequenceResults(keptnContext: string): Promise<Array<{ stage: unknown; status: unknown; result: unknown }>> {
  const page = await store.queryEvents({ keptnContext, offset: 0, limit: 0 });
  return page.items
    .filter((e) => /^sh\.keptn\.event\.[^.]+\.delivery\.finished$/.test(e.type))
    .reverse()
    .map((e) => ({ stage: e.data.stage, status: e.data.status, result: e.data.result }));
}

async function executionStates(keptnContext: string): Promise<string[]> {
  return (await store.listExecutionsOfContext(PROJECT, keptnContext)).map((e) => `${e.scope.stage}: ${e.status.state}`);
}

describe('orchestrator on the in-memory store', () => {
  it('delivers through three stages, each started by the previous one finishing, the last after its approval', async () => {
    await trigger('ctx-1');
    expect(await openTaskNames('ctx-1')).toEqual(['dev/deployment']);

    await passTasks('ctx-1', 'approval');
    expect(await stageStates('ctx-1')).toEqual(['dev: succeeded', 'hardening: succeeded', 'production: triggered']);
    await answer(await theOpenTask('ctx-1', 'approval'));
    await passTasks('ctx-1');

    expect(await sequenceResults('ctx-1')).toEqual([
      { stage: 'dev', status: 'succeeded', result: 'pass' },
      { stage: 'hardening', status: 'succeeded', result: 'pass' },
      { stage: 'production', status: 'succeeded', result: 'pass' },
    ]);
    const triggered = (await store.queryEvents({ keptnContext: 'ctx-1', offset: 0, limit: 0 })).items
      .filter((e) => e.type.endsWith('.triggered'))
      .reverse()
      .map((e) => `${String(e.data.stage)}/${e.type.replace('sh.keptn.event.', '').replace('.triggered', '')}`);
    expect(triggered).toEqual([
      'dev/dev.delivery',
      'dev/deployment',
      'dev/evaluation',
      'hardening/hardening.delivery',
      'hardening/deployment',
      'hardening/evaluation',
      'production/production.delivery',
      'production/approval',
      'production/deployment',
    ]);
    expect((await view('ctx-1'))?.state).toBe('finished');
    expect(await stageStates('ctx-1')).toEqual(['dev: succeeded', 'hardening: succeeded', 'production: succeeded']);
    expect(await executionStates('ctx-1')).toEqual(['dev: finished', 'hardening: finished', 'production: finished']);
    expect(await openTasks('ctx-1')).toEqual([]);
  });

  it('stops the promotion when an evaluation fails: the stage ends with result fail and no next stage starts', async () => {
    await trigger('ctx-1');
    await answer(await theOpenTask('ctx-1', 'deployment'));
    await answer(await theOpenTask('ctx-1', 'evaluation'), 'fail');

    expect(await sequenceResults('ctx-1')).toEqual([{ stage: 'dev', status: 'succeeded', result: 'fail' }]);
    expect(await store.listExecutionsOfContext(PROJECT, 'ctx-1')).toHaveLength(1);
    expect(await openTasks('ctx-1')).toEqual([]);
    const dev = (await view('ctx-1'))?.stages[0];
    expect(dev?.latestFailedEvent?.type).toBe('sh.keptn.event.dev.delivery.finished');
    expect((await view('ctx-1'))?.state).toBe('finished');
  });

  it('promotes on a warning evaluation, as Keptn chains on pass and warning', async () => {
    await trigger('ctx-1');
    await answer(await theOpenTask('ctx-1', 'deployment'));
    await answer(await theOpenTask('ctx-1', 'evaluation'), 'warning');
    expect(await openTaskNames('ctx-1')).toEqual(['hardening/deployment']);
  });

  it('handles events taken in together as one by one, reading the executions and sequence states they need ahead in one read each', async () => {
    await trigger('ctx-1');
    await trigger('ctx-2', 'dev', 'orders');
    const one = await theOpenTask('ctx-1', 'deployment');
    const two = await theOpenTask('ctx-2', 'deployment');
    const reads: string[] = [];
    const stateReads: string[][] = [];
    const counted = new Proxy(store, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== 'function' || !/^((find|list)Execution|getSequenceState)/.test(String(key))) return value;
        return (...args: unknown[]) => {
          reads.push(String(key));
          if (key === 'getSequenceStates') stateReads.push((args[0] as Array<{ keptnContext: string }>).map((c) => c.keptnContext).sort());
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const answers = (task: KeptnEvent): KeptnEvent[] => {
      const name = task.type.split('.')[3] ?? '';
      const data = { project: PROJECT, stage: task.data.stage, service: task.data.service };
      return [
        incoming(`sh.keptn.event.${name}.started`, task.shkeptncontext, data, task.id),
        incoming(`sh.keptn.event.${name}.finished`, task.shkeptncontext, { ...data, status: 'succeeded', result: 'pass' }, task.id),
      ];
    };
    const unknown = incoming(
      'sh.keptn.event.test.finished',
      'ctx-unknown',
      { project: PROJECT, stage: 'dev', service: 'carts' },
      'no-task',
    );

    await orchestratorOn(counted).ingestEvents([...answers(one), unknown, ...answers(two)]);
    await drain();

    expect(await openTaskNames('ctx-1')).toEqual(['dev/evaluation']);
    expect(await openTaskNames('ctx-2')).toEqual(['dev/evaluation']);
    // One read for the four answers' tasks, then one for the sequence states of the two contexts
    // whose tasks were answered and one for the context of the answer that has no task.
    expect(reads).toEqual(['findExecutionsByTasks', 'getSequenceStates', 'listExecutionsOfContexts']);
    expect(stateReads).toEqual([['ctx-1', 'ctx-2']]);
  });

  describe('approval', () => {
    /** Runs ctx through dev and hardening to the production approval, and has it started. */
    async function toApproval(keptnContext: string): Promise<KeptnEvent> {
      await trigger(keptnContext);
      await passTasks(keptnContext, 'approval');
      const approval = await theOpenTask(keptnContext, 'approval');
      await answer(approval, 'pass', 'started');
      return approval;
    }

    it('waits for the approval however long it takes, then runs the next task', async () => {
      const approval = await toApproval('ctx-1');
      await advance(10 * STARTED_WAIT_MS);

      expect(await executionStates('ctx-1')).toContain('production: waitingForApproval');
      expect(await openTaskNames('ctx-1')).toEqual(['production/approval']);

      await answer(approval, 'pass', 'finished');
      expect(await openTaskNames('ctx-1')).toEqual(['production/deployment']);
    });

    it('ends the sequence without deploying when the approval is declined', async () => {
      const approval = await toApproval('ctx-1');
      await answer(approval, 'fail', 'finished');
      expect(await openTasks('ctx-1')).toEqual([]);
      expect((await sequenceResults('ctx-1')).at(-1)).toEqual({ stage: 'production', status: 'succeeded', result: 'fail' });
    });

    it('lets another sequence of the stage and service run while it waits, and holds the approved one until that finished', async () => {
      const approval = await toApproval('ctx-1');
      await trigger('ctx-2', 'production');
      const second = await theOpenTask('ctx-2', 'approval');
      await answer(second, 'pass', 'started');
      // Both wait for approval; neither holds the queue. Approving the second lets it deploy.
      await answer(second, 'pass', 'finished');
      const deployment = await theOpenTask('ctx-2', 'deployment');

      await answer(approval, 'pass', 'finished');
      expect(await executionStates('ctx-1')).toContain('production: waiting');
      expect(await openTasks('ctx-1')).toEqual([]);

      await answer(deployment);
      expect(await openTaskNames('ctx-1')).toEqual(['production/deployment']);
    });
  });

  describe('sequence control', () => {
    it('holds the next task while paused and triggers it on resume', async () => {
      await trigger('ctx-1');
      const deployment = await theOpenTask('ctx-1', 'deployment');
      await orchestrator.control(PROJECT, 'ctx-1', 'pause');
      expect((await view('ctx-1'))?.state).toBe('paused');

      // The running task still reports; the next one waits.
      await answer(deployment);
      expect(await openTasks('ctx-1')).toEqual([]);
      expect(await executionStates('ctx-1')).toEqual(['dev: paused']);

      await orchestrator.control(PROJECT, 'ctx-1', 'resume');
      await drain();
      expect(await openTaskNames('ctx-1')).toEqual(['dev/evaluation']);
      expect((await view('ctx-1'))?.state).toBe('started');
    });

    it('starts a sequence in a paused stage as paused, and runs it once that stage is resumed', async () => {
      await trigger('ctx-1');
      await orchestrator.control(PROJECT, 'ctx-1', 'pause', 'hardening');
      await passTasks('ctx-1');

      expect(await sequenceResults('ctx-1')).toEqual([{ stage: 'dev', status: 'succeeded', result: 'pass' }]);
      expect(await executionStates('ctx-1')).toEqual(['dev: finished', 'hardening: paused']);
      expect(await openTasks('ctx-1')).toEqual([]);

      await orchestrator.control(PROJECT, 'ctx-1', 'resume', 'hardening');
      await drain();
      expect(await openTaskNames('ctx-1')).toEqual(['hardening/deployment']);
    });

    it('aborts: the sequence ends as aborted, late answers change nothing and no next stage starts', async () => {
      await trigger('ctx-1');
      const deployment = await theOpenTask('ctx-1', 'deployment');
      await orchestrator.control(PROJECT, 'ctx-1', 'abort');
      await drain();

      expect(await sequenceResults('ctx-1')).toEqual([{ stage: 'dev', status: 'aborted', result: 'pass' }]);
      expect((await view('ctx-1'))?.state).toBe('aborted');
      expect(await openTasks('ctx-1')).toEqual([]);

      await answer(deployment);
      expect(await openTasks('ctx-1')).toEqual([]);
      expect(await store.listExecutionsOfContext(PROJECT, 'ctx-1')).toHaveLength(1);
      expect(await sequenceResults('ctx-1')).toHaveLength(1);
    });

    it('refuses to control a context it does not know, naming it', async () => {
      await expect(orchestrator.control(PROJECT, 'ctx-ghost', 'pause')).rejects.toMatchObject({
        code: 'ERR_SEQUENCE_NOT_FOUND',
        message: expect.stringContaining("'ctx-ghost'"),
      });
    });
  });

  describe('timeouts on the clock', () => {
    it('times the sequence out when no executor starts a task within TASK_STARTED_WAIT_DURATION', async () => {
      await trigger('ctx-1');
      await advance(STARTED_WAIT_MS - 1_000);
      expect(await openTaskNames('ctx-1')).toEqual(['dev/deployment']);

      await advance(2_000);
      expect(await executionStates('ctx-1')).toEqual(['dev: timedOut']);
      expect((await view('ctx-1'))?.state).toBe('timedOut');
      expect(await openTasks('ctx-1')).toEqual([]);
      expect(await store.nextTimerDueMs()).toBeUndefined();
    });

    it('does not time out a task that has started, and lets the queue move on after a timeout', async () => {
      await trigger('ctx-1');
      await trigger('ctx-2');
      const deployment = await theOpenTask('ctx-1', 'deployment');
      await answer(deployment, 'pass', 'started');
      await advance(2 * STARTED_WAIT_MS);
      expect(await executionStates('ctx-1')).toEqual(['dev: started']);
      expect(await openTasks('ctx-2')).toEqual([]);

      // ctx-1's next task is never started: it times out and ctx-2 gets the queue.
      await answer(deployment, 'pass', 'finished');
      expect(await openTaskNames('ctx-1')).toEqual(['dev/evaluation']);
      await advance(STARTED_WAIT_MS + 1);
      expect(await executionStates('ctx-1')).toEqual(['dev: timedOut']);
      expect(await openTaskNames('ctx-2')).toEqual(['dev/deployment']);
    });
  });

  describe('queue per stage and service', () => {
    it('makes a second sequence of the same service wait until the first has finished in that stage', async () => {
      await trigger('ctx-1');
      await trigger('ctx-2');
      expect(await openTaskNames('ctx-2')).toEqual([]);
      expect((await view('ctx-2'))?.state).toBe('waiting');

      await answer(await theOpenTask('ctx-1', 'deployment'));
      expect(await openTasks('ctx-2')).toEqual([]);
      await answer(await theOpenTask('ctx-1', 'evaluation'));

      // ctx-1 moved on to hardening; dev is free for ctx-2.
      expect(await openTaskNames('ctx-1')).toEqual(['hardening/deployment']);
      expect(await openTaskNames('ctx-2')).toEqual(['dev/deployment']);
      expect((await view('ctx-2'))?.state).toBe('started');
    });

    it('runs sequences of other services, and of the same service in other stages, side by side', async () => {
      await trigger('ctx-1');
      await trigger('ctx-2', 'dev', 'orders');
      await trigger('ctx-3', 'hardening');
      expect(await openTaskNames('ctx-1')).toEqual(['dev/deployment']);
      expect(await openTaskNames('ctx-2')).toEqual(['dev/deployment']);
      expect(await openTaskNames('ctx-3')).toEqual(['hardening/deployment']);
    });

    it('starts queued sequences in the order they were triggered', async () => {
      await trigger('ctx-1');
      clock.advance(1);
      await trigger('ctx-2');
      clock.advance(1);
      await trigger('ctx-3');
      await passTasks('ctx-1', 'approval');
      expect(await openTaskNames('ctx-2')).toEqual(['dev/deployment']);
      expect(await openTasks('ctx-3')).toEqual([]);
    });
  });
});
