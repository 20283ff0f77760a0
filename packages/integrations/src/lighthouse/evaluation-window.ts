/**
 * The time frame an evaluation measures, as Keptn's lighthouse takes it from the
 * `evaluation.triggered` data: `evaluation.start`/`end`, or `evaluation.timeframe` (ending at
 * `start + timeframe`, or now when there is no start), else the `test` task's `start`/`end`.
 */
import { parseGoDuration } from '@shipmate/core';

/** A window, or why there is none. */
export type WindowResult = { ok: true; start: string; end: string } | { ok: false; message: string };

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function time(value: unknown, field: string): number | string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value)))
    return `${field} '${JSON.stringify(value)}' is not a time (RFC 3339, e.g. 2026-01-01T10:00:00Z)`;
  return Date.parse(value);
}

/** The window of an evaluation task's data at `nowMs`. */
export function evaluationWindow(data: Record<string, unknown>, nowMs: number): WindowResult {
  const evaluation = record(data.evaluation);
  const start = time(evaluation.start, 'evaluation.start');
  const end = time(evaluation.end, 'evaluation.end');
  if (typeof start === 'string') return { ok: false, message: start };
  if (typeof end === 'string') return { ok: false, message: end };
  const timeframe = evaluation.timeframe;
  if (typeof timeframe === 'string' && timeframe !== '') {
    let ms: number;
    try {
      ms = parseGoDuration(timeframe, 'evaluation.timeframe');
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    const from = start ?? nowMs - ms;
    return checked(from, start === undefined ? nowMs : from + ms);
  }
  if (start !== undefined && end !== undefined) return checked(start, end);
  if (start !== undefined || end !== undefined)
    return { ok: false, message: 'evaluation.start and evaluation.end must be given together (or start with timeframe)' };
  const test = record(data.test);
  const testStart = time(test.start, 'test.start');
  const testEnd = time(test.end, 'test.end');
  if (typeof testStart === 'string') return { ok: false, message: testStart };
  if (typeof testEnd === 'string') return { ok: false, message: testEnd };
  if (testStart !== undefined && testEnd !== undefined) return checked(testStart, testEnd);
  return {
    ok: false,
    message:
      'no time frame to evaluate: the event has neither evaluation.start/end, evaluation.timeframe nor test.start/end; run a test task before the evaluation or trigger it with a timeframe',
  };
}

function checked(startMs: number, endMs: number): WindowResult {
  if (endMs <= startMs) {
    return {
      ok: false,
      message: `the evaluation window ends (${new Date(endMs).toISOString()}) before it starts (${new Date(startMs).toISOString()})`,
    };
  }
  return { ok: true, start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString() };
}
