/**
 * Keptn's event-type grammar (`keptn/go-utils` `pkg/lib/v0_2_0/events.go`). A type is split on
 * `.`; every segment must be non-empty, so task, stage and sequence names cannot contain dots.
 */

const PREFIX = 'sh.keptn.event';

/** Last segment of a task event type (`sh.keptn.event.<task>.<kind>`). */
export const TaskEventKind = {
  triggered: 'triggered',
  started: 'started',
  finished: 'finished',
  invalidated: 'invalidated',
} as const;
/** One of {@link TaskEventKind}. */
export type TaskEventKind = (typeof TaskEventKind)[keyof typeof TaskEventKind];

/** Last segment of a sequence event type (`sh.keptn.event.<stage>.<sequence>.<kind>`). */
export const SequenceEventKind = { triggered: 'triggered', finished: 'finished' } as const;
/** One of {@link SequenceEventKind}. */
export type SequenceEventKind = (typeof SequenceEventKind)[keyof typeof SequenceEventKind];

/** An event type classified as a task event, a sequence event, or anything else. */
export type ParsedEventType =
  | { category: 'task'; task: string; kind: TaskEventKind }
  | { category: 'sequence'; stage: string; sequence: string; kind: SequenceEventKind }
  | { category: 'other' };

const OTHER: ParsedEventType = Object.freeze({ category: 'other' });

function isTaskEventKind(value: string): value is TaskEventKind {
  return Object.hasOwn(TaskEventKind, value);
}

function isSequenceEventKind(value: string): value is SequenceEventKind {
  return Object.hasOwn(SequenceEventKind, value);
}

/**
 * Parsed types by their text. An event's type is classified several times on its way (intake,
 * validation, orchestration, the delivery log, metrics), and a control plane sees few distinct
 * types, so each is split once. The results are frozen because every caller shares them. Clients
 * choose the types they send, so the map is emptied when it reaches {@link PARSED_TYPES_MAX}
 * instead of growing without bound (cheaper than an LRU on a path taken several times per event).
 */
const parsedTypes = new Map<string, ParsedEventType>();
/** Distinct types kept in {@link parsedTypes} before it is emptied. */
export const PARSED_TYPES_MAX = 1024;

/**
 * Classifies `type`: 5 segments with a task kind is a task event, 6 segments with kind
 * `triggered`/`finished` a sequence event; everything else (`sh.keptn.log.error`,
 * `sh.keptn.event.deployment.status.changed`, empty segments) is `other`. The result is frozen
 * and shared by every caller asking for the same type.
 */
export function parseEventType(type: string): ParsedEventType {
  let parsed = parsedTypes.get(type);
  if (parsed === undefined) {
    parsed = Object.freeze(classifyEventType(type));
    if (parsedTypes.size >= PARSED_TYPES_MAX) parsedTypes.clear();
    parsedTypes.set(type, parsed);
  }
  return parsed;
}

function classifyEventType(type: string): ParsedEventType {
  const segments = type.split('.');
  if (segments[0] !== 'sh' || segments[1] !== 'keptn' || segments[2] !== 'event') return OTHER;
  if (segments.some((segment) => segment === '')) return OTHER;
  if (segments.length === 5) {
    const [, , , task = '', kind = ''] = segments;
    return isTaskEventKind(kind) ? { category: 'task', task, kind } : OTHER;
  }
  if (segments.length === 6) {
    const [, , , stage = '', sequence = '', kind = ''] = segments;
    return isSequenceEventKind(kind) ? { category: 'sequence', stage, sequence, kind } : OTHER;
  }
  return OTHER;
}

/** `sh.keptn.event.<task>.<kind>`; `task` must be non-empty and dot-free (shipyard parsing ensures it). */
export function taskEventType(task: string, kind: TaskEventKind): string {
  return `${PREFIX}.${task}.${kind}`;
}

/** `sh.keptn.event.<stage>.<sequence>.<kind>`; names must be non-empty and dot-free. */
export function sequenceEventType(stage: string, sequence: string, kind: SequenceEventKind): string {
  return `${PREFIX}.${stage}.${sequence}.${kind}`;
}
