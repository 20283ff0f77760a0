/**
 * Turns a client's `POST /api/v1/event` body into a stored Keptn event, following Keptn's
 * api-service: required `type`, `source`, `data`; new `id`, `time` and `contenttype`;
 * `shkeptncontext` kept if a UUID, derived deterministically if another string, generated if
 * empty; then Keptn's validation rules (on unless disabled).
 */
import {
  API_DEFAULT_SOURCE,
  ErrorCode,
  InputError,
  contextFromString,
  isPlainObject,
  isUuid,
  keptnTime,
  parseEventType,
} from '@shipmate/core';
import type { EventData, IdGenerator, KeptnEvent } from '@shipmate/core';

const ALWAYS_ACCEPTED = new Set(['sh.keptn.log.error', 'sh.keptn.events.problem']);

/** `sh.keptn.event.<task>.status.changed`: a task's progress (Shipmate accepts it with validation on; stored, not orchestrated). */
const STATUS_CHANGED = /^sh\.keptn\.event\.[^.]+\.status\.changed$/;

/** Validates and completes an incoming event. */
export function normalizeIncomingEvent(body: unknown, ids: IdGenerator, nowMs: number, validate: boolean): KeptnEvent {
  if (!isPlainObject(body)) throw new InputError(ErrorCode.invalidEvent, 'event body must be a JSON object with type, source and data');
  const type = requireString(body, 'type');
  const sourceValue = requireString(body, 'source');
  if (!isPlainObject(body.data)) {
    throw new InputError(
      ErrorCode.missingField,
      'field \'data\' is required and must be an object, e.g. {"project":"p","stage":"dev","service":"s"}',
    );
  }
  const data = body.data as EventData;
  const rawContext = optionalString(body, 'shkeptncontext');
  const shkeptncontext = !rawContext ? ids.newId() : isUuid(rawContext) ? rawContext.toLowerCase() : contextFromString(rawContext);
  const event: KeptnEvent = {
    id: ids.newId(),
    type,
    source: isUriReference(sourceValue) ? sourceValue : API_DEFAULT_SOURCE,
    specversion: '1.0',
    time: keptnTime(nowMs),
    contenttype: 'application/json',
    shkeptncontext,
    data,
  };
  const triggeredid = optionalString(body, 'triggeredid');
  if (triggeredid) event.triggeredid = triggeredid;
  const gitcommitid = optionalString(body, 'gitcommitid');
  if (gitcommitid) event.gitcommitid = gitcommitid;
  if (validate) validateKeptnEvent(event);
  return event;
}

/** Keptn's `eventvalidation.go` rules. */
export function validateKeptnEvent(event: KeptnEvent): void {
  if (ALWAYS_ACCEPTED.has(event.type)) return;
  if (STATUS_CHANGED.test(event.type)) {
    requireData(event, ['project', 'stage', 'service']);
    if (!event.triggeredid)
      throw new InputError(
        ErrorCode.missingField,
        "field 'triggeredid' is required on status.changed events: set it to the id of the task's .triggered event",
      );
    return;
  }
  if (event.type === 'sh.keptn.event.monitoring.configure') {
    requireData(event, ['project', 'type']);
    return;
  }
  const parsed = parseEventType(event.type);
  if (parsed.category === 'sequence') {
    if (parsed.kind !== 'triggered') {
      throw new InputError(
        ErrorCode.invalidEventType,
        `event type '${event.type}' cannot be sent: only '<stage>.<sequence>.triggered' sequence events are accepted; the control plane sends .finished itself`,
      );
    }
    requireData(event, ['project', 'stage', 'service']);
    if (event.data.stage !== parsed.stage) {
      throw new InputError(
        ErrorCode.invalidEvent,
        `data.stage '${String(event.data.stage)}' does not match the stage '${parsed.stage}' in the event type; use the same stage in both`,
      );
    }
    return;
  }
  if (parsed.category === 'task') {
    if (parsed.kind === 'invalidated') return;
    requireData(event, ['project', 'stage', 'service']);
    // A sub-task of an open task (checked against the store by the intake): it names no triggeredid.
    if (parsed.kind === 'triggered') return;
    if (!event.triggeredid)
      throw new InputError(
        ErrorCode.missingField,
        `field 'triggeredid' is required on ${parsed.kind} events: set it to the id of the .triggered event being answered`,
      );
    if (parsed.kind === 'finished') requireData(event, ['result', 'status']);
    return;
  }
  throw new InputError(
    ErrorCode.invalidEventType,
    `unknown event type '${event.type}': expected sh.keptn.event.<task>.<started|finished|invalidated|status.changed> or sh.keptn.event.<stage>.<sequence>.triggered`,
  );
}

function requireData(event: KeptnEvent, fields: string[]): void {
  for (const field of fields) {
    const value = event.data[field];
    if (typeof value !== 'string' || value === '') {
      throw new InputError(ErrorCode.missingField, `field 'data.${field}' is required for ${event.type} and must be a non-empty string`);
    }
  }
}

function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '')
    throw new InputError(ErrorCode.missingField, `field '${field}' is required and must be a non-empty string`);
  return value;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new InputError(ErrorCode.invalidField, `field '${field}' must be a string`);
  return value;
}

/** Loose URI-reference check (Go's url.Parse accepts nearly anything without spaces). */
function isUriReference(value: string): boolean {
  // Control characters are what makes a source unusable as a URI reference.
  // eslint-disable-next-line no-control-regex
  return !/[\s\u0000-\u001f]/.test(value);
}
