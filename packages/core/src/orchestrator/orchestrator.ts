/**
 * Orchestrator use cases: start sequences from `<stage>.<seq>.triggered`, move them on with task
 * `.started`/`.finished`, run the per project/stage/service FIFO queue, chain stages, fire
 * timers and apply sequence control. Each call is one step: read, decide through `transition`,
 * commit once. Callers serialise steps (see event-processor.ts).
 */
import { parseEventType, sequenceEventType } from '../events/event-type.js';
import { ORCHESTRATOR_SOURCE, KEPTN_SPEC_VERSION, keptnTime } from '../events/keptn-event.js';
import type { EventData, KeptnEvent } from '../events/keptn-event.js';
import { NotFoundError, isTransient } from '../errors/errors.js';
import { ErrorCode } from '../errors/error-codes.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/id-generator.js';
import type { ConfigurationSource } from '../ports/configuration-source.js';
import type { ControlPlaneStore, PendingEvent, TimerRecord } from '../ports/store.js';
import { findSequence, parseShipyardYaml, sequencesTriggeredBy } from '../shipyard/parse-shipyard.js';
import { LruCache } from '../config/lru-cache.js';
import type { Shipyard } from '../shipyard/shipyard.js';
import { BLOCKING_STATES, ExecutionState, executionWithCurrentTask, isTerminal } from '../sequence/execution.js';
import type { SequenceExecution } from '../sequence/execution.js';
import { accumulatedData, transition } from '../sequence/transition.js';
import type { ExecutionEffect, ExecutionInput } from '../sequence/transition.js';
import { cloneJson } from '../sequence/merge-data.js';
import { imageOf, nextSequenceView } from '../sequence/sequence-view.js';
import type { ViewChange } from '../sequence/sequence-view.js';
import { noLiveSubscriberMessage } from '../delivery/unserved-tasks.js';
import { QUEUE_STATES, UnitOfWork } from './unit-of-work.js';

/** Settings of the orchestrator. */
export interface OrchestratorOptions {
  store: ControlPlaneStore;
  configuration: ConfigurationSource;
  clock: Clock;
  ids: IdGenerator;
  /** TASK_STARTED_WAIT_DURATION in ms (Keptn default 10m). */
  taskStartedWaitMs: number;
  /** How many parsed shipyards to keep, keyed by project and commit. @default 256 */
  shipyardCacheSize?: number;
  /**
   * Whether some live integration subscribes to a task `.triggered` now (synchronous: the
   * registry's in-memory index, delivery/live-subscriber-index.ts). When it says no, the step that triggers the
   * task notes why it waits in the stage's `message` (ARCHITECTURE.md §2). @default no notes
   */
  taskHasLiveSubscriber?: (task: KeptnEvent) => boolean;
}

/** Values of `POST .../sequence/{project}/{context}/control`. */
export type SequenceControlState = 'pause' | 'resume' | 'abort';

/** The orchestrator's use cases. */
export interface Orchestrator {
  /** Handles one stored pending event and marks it processed, in one transaction. */
  handleEvent(pending: PendingEvent): Promise<KeptnEvent[]>;
  /**
   * Handles several pending events in order and commits them together in one transaction. If
   * one fails nothing is committed and the error is thrown (the caller retries one by one).
   */
  handleEvents(batch: readonly PendingEvent[]): Promise<KeptnEvent[]>;
  /**
   * Stores new events and handles them in the same transaction (the fast path for events from
   * clients: one commit instead of store-then-handle). Throws without storing anything on error.
   */
  ingestEvents(events: readonly KeptnEvent[]): Promise<KeptnEvent[]>;
  /** Fires a due timer. */
  fireTimer(timer: TimerRecord): Promise<KeptnEvent[]>;
  /**
   * Ends the sequence of a pending event that cannot be handled (permanently): a sequence trigger
   * is rejected with an errored `.finished` and a sequence state carrying `reason`; a task
   * `.started`/`.finished` ends its execution as errored with `reason`. Marks the event processed,
   * all in one transaction.
   */
  failEvent(pending: PendingEvent, reason: string): Promise<KeptnEvent[]>;
  /** Removes a timer that cannot be fired (permanently) and ends its execution as errored with `reason`, in one transaction. */
  failTimer(timer: TimerRecord, reason: string): Promise<KeptnEvent[]>;
  /** Pauses, resumes or aborts a context (optionally one stage). */
  control(project: string, keptnContext: string, state: SequenceControlState, stage?: string): Promise<KeptnEvent[]>;
  /** Re-runs queue dispatch for every scope with queued work (after a restart). */
  recover(): Promise<void>;
  /** {@link recover} for one project. */
  recoverProject(project: string): Promise<void>;
  /**
   * Loads and parses the shipyard a new sequence of `stage` will pin (`commit`, or the stage's latest)
   * into the cache, outside any step: called when a trigger arrives, so that reading git and
   * parsing YAML run concurrently with other requests instead of inside the serialised step.
   * Never throws (the step reports a shipyard that cannot be loaded).
   */
  prepareStart(project: string, stage: string, commit?: string): Promise<void>;
}

/** Creates the orchestrator. */
export function createOrchestrator(options: OrchestratorOptions): Orchestrator {
  const { store, configuration, clock, ids } = options;
  const cacheSize = options.shipyardCacheSize ?? 256;
  /** Parsed shipyards by project and commit. */
  const shipyards = new LruCache<string, Shipyard>(cacheSize);
  /**
   * Parsed shipyards by their text: most commits change resources, not the shipyard, so a commit
   * never seen before usually has a shipyard parsed before.
   */
  const parsedTexts = new LruCache<string, Shipyard>(Math.min(cacheSize, 32));

  async function loadShipyard(project: string, commit: string): Promise<Shipyard | undefined> {
    const key = `${project}@${commit}`;
    const cached = shipyards.get(key);
    if (cached) return cached;
    const text = await configuration.readShipyard(project, commit);
    if (text === undefined) return undefined;
    let parsed = parsedTexts.get(text);
    if (!parsed) {
      parsed = parseShipyardYaml(text);
      parsedTexts.set(text, parsed);
    }
    shipyards.set(key, parsed);
    return parsed;
  }

  /** Transition context; events it stamps are later than this step's causes (see {@link UnitOfWork.eventTimeMs}). */
  function ctx(uow: UnitOfWork) {
    return { nowMs: uow.eventTimeMs(clock.nowMs()), newId: () => ids.newId(), taskStartedWaitMs: options.taskStartedWaitMs };
  }

  /** `time` of an event this step emits now. */
  function eventTime(uow: UnitOfWork): string {
    return keptnTime(uow.eventTimeMs(clock.nowMs()));
  }

  function nowIso(): string {
    return keptnTime(clock.nowMs());
  }

  /** The one door to the context's sequence view (sequence-view.ts): tells it what happened. */
  async function changeView(uow: UnitOfWork, project: string, context: string, change: ViewChange): Promise<void> {
    const next = nextSequenceView(await uow.sequenceState(project, context), change);
    if (next) uow.saveSequenceState(next);
  }

  /** Applies a transition and its effects to the unit of work. */
  async function step(uow: UnitOfWork, execution: SequenceExecution, input: ExecutionInput): Promise<SequenceExecution> {
    const result = transition(execution, input, ctx(uow));
    if (result.execution !== execution) uow.saveExecution(result.execution);
    for (const effect of result.effects) await applyEffect(uow, result.execution, effect);
    return result.execution;
  }

  async function applyEffect(uow: UnitOfWork, execution: SequenceExecution, effect: ExecutionEffect): Promise<void> {
    const { project, stage, service, keptnContext } = execution.scope;
    switch (effect.kind) {
      case 'triggerTask': {
        uow.emit(effect.event, { pending: false });
        // Executors see the task from now on, though its time may lie 1 ms ahead (after its cause).
        const nowMs = clock.nowMs();
        const aheadMs = uow.eventTimeMs(nowMs) - nowMs;
        const visibleAt = aheadMs > 0 ? { visibleAt: keptnTime(Date.parse(effect.event.time) - aheadMs) } : {};
        uow.openTriggered({ event: effect.event, executionId: execution._id, project, stage, service, ...visibleAt });
        noteActivity(uow, execution, effect.event);
        const unserved = options.taskHasLiveSubscriber?.(effect.event) === false;
        const message = unserved ? noLiveSubscriberMessage(effect.event, options.taskStartedWaitMs) : undefined;
        await changeView(uow, project, keptnContext, {
          kind: 'taskEvent',
          stage,
          event: effect.event,
          nowIso: nowIso(),
          ...(message ? { message } : {}),
        });
        return;
      }
      case 'openSubtask':
        uow.openTriggered({ event: effect.event, executionId: execution._id, project, stage, service }, { incoming: true });
        return;
      case 'closeTask':
        uow.closeTriggered(effect.triggeredId);
        uow.clearTaskTimers(effect.triggeredId);
        return;
      case 'setTimer':
        uow.setTimer({ id: ids.newId(), executionId: execution._id, ...effect.timer });
        return;
      case 'taskEventRecorded':
        noteActivity(uow, execution, effect.event);
        await changeView(uow, project, keptnContext, { kind: 'taskEvent', stage, event: effect.event, nowIso: nowIso() });
        return;
      case 'sequenceFinished':
        await onSequenceFinished(uow, execution, effect);
        return;
      case 'ignored':
        return;
      default: {
        const unreachable: never = effect;
        throw new Error(`unknown effect ${JSON.stringify(unreachable)}`);
      }
    }
  }

  function noteActivity(uow: UnitOfWork, execution: SequenceExecution, event: KeptnEvent): void {
    const { project, stage, service } = execution.scope;
    const deployedImage = event.type === 'sh.keptn.event.deployment.finished' ? imageOf(execution.inputProperties) : undefined;
    uow.noteActivity({
      project,
      stage,
      service,
      eventType: event.type,
      ref: { eventId: event.id, keptnContext: event.shkeptncontext, time: `${Date.parse(event.time)}000000` },
      ...(deployedImage ? { deployedImage } : {}),
    });
  }

  async function onSequenceFinished(
    uow: UnitOfWork,
    execution: SequenceExecution,
    effect: Extract<ExecutionEffect, { kind: 'sequenceFinished' }>,
  ): Promise<void> {
    const { project, stage, keptnContext } = execution.scope;
    uow.emit(effect.event, { pending: false });
    uow.noteCause(effect.event);
    uow.closeTriggered(execution.scope.triggeredId);
    const chained = effect.chain ? await chainedTriggers(uow, execution, effect.outcome.result, effect.lastTaskName) : [];
    for (const event of chained) uow.emit(event, { pending: true });
    await changeView(uow, project, keptnContext, {
      kind: 'stageFinished',
      stage,
      finished: effect.event,
      nowIso: nowIso(),
      outcome: effect.outcome,
      timedOut: effect.timedOut,
      chainedStages: chained.map((event) => event.data.stage ?? ''),
    });
  }

  /** `<target>.<seq>.triggered` events for every sequence chained on this one's finish. */
  async function chainedTriggers(
    uow: UnitOfWork,
    execution: SequenceExecution,
    result: 'pass' | 'warning' | 'fail',
    lastTaskName: string,
  ): Promise<KeptnEvent[]> {
    const { project, stage, keptnContext } = execution.scope;
    const shipyard = await loadShipyard(project, execution.scope.gitcommitid);
    if (!shipyard) return [];
    const targets = sequencesTriggeredBy(shipyard, stage, execution.sequence.name, result, lastTaskName);
    const events: KeptnEvent[] = [];
    for (const target of targets) {
      const data: EventData = accumulatedData(execution);
      data.stage = target.stage;
      const commit = (await configuration.latestCommit(project, target.stage)) ?? execution.scope.gitcommitid;
      events.push({
        id: ids.newId(),
        type: sequenceEventType(target.stage, target.sequence.name, 'triggered'),
        source: ORCHESTRATOR_SOURCE,
        specversion: '1.0',
        time: eventTime(uow),
        contenttype: 'application/json',
        shkeptncontext: keptnContext,
        gitcommitid: commit,
        shkeptnspecversion: KEPTN_SPEC_VERSION,
        data,
      });
    }
    return events;
  }

  /**
   * Dispatches the queue of one project/stage/service: FIFO by trigger time, one `started` per
   * scope; a `waiting` execution (approved, next task held) takes its turn like a `triggered` one.
   */
  async function dispatchQueue(uow: UnitOfWork, project: string, stage: string, service: string): Promise<void> {
    const active = await uow.executionsInScope(project, stage, service, QUEUE_STATES);
    const running = active.filter((e) => BLOCKING_STATES.includes(e.status.state));
    let blocked = false;
    for (const candidate of active) {
      if (candidate.status.state !== ExecutionState.triggered && candidate.status.state !== ExecutionState.waiting) continue;
      const context = candidate.scope.keptnContext;
      blocked ||= running.some((e) => e.scope.keptnContext !== context);
      if (blocked) {
        await changeView(uow, project, context, { kind: 'queued' });
        continue;
      }
      const started = await step(uow, candidate, { kind: 'dispatch' });
      if (started.status.state === ExecutionState.started) running.push(started);
      await changeView(uow, project, context, { kind: 'started' });
    }
  }

  async function dispatchScopeOf(uow: UnitOfWork, execution: SequenceExecution): Promise<void> {
    await dispatchQueue(uow, execution.scope.project, execution.scope.stage, execution.scope.service);
  }

  /**
   * Emits `<stage>.<seq>.finished` with status errored for a trigger that cannot start and, unless
   * the project does not exist, shows it in the context's sequence state: the stage `errored` with
   * `message` (the context `finished` when no other stage runs).
   */
  async function rejectTrigger(
    uow: UnitOfWork,
    trigger: KeptnEvent,
    stage: string,
    sequence: string,
    message: string,
    options: { view: boolean } = { view: true },
  ): Promise<void> {
    const { project, service, labels } = trigger.data;
    const finished: KeptnEvent = {
      id: ids.newId(),
      type: sequenceEventType(stage, sequence, 'finished'),
      source: ORCHESTRATOR_SOURCE,
      specversion: '1.0',
      time: eventTime(uow),
      contenttype: 'application/json',
      shkeptncontext: trigger.shkeptncontext,
      triggeredid: trigger.id,
      shkeptnspecversion: KEPTN_SPEC_VERSION,
      data: { project, stage, service, labels: labels ?? {}, status: 'errored', result: 'fail', message },
    };
    uow.emit(finished, { pending: false });
    if (!options.view || !project) return;
    await changeView(uow, project, trigger.shkeptncontext, {
      kind: 'stageErrored',
      trigger,
      sequence,
      stage,
      finished,
      nowIso: nowIso(),
      message,
    });
  }

  async function startSequence(uow: UnitOfWork, trigger: KeptnEvent, stage: string, sequenceName: string): Promise<void> {
    const project = trigger.data.project ?? '';
    const service = trigger.data.service ?? '';
    if (await uow.executionByTrigger(trigger.id)) return; // redelivered duplicate
    const projectRecord = await store.getProject(project);
    if (!projectRecord) {
      await rejectTrigger(
        uow,
        trigger,
        stage,
        sequenceName,
        `Unable to start sequence ${sequenceName}: project '${project}' does not exist`,
        {
          view: false,
        },
      );
      return;
    }
    const commit = trigger.gitcommitid || (await configuration.latestCommit(project, stage)) || projectRecord.shipyardCommit;
    let shipyard: Shipyard | undefined;
    try {
      shipyard = await loadShipyard(project, commit);
    } catch (error) {
      // A store or repository that is down must not end the sequence: the step fails and is retried.
      if (isTransient(error)) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      await rejectTrigger(
        uow,
        trigger,
        stage,
        sequenceName,
        `Unable to load shipyard of project '${project}' at version '${commit}': ${reason}`,
      );
      return;
    }
    if (!shipyard) {
      await rejectTrigger(uow, trigger, stage, sequenceName, `Unable to load shipyard of project '${project}' at version '${commit}'`);
      return;
    }
    const sequence = findSequence(shipyard, stage, sequenceName);
    if (!sequence) {
      const stages = shipyard.spec.stages.map((s) => s.name).join(', ');
      const known = shipyard.spec.stages.find((s) => s.name === stage);
      const message = known
        ? `Unable to start sequence: stage '${stage}' of project '${project}' has no sequence '${sequenceName}'; sequences: ${known.sequences.map((s) => s.name).join(', ') || 'none'}`
        : `Unable to start sequence: stage '${stage}' is not in the shipyard of project '${project}'; stages: ${stages}`;
      await rejectTrigger(uow, trigger, stage, sequenceName, message);
      return;
    }
    // Keptn issue #6288: a sequence for a service the stage does not have would queue forever.
    if (!(await store.hasService(project, stage, service))) {
      const names = (await store.listServices(project, stage)).map((s) => s.name).join(', ') || 'none';
      const message = `Unable to start sequence ${sequenceName}: service '${service}' does not exist in stage '${stage}' of project '${project}'; services: ${names}`;
      await rejectTrigger(uow, trigger, stage, sequenceName, message);
      return;
    }
    const markers = await store.listPauseMarkers(project, trigger.shkeptncontext);
    const paused = markers.some((m) => m.stage === '' || m.stage === stage);
    const labels = trigger.data.labels ?? {};
    const execution: SequenceExecution = {
      _id: ids.newId(),
      schemaVersion: '1',
      sequence: { name: sequence.name, tasks: cloneJson(sequence.tasks) },
      status: {
        state: paused ? ExecutionState.paused : ExecutionState.triggered,
        stateBeforePause: paused ? ExecutionState.triggered : '',
        previousTasks: [],
        currentTask: null,
      },
      scope: {
        project,
        stage,
        service,
        labels,
        keptnContext: trigger.shkeptncontext,
        triggeredId: trigger.id,
        gitcommitid: commit,
        eventType: trigger.type,
      },
      inputProperties: cloneJson(trigger.data),
      triggeredAt: trigger.time,
    };
    uow.saveExecution(execution);
    uow.openTriggered({ event: { ...trigger, gitcommitid: commit }, executionId: execution._id, project, stage, service });
    uow.noteLastContext(project, trigger.shkeptncontext);
    await changeView(uow, project, trigger.shkeptncontext, {
      kind: 'stageTriggered',
      trigger,
      sequence: sequence.name,
      stage,
      ...(paused ? { paused: markers.some((m) => m.stage === '') ? ('context' as const) : ('stage' as const) } : {}),
    });
    if (!paused) await dispatchQueue(uow, project, stage, service);
  }

  /** The running execution of the event's context, stage and service whose current task is open. */
  async function executionWithOpenTask(uow: UnitOfWork, event: KeptnEvent): Promise<SequenceExecution | undefined> {
    const { project, stage, service } = event.data;
    if (!project) return undefined;
    return executionWithCurrentTask(await uow.executionsOfContext(project, event.shkeptncontext), stage, service);
  }

  /** A task `.triggered` an integration sent in a running task's context becomes its sub-task. */
  async function openSubtask(uow: UnitOfWork, event: KeptnEvent): Promise<void> {
    if (event.source === ORCHESTRATOR_SOURCE) return;
    const execution = await executionWithOpenTask(uow, event);
    if (execution) await step(uow, execution, { kind: 'subtaskTriggered', event });
  }

  async function progressTask(uow: UnitOfWork, event: KeptnEvent): Promise<void> {
    if (!event.triggeredid) return;
    const execution = await uow.executionByTask(event.triggeredid);
    if (!execution) {
      const owner = await executionWithOpenTask(uow, event);
      if (owner?.status.currentTask?.subtasks?.includes(event.triggeredid)) await step(uow, owner, { kind: 'subtaskEvent', event });
      return;
    }
    if (execution.scope.keptnContext !== event.shkeptncontext || execution.scope.project !== event.data.project) return;
    const before = execution.status.state;
    const after = await step(uow, execution, { kind: 'taskEvent', event });
    const state = after.status.state;
    if (state !== before && (before === ExecutionState.started || state === ExecutionState.waiting)) await dispatchScopeOf(uow, after);
  }

  /** Ends a running execution as errored with `message` and lets its queue move on. */
  async function failExecution(uow: UnitOfWork, execution: SequenceExecution, message: string): Promise<void> {
    if (isTerminal(execution.status.state)) return;
    const after = await step(uow, execution, { kind: 'fail', message });
    await dispatchScopeOf(uow, after);
  }

  /** Ends the sequence an event that cannot be handled belongs to (see {@link Orchestrator.failEvent}). */
  async function failSequenceOf(uow: UnitOfWork, event: KeptnEvent, reason: string): Promise<void> {
    uow.noteCause(event);
    const parsed = parseEventType(event.type);
    const message = `Unable to handle event ${event.id} of type ${event.type}: ${reason}`;
    if (parsed.category === 'sequence' && parsed.kind === 'triggered') {
      const started = await uow.executionByTrigger(event.id);
      if (started) await failExecution(uow, started, message);
      else {
        const known = event.data.project !== undefined && (await store.getProject(event.data.project)) !== undefined;
        await rejectTrigger(uow, event, parsed.stage, parsed.sequence, message, { view: known });
      }
    } else if (parsed.category === 'task' && (parsed.kind === 'started' || parsed.kind === 'finished') && event.triggeredid) {
      const execution = await uow.executionByTask(event.triggeredid);
      if (execution?.scope.keptnContext === event.shkeptncontext && execution.scope.project === event.data.project)
        await failExecution(uow, execution, message);
    }
  }

  /** Lets the orchestrator act on one event (it is stored by the caller). */
  async function actOn(uow: UnitOfWork, event: KeptnEvent): Promise<void> {
    uow.noteCause(event);
    const action = actionOf(event);
    if (action?.kind === 'start') await startSequence(uow, event, action.stage, action.sequence);
    else if (action?.kind === 'progress') await progressTask(uow, event);
    else if (action?.kind === 'subtask') await openSubtask(uow, event);
  }

  /**
   * Reads ahead what {@link actOn} looks up for a batch of events, one store read each instead of
   * one per event: the executions of the tasks that `.started`/`.finished` events answer; then the
   * executions of the contexts of those that answer no stored execution's task (sub-task events)
   * and of sub-task `.triggered` events, and the sequence states whose view the batch changes (those
   * of sequence starts and of answers to known tasks; an answer to no task, such as the many
   * unmatched `.finished` of figure (b), reads none).
   */
  async function readAheadFor(uow: UnitOfWork, events: readonly KeptnEvent[]): Promise<void> {
    if (events.length < 2) return;
    const progress = new Set(events.filter((e) => actionOf(e)?.kind === 'progress' && e.triggeredid));
    await uow.readAhead({ taskIds: [...progress].map((e) => e.triggeredid ?? '') });
    const answersKnownTask = (e: KeptnEvent) => uow.storedTaskKnown(e.triggeredid ?? '');
    const lookInContext = (e: KeptnEvent) =>
      actionOf(e)?.kind === 'subtask' ? e.source !== ORCHESTRATOR_SOURCE : progress.has(e) && answersKnownTask(e) === false;
    const changesView = (e: KeptnEvent) => actionOf(e)?.kind === 'start' || (progress.has(e) && answersKnownTask(e) === true);
    const refOf = (e: KeptnEvent) => ({ project: e.data.project ?? '', keptnContext: e.shkeptncontext });
    await uow.readAhead({ contexts: events.filter(lookInContext).map(refOf), states: events.filter(changesView).map(refOf) });
  }

  return {
    async prepareStart(project, stage, commit) {
      try {
        const pinned = commit || (await configuration.latestCommit(project, stage));
        if (pinned) await loadShipyard(project, pinned);
      } catch {
        // The step that starts the sequence loads it again and reports the failure.
      }
    },

    async handleEvent(pending) {
      return this.handleEvents([pending]);
    },

    async handleEvents(batch) {
      const uow = new UnitOfWork(store);
      const events = batch.map((p) => p.event);
      await readAheadFor(uow, events);
      for (const pending of batch) {
        await actOn(uow, pending.event);
        uow.markProcessed(pending.seq);
      }
      await uow.commit();
      return [...uow.deliverable];
    },

    async ingestEvents(events) {
      const uow = new UnitOfWork(store);
      await readAheadFor(uow, events);
      for (const event of events) {
        uow.storeIncoming(event);
        await actOn(uow, event);
      }
      await uow.commit();
      return [...uow.deliverable];
    },

    async fireTimer(timer) {
      const uow = new UnitOfWork(store);
      uow.firedTimer(timer.id);
      const execution = await store.getExecution(timer.executionId);
      if (execution) {
        const input: ExecutionInput = { kind: timer.kind, triggeredId: timer.triggeredId };
        const before = execution.status.state;
        const after = await step(uow, execution, input);
        if (before !== after.status.state) await dispatchScopeOf(uow, after);
      }
      await uow.commit();
      return [...uow.deliverable];
    },

    async failEvent(pending, reason) {
      const uow = new UnitOfWork(store);
      await failSequenceOf(uow, pending.event, reason);
      uow.markProcessed(pending.seq);
      await uow.commit();
      return [...uow.deliverable];
    },

    async failTimer(timer, reason) {
      const uow = new UnitOfWork(store);
      uow.firedTimer(timer.id);
      const execution = await store.getExecution(timer.executionId);
      if (execution) await failExecution(uow, execution, `Unable to fire timer ${timer.kind} of task ${timer.triggeredId}: ${reason}`);
      await uow.commit();
      return [...uow.deliverable];
    },

    async control(project, keptnContext, state, stage) {
      const uow = new UnitOfWork(store);
      const all = await store.listExecutionsOfContext(project, keptnContext);
      const view = await store.getSequenceState(project, keptnContext);
      if (all.length === 0 && !view) {
        throw new NotFoundError(
          ErrorCode.sequenceNotFound,
          `sequence with keptnContext '${keptnContext}' not found in project '${project}'`,
        );
      }
      const selected = all.filter((e) => !stage || e.scope.stage === stage);
      const marker = { project, keptnContext, stage: stage ?? '' };
      if (state === 'pause') uow.putPause(marker);
      else {
        uow.removePause(marker);
        if (!stage) for (const m of await store.listPauseMarkers(project, keptnContext)) uow.removePause(m);
      }
      const input: ExecutionInput = { kind: state };
      for (const execution of selected) {
        if (isTerminal(execution.status.state)) continue;
        await step(uow, execution, input);
      }
      await changeView(uow, project, keptnContext, { kind: 'control', state, ...(stage ? { stage } : {}) });
      for (const execution of selected) await dispatchScopeOf(uow, execution);
      await uow.commit();
      return [...uow.deliverable];
    },

    async recover() {
      for (const project of await store.listProjects()) await this.recoverProject(project.name);
    },

    async recoverProject(project) {
      const queued = [];
      for (const state of [ExecutionState.triggered, ExecutionState.waiting])
        queued.push(...(await store.queryExecutions({ project, state, offset: 0, limit: 0 })).items);
      const scopes = new Map(queued.map((e) => [`${e.scope.stage}/${e.scope.service}`, e]));
      for (const execution of scopes.values()) {
        const uow = new UnitOfWork(store);
        await dispatchScopeOf(uow, execution);
        await uow.commit();
      }
    },
  };
}

/** What the orchestrator does with an event: start a sequence, progress a task, open a sub-task, or nothing. */
type EventAction = { kind: 'start'; stage: string; sequence: string } | { kind: 'progress' } | { kind: 'subtask' };

/** The action for an event; undefined when it names no project, stage and service or is of no kind acted on. */
function actionOf(event: KeptnEvent): EventAction | undefined {
  const { project, stage, service } = event.data;
  if (!project || !stage || !service) return undefined;
  const parsed = parseEventType(event.type);
  if (parsed.category === 'sequence' && parsed.kind === 'triggered')
    return { kind: 'start', stage: parsed.stage, sequence: parsed.sequence };
  if (parsed.category === 'task' && (parsed.kind === 'started' || parsed.kind === 'finished')) return { kind: 'progress' };
  if (parsed.category === 'task' && parsed.kind === 'triggered') return { kind: 'subtask' };
  return undefined;
}
