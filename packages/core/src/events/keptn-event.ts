/** The Keptn CloudEvent envelope (`KeptnContextExtendedCE`) and its common data fields. */

/** Task outcome as reported by an executor. */
export const TaskResult = { pass: 'pass', warning: 'warning', fail: 'fail' } as const;
/** One of {@link TaskResult}. */
export type TaskResult = (typeof TaskResult)[keyof typeof TaskResult];

/** Whether an executor managed to run a task at all. */
export const TaskStatus = {
  succeeded: 'succeeded',
  errored: 'errored',
  aborted: 'aborted',
  unknown: 'unknown',
} as const;
/** One of {@link TaskStatus}. */
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

/** `data` of a Keptn event: common fields plus one object per task name. */
export interface EventData {
  project?: string;
  stage?: string;
  service?: string;
  labels?: Record<string, string>;
  status?: string;
  result?: string;
  message?: string;
  [key: string]: unknown;
}

/** A Keptn CloudEvent as stored and returned by the API. */
export interface KeptnEvent {
  id: string;
  type: string;
  source: string;
  specversion: string;
  time: string;
  contenttype?: string;
  shkeptncontext: string;
  triggeredid?: string;
  gitcommitid?: string;
  shkeptnspecversion?: string;
  data: EventData;
}

/** The last millisecond {@link keptnTime} formatted, and its text. */
let lastFormattedMs = Number.NaN;
let lastFormattedText = '';

/**
 * Keptn's timestamp format (`2006-01-02T15:04:05.000Z`); lexical order equals time order. The
 * last result is kept: a burst of requests and every event of one step format the same
 * millisecond again and again (formatting was ~2 % of the intake's CPU). NaN is never equal to
 * itself, so an invalid time still throws as `toISOString` does.
 */
export function keptnTime(ms: number): string {
  if (ms !== lastFormattedMs) {
    lastFormattedText = new Date(ms).toISOString();
    lastFormattedMs = ms;
  }
  return lastFormattedText;
}

/** Source Shipmate puts on events its orchestrator emits (Keptn's name, so tools keep working). */
export const ORCHESTRATOR_SOURCE = 'shipyard-controller';

/** Source the API gives events whose `source` is not a URL (Keptn's default). */
export const API_DEFAULT_SOURCE = 'https://github.com/keptn/keptn/api';

/** The shipyard spec version Shipmate reports on emitted events. */
export const KEPTN_SPEC_VERSION = '0.2.4';
