/**
 * The in-memory store: every port the SQLite store implements ({@link ControlPlaneStore},
 * {@link IntegrationRegistryStore}, {@link TaskLeaseStore}, {@link SecretStore},
 * {@link ApiTokenStore}) on plain Maps, for tests that want the orchestrator or the server
 * without SQLite or files. It passes the same contract suites as the SQLite store: the same
 * orders, paging and counts, `commit` applied whole or not at all, and the same core errors. It
 * keeps nothing across a restart and is not a production store.
 *
 * Documents are kept as JSON text, as the SQLite store keeps them: what a caller changes after a
 * write or a read never reaches the store, and a document that is not JSON fails its write.
 */
import { AlreadyHandledError, ConflictError, ErrorCode, NotFoundError, requireActiveStates, withStageMessage } from '@shipmate/core';
import type {
  ApiTokenStore,
  Changeset,
  ControlPlaneStore,
  ExecutionState,
  IntegrationRegistryStore,
  KeptnEvent,
  OpenTriggeredEvent,
  PauseMarker,
  ProjectRecord,
  SecretStore,
  SequenceExecution,
  SequenceState,
  ServiceActivity,
  ServiceRecord,
  TaskLeaseStore,
  TimerRecord,
} from '@shipmate/core';
import { MemoryDatabase, compareText, compositeKey, pageOf } from './memory-database.js';
import { eventRow, matchEvents } from './memory-event-query.js';
import type { EventRow } from './memory-event-query.js';
import { buildMemoryRegistryStore } from './memory-registry-store.js';
import { buildMemoryTaskLeaseStore } from './memory-task-lease-store.js';
import { buildMemorySecretStore } from './memory-secret-store.js';
import { buildMemoryApiTokenStore } from './memory-api-token-store.js';

/** The in-memory adapter of every port the SQLite store implements. */
export interface MemoryControlPlaneStore extends ControlPlaneStore, IntegrationRegistryStore, TaskLeaseStore, SecretStore, ApiTokenStore {}

interface ProjectRow {
  readonly name: string;
  readonly lastEventContext: string | null;
  /** The record without `lastEventContext` (owned by `Changeset.projectLastContext`). */
  readonly doc: string;
}

interface ServiceRow {
  readonly project: string;
  readonly stage: string;
  readonly name: string;
  readonly creationDate: string;
  readonly deployedImage: string | null;
  readonly lastEventTypes: string;
}

interface ExecutionRow {
  readonly id: string;
  readonly project: string;
  readonly stage: string;
  readonly service: string;
  readonly keptnContext: string;
  readonly name: string;
  readonly state: string;
  readonly triggeredId: string;
  readonly currentTaskId: string | null;
  readonly triggeredAt: string;
  readonly doc: string;
}

interface SequenceStateRow {
  readonly project: string;
  readonly keptnContext: string;
  readonly name: string;
  readonly state: string;
  readonly time: string;
  readonly doc: string;
}

interface OpenTriggeredRow {
  readonly eventId: string;
  readonly executionId: string;
  readonly project: string;
  readonly stage: string;
  readonly service: string;
  readonly type: string;
  /** When executors may see it (`visibleAt`, else the event's time). */
  readonly time: string;
  readonly doc: string;
}

interface DocRow {
  readonly doc: string;
}

function parseDoc<T>(row: DocRow): T {
  return JSON.parse(row.doc) as T;
}

function optionalDoc<T>(row: DocRow | undefined): T | undefined {
  return row === undefined ? undefined : parseDoc<T>(row);
}

/** Oldest trigger first, then the order rows were first stored. */
function byTriggerTime(rows: readonly ExecutionRow[]): ExecutionRow[] {
  return [...rows].sort((a, b) => compareText(a.triggeredAt, b.triggeredAt));
}

/** Newest first by `time`, later-stored first among equal times (rows come in stored order). */
function newestFirst<R extends { readonly time: string }>(rows: readonly R[]): R[] {
  return [...rows].reverse().sort((a, b) => compareText(b.time, a.time));
}

/** Opens an empty in-memory store (see the file comment; tests only). */
export function createMemoryStore(): MemoryControlPlaneStore {
  const db = new MemoryDatabase();
  const events = db.table<number, EventRow>();
  /** Event id → seq: an id is stored once. */
  const eventIds = db.table<string, number>();
  const projects = db.table<string, ProjectRow>();
  const shipyards = db.table<string, string>();
  const services = db.table<string, ServiceRow>();
  const executions = db.table<string, ExecutionRow>();
  const sequenceStates = db.table<string, SequenceStateRow>();
  const openTriggered = db.table<string, OpenTriggeredRow>();
  const timers = db.table<string, TimerRecord>();
  const pauseMarkers = db.table<string, PauseMarker>();
  let lastSeq = 0;

  function insertEvent(event: KeptnEvent, pending: boolean): void {
    const row = eventRow(event, lastSeq + 1, pending);
    if (eventIds.has(row.id)) return;
    lastSeq = row.seq;
    events.set(row.seq, row);
    eventIds.set(row.id, row.seq);
  }

  /** Deletes the events `matches` accepts with their ids; returns how many went. */
  function deleteEvents(matches: (row: EventRow) => boolean): number {
    const gone = events.rows().filter(matches);
    for (const row of gone) {
      events.delete(row.seq);
      eventIds.delete(row.id);
    }
    return gone.length;
  }

  function markProcessed(seq: number): void {
    const row = events.get(seq);
    if (!row?.pending) throw new AlreadyHandledError(`event ${seq}`);
    events.set(seq, { ...row, pending: false });
  }

  function upsertExecution(e: SequenceExecution): void {
    const row: ExecutionRow = {
      id: e._id,
      project: e.scope.project,
      stage: e.scope.stage,
      service: e.scope.service,
      keptnContext: e.scope.keptnContext,
      name: e.sequence.name,
      state: e.status.state,
      triggeredId: e.scope.triggeredId,
      currentTaskId: e.status.currentTask?.triggeredID ?? null,
      triggeredAt: e.triggeredAt,
      doc: JSON.stringify(e),
    };
    const sameTrigger = executions.rows().find((other) => other.triggeredId === row.triggeredId && other.id !== row.id);
    if (sameTrigger) {
      throw new Error(
        `execution '${row.id}' has scope.triggeredId '${row.triggeredId}', which execution '${sameTrigger.id}' has already; a sequence trigger starts one execution, so save that one instead`,
      );
    }
    executions.set(row.id, row);
  }

  function upsertState(state: SequenceState): void {
    const row: SequenceStateRow = {
      project: state.project,
      keptnContext: state.shkeptncontext,
      name: state.name,
      state: state.state,
      time: state.time,
      doc: JSON.stringify(state),
    };
    sequenceStates.set(compositeKey(row.project, row.keptnContext), row);
  }

  function putOpen(entry: OpenTriggeredEvent): void {
    openTriggered.set(entry.event.id, {
      eventId: entry.event.id,
      executionId: entry.executionId,
      project: entry.project,
      stage: entry.stage,
      service: entry.service,
      type: entry.event.type,
      time: entry.visibleAt ?? entry.event.time,
      doc: JSON.stringify(entry.event),
    });
  }

  function noteActivity(a: ServiceActivity): void {
    const key = compositeKey(a.project, a.stage, a.service);
    const row = services.get(key);
    if (!row) return;
    const lastEventTypes = JSON.parse(row.lastEventTypes) as ServiceRecord['lastEventTypes'];
    // Removed first, so the entry moves to the end, as SQLite's json_patch moves it.
    delete lastEventTypes[a.eventType];
    lastEventTypes[a.eventType] = a.ref;
    services.set(key, { ...row, lastEventTypes: JSON.stringify(lastEventTypes), deployedImage: a.deployedImage ?? row.deployedImage });
  }

  function setProjectLastContext(project: string, keptnContext: string): void {
    const row = projects.get(project);
    if (row) projects.set(project, { ...row, lastEventContext: keptnContext });
  }

  // Within one changeset, puts apply before removes (in the SQLite store's order): a step that
  // opens and closes the same thing ends with it closed.
  function applyChangeset(c: Changeset): void {
    for (const { event, pending } of c.newEvents ?? []) insertEvent(event, pending);
    for (const seq of c.processedSeqs ?? []) markProcessed(seq);
    for (const id of c.firedTimers ?? []) {
      if (!timers.get(id)) throw new AlreadyHandledError(`timer ${id}`);
      timers.delete(id);
    }
    for (const execution of c.executions ?? []) upsertExecution(execution);
    for (const entry of c.openTriggeredPut ?? []) putOpen(entry);
    for (const eventId of c.openTriggeredRemove ?? []) openTriggered.delete(eventId);
    for (const timer of c.timersPut ?? []) timers.set(timer.id, { ...timer });
    for (const triggeredId of c.timersRemoveForTask ?? []) timers.deleteWhere((t) => t.triggeredId === triggeredId);
    for (const id of c.timersRemove ?? []) timers.delete(id);
    for (const state of c.sequenceStates ?? []) upsertState(state);
    for (const m of c.pausePut ?? []) {
      const key = compositeKey(m.project, m.keptnContext, m.stage);
      if (!pauseMarkers.has(key)) pauseMarkers.set(key, { project: m.project, keptnContext: m.keptnContext, stage: m.stage });
    }
    for (const m of c.pauseRemove ?? []) pauseMarkers.delete(compositeKey(m.project, m.keptnContext, m.stage));
    for (const activity of c.serviceActivity ?? []) noteActivity(activity);
    for (const { project, keptnContext } of c.projectLastContext ?? []) setProjectLastContext(project, keptnContext);
  }

  function toProject(row: ProjectRow): ProjectRecord {
    return { ...parseDoc<ProjectRecord>(row), lastEventContext: row.lastEventContext };
  }

  function toService(row: ServiceRow): ServiceRecord {
    return {
      project: row.project,
      stage: row.stage,
      name: row.name,
      creationDate: row.creationDate,
      ...(row.deployedImage !== null ? { deployedImage: row.deployedImage } : {}),
      lastEventTypes: JSON.parse(row.lastEventTypes) as ServiceRecord['lastEventTypes'],
    };
  }

  /** Services by name, then in the order stored (a service's stages in the order it was created with). */
  function servicesByName(rows: readonly ServiceRow[]): ServiceRecord[] {
    return [...rows].sort((a, b) => compareText(a.name, b.name)).map(toService);
  }

  function deleteProjectData(name: string): void {
    const executionIds = new Set(
      executions
        .rows()
        .filter((e) => e.project === name)
        .map((e) => e.id),
    );
    timers.deleteWhere((t) => executionIds.has(t.executionId));
    openTriggered.deleteWhere((o) => o.project === name);
    executions.deleteWhere((e) => e.project === name);
    sequenceStates.deleteWhere((s) => s.project === name);
    pauseMarkers.deleteWhere((m) => m.project === name);
    deleteEvents((e) => e.project === name);
    services.deleteWhere((s) => s.project === name);
    shipyards.deleteWhere((_content, key) => (JSON.parse(key) as string[])[0] === name);
    projects.delete(name);
  }

  const store: ControlPlaneStore = {
    async close() {
      db.close();
    },

    async appendEvents(list, { pending }) {
      db.transaction(() => {
        for (const event of list) insertEvent(event, pending);
      });
    },

    async pendingEvents(limit) {
      return db.read(() => {
        const pending = events.rows().filter((row) => row.pending);
        return (limit < 0 ? pending : pending.slice(0, limit)).map((row) => ({ seq: row.seq, event: parseDoc<KeptnEvent>(row) }));
      });
    },

    async commit(changes) {
      db.transaction(() => applyChangeset(changes));
    },

    async queryEvents(query) {
      return db.read(() => {
        const page = pageOf(matchEvents(events.rows(), query), query);
        return { items: page.items.map((row) => parseDoc<KeptnEvent>(row)), totalCount: page.totalCount };
      });
    },

    async deleteEventsBefore(time) {
      return db.transaction(() => deleteEvents((row) => !row.pending && row.time < time));
    },

    async insertProject(project) {
      db.transaction(() => {
        if (projects.has(project.name))
          throw new ConflictError(ErrorCode.projectExists, `project '${project.name}' already exists; choose another name or update it`);
        const { lastEventContext, ...doc } = project;
        projects.set(project.name, { name: project.name, lastEventContext: lastEventContext ?? null, doc: JSON.stringify(doc) });
      });
    },

    async updateProject(project) {
      db.transaction(() => {
        const row = projects.get(project.name);
        if (!row) throw new NotFoundError(ErrorCode.projectNotFound, `project '${project.name}' not found; create it before updating it`);
        const { lastEventContext: _ownedByCommit, ...doc } = project;
        projects.set(project.name, { ...row, doc: JSON.stringify(doc) });
      });
    },

    async deleteProject(name) {
      return db.transaction(() => {
        if (!projects.has(name)) return false;
        deleteProjectData(name);
        return true;
      });
    },

    async getProject(name) {
      return db.read(() => {
        const row = projects.get(name);
        return row && toProject(row);
      });
    },

    async listProjects() {
      return db.read(() =>
        projects
          .rows()
          .sort((a, b) => compareText(a.name, b.name))
          .map(toProject),
      );
    },

    async putShipyardVersion(project, commit, content) {
      db.transaction(() => {
        const key = compositeKey(project, commit);
        if (!shipyards.has(key)) shipyards.set(key, content);
      });
    },

    async getShipyardVersion(project, commit) {
      return db.read(() => shipyards.get(compositeKey(project, commit)));
    },

    async insertService(project, service, stages, creationDate) {
      db.transaction(() => {
        if (!projects.has(project)) {
          throw new NotFoundError(
            ErrorCode.projectNotFound,
            `project '${project}' not found; create the project before adding service '${service}'`,
          );
        }
        if (services.rows().some((s) => s.project === project && s.name === service))
          throw new ConflictError(ErrorCode.serviceExists, `service '${service}' already exists in project '${project}'`);
        for (const stage of stages) {
          const key = compositeKey(project, stage, service);
          if (services.has(key)) throw new Error(`stage '${stage}' is given twice for service '${service}'; list each stage once`);
          services.set(key, { project, stage, name: service, creationDate, deployedImage: null, lastEventTypes: '{}' });
        }
      });
    },

    async deleteService(project, service) {
      db.transaction(() => services.deleteWhere((s) => s.project === project && s.name === service));
    },

    async listServices(project, stage) {
      return db.read(() =>
        servicesByName(services.rows().filter((s) => s.project === project && (stage === undefined || s.stage === stage))),
      );
    },

    async hasService(project, stage, service) {
      return db.read(() => services.has(compositeKey(project, stage, service)));
    },

    async getExecution(id) {
      return db.read(() => optionalDoc<SequenceExecution>(executions.get(id)));
    },

    async findExecutionByTrigger(triggeredId) {
      return db.read(() => optionalDoc<SequenceExecution>(executions.rows().find((e) => e.triggeredId === triggeredId)));
    },

    async findExecutionByTask(triggeredId) {
      return db.read(() => optionalDoc<SequenceExecution>(byTriggerTime(executions.rows()).find((e) => e.currentTaskId === triggeredId)));
    },

    async findExecutionsByTasks(triggeredIds) {
      return db.read(() => {
        const wanted = new Set(triggeredIds);
        const found = new Map<string, SequenceExecution>();
        for (const row of byTriggerTime(executions.rows())) {
          if (row.currentTaskId !== null && wanted.has(row.currentTaskId) && !found.has(row.currentTaskId))
            found.set(row.currentTaskId, parseDoc<SequenceExecution>(row));
        }
        return found;
      });
    },

    async listExecutionsOfContexts(contexts) {
      return db.read(() => {
        const wanted = new Set(contexts.map((c) => `${c.project}\u0000${c.keptnContext}`));
        return byTriggerTime(executions.rows().filter((e) => wanted.has(`${e.project}\u0000${e.keptnContext}`))).map((row) =>
          parseDoc<SequenceExecution>(row),
        );
      });
    },

    async listExecutionsOfContext(project, keptnContext) {
      return db.read(() =>
        byTriggerTime(executions.rows().filter((e) => e.project === project && e.keptnContext === keptnContext)).map((row) =>
          parseDoc<SequenceExecution>(row),
        ),
      );
    },

    async listExecutionsInScope(project, stage, service, states: readonly ExecutionState[]) {
      requireActiveStates(states);
      return db.read(() =>
        byTriggerTime(
          executions
            .rows()
            .filter(
              (e) => e.project === project && e.stage === stage && e.service === service && (states as readonly string[]).includes(e.state),
            ),
        ).map((row) => parseDoc<SequenceExecution>(row)),
      );
    },

    async queryExecutions(q) {
      return db.read(() => {
        const matches = executions
          .rows()
          .filter(
            (e) =>
              e.project === q.project &&
              (q.stage === undefined || e.stage === q.stage) &&
              (q.service === undefined || e.service === q.service) &&
              (q.keptnContext === undefined || e.keptnContext === q.keptnContext) &&
              (q.name === undefined || e.name === q.name) &&
              (q.state === undefined || e.state === q.state),
          );
        const newest = byTriggerTime(matches).reverse();
        const page = pageOf(newest, q);
        return { items: page.items.map((row) => parseDoc<SequenceExecution>(row)), totalCount: page.totalCount };
      });
    },

    async getSequenceState(project, keptnContext) {
      return db.read(() => optionalDoc<SequenceState>(sequenceStates.get(compositeKey(project, keptnContext))));
    },

    async getSequenceStates(contexts) {
      return db.read(() =>
        contexts.flatMap((c) => {
          const state = optionalDoc<SequenceState>(sequenceStates.get(compositeKey(c.project, c.keptnContext)));
          return state ? [state] : [];
        }),
      );
    },

    async querySequenceStates(q) {
      return db.read(() => {
        const { fromTime, beforeTime } = q;
        const contexts = q.keptnContexts && new Set(q.keptnContexts);
        const matches = sequenceStates
          .rows()
          .filter(
            (s) =>
              s.project === q.project &&
              (q.name === undefined || s.name === q.name) &&
              (q.state === undefined || s.state === q.state) &&
              (fromTime === undefined || s.time > fromTime) &&
              (beforeTime === undefined || s.time < beforeTime) &&
              (contexts === undefined || contexts.has(s.keptnContext)),
          );
        const page = pageOf(newestFirst(matches), q);
        return { items: page.items.map((row) => parseDoc<SequenceState>(row)), totalCount: page.totalCount };
      });
    },

    async updateStageMessage(u) {
      return db.transaction(() => {
        const view = optionalDoc<SequenceState>(sequenceStates.get(compositeKey(u.project, u.keptnContext)));
        const next = view && withStageMessage(view, u.stage, u.latestEventId, u.message);
        if (!next) return false;
        upsertState(next);
        return true;
      });
    },

    async queryOpenTriggered(q) {
      return db.read(() => {
        const matches = openTriggered
          .rows()
          .filter(
            (o) =>
              (q.type === undefined || o.type === q.type) &&
              o.time <= q.visibleAt &&
              (q.project === undefined || o.project === q.project) &&
              (q.stage === undefined || o.stage === q.stage) &&
              (q.service === undefined || o.service === q.service) &&
              (q.eventId === undefined || o.eventId === q.eventId),
          );
        return newestFirst(matches).map((row) => parseDoc<KeptnEvent>(row));
      });
    },

    async dueTimers(nowMs, limit) {
      return db.read(() => {
        const due = timers
          .rows()
          .filter((t) => t.dueAtMs <= nowMs)
          .sort((a, b) => a.dueAtMs - b.dueAtMs);
        return (limit < 0 ? due : due.slice(0, limit)).map((t) => ({ ...t }));
      });
    },

    async nextTimerDueMs() {
      return db.read(() => {
        let earliest: number | undefined;
        for (const t of timers.rows()) if (earliest === undefined || t.dueAtMs < earliest) earliest = t.dueAtMs;
        return earliest;
      });
    },

    async listPauseMarkers(project, keptnContext) {
      return db.read(() =>
        pauseMarkers
          .rows()
          .filter((m) => m.project === project && m.keptnContext === keptnContext)
          .sort((a, b) => compareText(a.stage, b.stage))
          .map((m) => ({ ...m })),
      );
    },
  };

  return {
    ...store,
    ...buildMemoryRegistryStore(db),
    ...buildMemoryTaskLeaseStore(db),
    ...buildMemorySecretStore(db),
    ...buildMemoryApiTokenStore(db),
  };
}
