/**
 * The events an integration sends about a task it got: `.started`, `.status.changed` (progress)
 * and `.finished`, shaped as Keptn's Go SDK shapes them (same context, `triggeredid` = the task's
 * `.triggered` id, the integration's name as `source`).
 */
import { KEPTN_SPEC_VERSION, TaskResult, TaskStatus, parseEventType } from '@shipmate/core';
import type { KeptnEvent } from '@shipmate/core';

/** The task name of a task `.triggered` event, or undefined for any other type. */
export function taskNameOf(event: KeptnEvent): string | undefined {
  const parsed = parseEventType(event.type);
  return parsed.category === 'task' && parsed.kind === 'triggered' ? parsed.task : undefined;
}

function envelope(triggered: KeptnEvent, type: string, source: string, data: Record<string, unknown>): Record<string, unknown> {
  return {
    specversion: '1.0',
    type,
    source,
    shkeptncontext: triggered.shkeptncontext,
    triggeredid: triggered.id,
    ...(triggered.gitcommitid ? { gitcommitid: triggered.gitcommitid } : {}),
    shkeptnspecversion: KEPTN_SPEC_VERSION,
    contenttype: 'application/json',
    data: { project: triggered.data.project, stage: triggered.data.stage, service: triggered.data.service, ...data },
  };
}

/** `sh.keptn.event.<task>.started`. */
export function startedEvent(triggered: KeptnEvent, task: string, source: string): Record<string, unknown> {
  return envelope(triggered, `sh.keptn.event.${task}.started`, source, { status: TaskStatus.succeeded });
}

/** `sh.keptn.event.<task>.status.changed` with a progress message. */
export function progressEvent(triggered: KeptnEvent, task: string, source: string, message: string): Record<string, unknown> {
  return envelope(triggered, `sh.keptn.event.${task}.status.changed`, source, { message });
}

/** `sh.keptn.event.<task>.finished`: the handler's data, `status` succeeded and `result` pass unless it set them. */
export function finishedEvent(triggered: KeptnEvent, task: string, source: string, data: Record<string, unknown>): Record<string, unknown> {
  return envelope(triggered, `sh.keptn.event.${task}.finished`, source, { status: TaskStatus.succeeded, result: TaskResult.pass, ...data });
}

/** `.finished` for a handler that threw: errored, fail, the error's message. */
export function erroredEvent(triggered: KeptnEvent, task: string, source: string, error: unknown): Record<string, unknown> {
  const message = error instanceof Error ? error.message : String(error);
  return finishedEvent(triggered, task, source, { status: TaskStatus.errored, result: TaskResult.fail, message });
}
