/**
 * Small builders of store documents for tests. Each takes only the fields a test cares about and
 * fills the rest with valid defaults (project `shop`, stage `dev`, service `carts`).
 */
import { ExecutionState, SequenceViewState, TimerKind, keptnTime } from '@shipmate/core';
import type {
  EventData,
  KeptnEvent,
  OpenTriggeredEvent,
  ProjectRecord,
  SequenceExecution,
  SequenceState,
  TimerRecord,
} from '@shipmate/core';

let counter = 0;

/** A fresh id with a readable prefix (`evt-7`); unique within the test process. */
export function nextId(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

const BASE_MS = Date.UTC(2024, 0, 1, 0, 0, 0);

/** The Keptn timestamp `minute` minutes after 2024-01-01T00:00Z (`at(1)` = `...00:01:00.000Z`). */
export function at(minute: number): string {
  return keptnTime(BASE_MS + minute * 60_000);
}

/** Fields of {@link fixtureEvent}; `data` is merged over the default project/stage/service. */
export type EventFixture = Partial<Omit<KeptnEvent, 'data'>> & { data?: EventData };

/** A Keptn event in project `shop`, stage `dev`, service `carts`. */
export function fixtureEvent(fields: EventFixture = {}): KeptnEvent {
  const { data, ...envelope } = fields;
  return {
    id: nextId('evt'),
    type: 'sh.keptn.event.deployment.triggered',
    source: 'contract-test',
    specversion: '1.0',
    time: at(0),
    contenttype: 'application/json',
    shkeptncontext: 'ctx-1',
    data: { project: 'shop', stage: 'dev', service: 'carts', ...data },
    ...envelope,
  };
}

/** Fields of {@link fixtureExecution}. */
export interface ExecutionFixture {
  id?: string;
  project?: string;
  stage?: string;
  service?: string;
  keptnContext?: string;
  /** Sequence name. */
  name?: string;
  state?: ExecutionState;
  /** Id of the sequence `.triggered` event. */
  triggeredId?: string;
  /** Triggered id of the current task; `null` for none. */
  currentTaskId?: string | null;
  triggeredAt?: string;
}

/** A sequence execution; by default `triggered`, without a current task. */
export function fixtureExecution(fields: ExecutionFixture = {}): SequenceExecution {
  const project = fields.project ?? 'shop';
  const stage = fields.stage ?? 'dev';
  const name = fields.name ?? 'delivery';
  const currentTaskId = fields.currentTaskId ?? null;
  return {
    _id: fields.id ?? nextId('exec'),
    schemaVersion: '1',
    sequence: { name, tasks: [{ name: 'deployment' }, { name: 'test' }] },
    status: {
      state: fields.state ?? ExecutionState.triggered,
      stateBeforePause: '',
      previousTasks: [],
      currentTask: currentTaskId === null ? null : { name: 'deployment', triggeredID: currentTaskId, scheduledAt: at(0), events: [] },
    },
    scope: {
      project,
      stage,
      service: fields.service ?? 'carts',
      labels: {},
      keptnContext: fields.keptnContext ?? 'ctx-1',
      triggeredId: fields.triggeredId ?? nextId('seq-trigger'),
      gitcommitid: 'commit-1',
      eventType: `sh.keptn.event.${stage}.${name}.triggered`,
    },
    inputProperties: { project, stage, service: fields.service ?? 'carts' },
    triggeredAt: fields.triggeredAt ?? at(0),
  };
}

/** Fields of {@link fixtureSequenceState}. */
export interface SequenceStateFixture {
  project?: string;
  keptnContext?: string;
  name?: string;
  state?: SequenceState['state'];
  time?: string;
}

/** A sequence state view with one `dev` stage entry. */
export function fixtureSequenceState(fields: SequenceStateFixture = {}): SequenceState {
  return {
    name: fields.name ?? 'delivery',
    service: 'carts',
    project: fields.project ?? 'shop',
    shkeptncontext: fields.keptnContext ?? nextId('ctx'),
    time: fields.time ?? at(0),
    state: fields.state ?? SequenceViewState.triggered,
    stages: [{ name: 'dev', state: 'triggered' }],
  };
}

/** An open-triggered entry for `event`, owned by `executionId`, scoped from the event's data. */
export function fixtureOpenTriggered(event: KeptnEvent, executionId = 'exec-open'): OpenTriggeredEvent {
  return {
    event,
    executionId,
    project: String(event.data.project),
    stage: String(event.data.stage),
    service: String(event.data.service),
  };
}

/** A start-timeout timer. */
export function fixtureTimer(fields: Partial<TimerRecord> = {}): TimerRecord {
  return {
    id: nextId('timer'),
    kind: TimerKind.startTimeout,
    executionId: 'exec-1',
    triggeredId: 'task-1',
    dueAtMs: BASE_MS,
    ...fields,
  };
}

/** A project with stages `dev` and `prod`. */
export function fixtureProject(name = 'shop', fields: Partial<ProjectRecord> = {}): ProjectRecord {
  return {
    name,
    creationDate: '1704067200000000000',
    shipyard: 'apiVersion: spec.keptn.sh/0.2.4\nkind: Shipyard\n',
    shipyardCommit: 'commit-1',
    shipyardVersion: 'spec.keptn.sh/0.2.4',
    stages: ['dev', 'prod'],
    lastEventContext: null,
    ...fields,
  };
}
