/**
 * Integration error logs (`/v1/log`, control-plane.md §3.12): parsing of the POST body and of
 * Keptn's time parameters.
 */
import { ErrorCode } from '../errors/error-codes.js';
import { InputError } from '../errors/errors.js';
import { keptnTime } from '../events/keptn-event.js';
import type { LogEntry } from './integration.js';

/** Keptn's log time format `2006-01-02T15:04:05.000Z`, exactly. */
export const KEPTN_LOG_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Reads a `fromTime`/`beforeTime` query value; undefined when missing or empty. */
export function parseLogTime(value: string | undefined, field: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!KEPTN_LOG_TIME.test(value) || !Number.isFinite(Date.parse(value))) {
    throw new InputError(
      ErrorCode.invalidTime,
      `${field} '${value}' is not a Keptn timestamp; use the format 2006-01-02T15:04:05.000Z (UTC, milliseconds), e.g. ${field}=2024-01-01T00:00:00.000Z`,
    );
  }
  return value;
}

function optionalText(entry: Record<string, unknown>, key: string, field: string): string | undefined {
  const value = entry[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw new InputError(ErrorCode.invalidField, `field '${field}.${key}' must be a string, got ${JSON.stringify(value)}`);
  return value;
}

/** Parses `{logs: [LogEntry...]}`; a missing `time` becomes `now`, any ISO 8601 time is normalised. */
export function parseLogEntries(body: unknown, now: string): LogEntry[] {
  const logs = typeof body === 'object' && body !== null ? (body as { logs?: unknown }).logs : undefined;
  if (!Array.isArray(logs)) {
    throw new InputError(
      ErrorCode.missingField,
      `'logs' is required: a list of log entries, e.g. {"logs": [{"integrationid": "<id>", "message": "..."}]}`,
    );
  }
  return logs.map((raw, i): LogEntry => {
    const field = `logs[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new InputError(ErrorCode.invalidField, `${field} must be an object {integrationid, message, ...}, got ${JSON.stringify(raw)}`);
    }
    const entry = raw as Record<string, unknown>;
    const integrationid = optionalText(entry, 'integrationid', field);
    if (integrationid === undefined)
      throw new InputError(ErrorCode.missingField, `${field}.integrationid is required: the id the registration returned`);
    const rawTime = optionalText(entry, 'time', field);
    let time = now;
    if (rawTime !== undefined && !rawTime.startsWith('0001-01-01')) {
      const ms = Date.parse(rawTime);
      if (!Number.isFinite(ms))
        throw new InputError(
          ErrorCode.invalidTime,
          `${field}.time '${rawTime}' is not an ISO 8601 time; e.g. 2024-01-01T00:00:00.000Z, or leave it out for now`,
        );
      time = keptnTime(ms);
    }
    const optional = (key: string) => {
      const value = optionalText(entry, key, field);
      return value === undefined ? {} : { [key]: value };
    };
    return {
      integrationid,
      message: optionalText(entry, 'message', field) ?? '',
      time,
      ...optional('shkeptncontext'),
      ...optional('task'),
      ...optional('triggeredid'),
      ...optional('gitcommitid'),
    };
  });
}
