/**
 * Reads the data of a `sh.keptn.event.get-sli.triggered` event (Keptn's `GetSLITriggeredEventData`):
 * `{project, stage, service, labels, deployment, "get-sli": {sliProvider, start, end, indicators,
 * customFilters}}`. Pure: no I/O. A request that cannot be answered at all (no window, a time that
 * does not parse, an end before the start) throws an {@link InputError} naming the field.
 */
import { ErrorCode, InputError } from '@shipmate/core';
import type { EventData } from '@shipmate/core';

/** One `get-sli.customFilters` entry. */
export interface SliFilter {
  readonly key: string;
  readonly value: string;
}

/** A `get-sli` request, read and checked. */
export interface GetSliRequest {
  readonly project: string;
  readonly stage: string;
  readonly service: string;
  readonly labels: Readonly<Record<string, string>>;
  /** `data.deployment` when it is a non-empty string, else `labels.deployment`, else `primary` (Keptn). */
  readonly deployment: string;
  readonly sliProvider: string;
  /** `start` and `end` as sent (echoed in `.finished`). */
  readonly startText: string;
  readonly endText: string;
  readonly start: Date;
  readonly end: Date;
  readonly indicators: readonly string[];
  readonly customFilters: readonly SliFilter[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The `get-sli` block of an event's data, or undefined. */
export function getSliBlock(data: EventData): Record<string, unknown> | undefined {
  const block = (data as Record<string, unknown>)['get-sli'];
  return isRecord(block) ? block : undefined;
}

/**
 * Parses a time as Keptn's prometheus-service does: RFC 3339, else Unix seconds. Undefined when
 * it is neither.
 */
export function parseSliTime(text: string): Date | undefined {
  if (/^\d+$/.test(text)) return new Date(Number(text) * 1000);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function invalid(field: string, reason: string): InputError {
  return new InputError(ErrorCode.invalidField, `get-sli.triggered ${field} ${reason}`);
}

function time(block: Record<string, unknown>, field: 'start' | 'end'): { text: string; date: Date } {
  const value = block[field];
  if (typeof value !== 'string' || value === '')
    throw new InputError(
      ErrorCode.missingField,
      `get-sli.triggered has no data["get-sli"].${field}; the evaluation must send the window as RFC 3339 times, e.g. 2024-01-01T10:00:00Z`,
    );
  const date = parseSliTime(value);
  if (!date) throw invalid(`data["get-sli"].${field} '${value}'`, 'is not a time; give RFC 3339 (2024-01-01T10:00:00Z) or Unix seconds');
  return { text: value, date };
}

function strings(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Reads and checks a `get-sli.triggered` event's data; throws {@link InputError} naming the field. */
export function readGetSliRequest(data: EventData): GetSliRequest {
  const block = getSliBlock(data);
  if (!block) throw new InputError(ErrorCode.missingField, 'get-sli.triggered has no data["get-sli"] block; nothing to measure');
  const record = data as Record<string, unknown>;
  const start = time(block, 'start');
  const end = time(block, 'end');
  if (end.date.getTime() < start.date.getTime())
    throw invalid(`data["get-sli"].end '${end.text}'`, `is before start '${start.text}'; the window must end after it starts`);

  const rawIndicators = block.indicators ?? [];
  if (!Array.isArray(rawIndicators) || rawIndicators.some((i) => typeof i !== 'string' || i === ''))
    throw invalid('data["get-sli"].indicators', 'must be a list of indicator names (strings), e.g. ["response_time_p95"]');

  const rawFilters = block.customFilters ?? [];
  if (!Array.isArray(rawFilters)) throw invalid('data["get-sli"].customFilters', 'must be a list of {key, value}');
  const customFilters = rawFilters.map((f: unknown, i): SliFilter => {
    if (!isRecord(f) || typeof f.key !== 'string' || f.key === '' || typeof f.value !== 'string')
      throw invalid(`data["get-sli"].customFilters[${i}]`, 'must be {"key": "<name>", "value": "<text>"} with string key and value');
    return { key: f.key, value: f.value };
  });

  const labels = strings(record.labels);
  const deployment =
    typeof record.deployment === 'string' && record.deployment !== '' ? record.deployment : (labels.deployment ?? 'primary');
  return {
    project: typeof data.project === 'string' ? data.project : '',
    stage: typeof data.stage === 'string' ? data.stage : '',
    service: typeof data.service === 'string' ? data.service : '',
    labels,
    deployment,
    sliProvider: typeof block.sliProvider === 'string' ? block.sliProvider : '',
    startText: start.text,
    endText: end.text,
    start: start.date,
    end: end.date,
    indicators: rawIndicators as string[],
    customFilters,
  };
}
