/**
 * The JetStream stream that carries task `.triggered` events to in-cluster execution planes: its
 * name, subjects and retention, created or brought up to date by the control plane at start.
 *
 * Retention is `limits` (messages live `maxAge`, 24 h by default), not `workqueue` or `interest`:
 * several integrations may subscribe to one task type and each needs its own copy (its own durable
 * consumer), which a work-queue stream forbids (overlapping consumers) and would delete after the
 * first integration's ack; an interest stream drops a task published while no consumer exists, so a
 * plane started after the task was emitted would never see it. The duplicate window equals
 * `maxAge`, so a task published twice with its event id as message id (two replicas, or a republish
 * after a restart) is stored once for as long as the first copy lives.
 */
import { ErrorCode, ShipmateError } from '@shipmate/core';
import { DiscardPolicy, RetentionPolicy, StorageType, nanos } from 'nats';
import type { JetStreamManager, StreamConfig } from 'nats';

/** Keptn's event subjects: every `sh.keptn.event.…` type (only task `.triggered` events are published). */
export const TASK_STREAM_SUBJECT = 'sh.keptn.event.>';

/**
 * The subject a task is published on: its event type, after `prefix` when one is given (several
 * control planes on one NATS account, tests: streams may not share subjects).
 */
export function taskSubject(eventType: string, prefix: string | undefined): string {
  return prefix ? `${prefix}.${eventType}` : eventType;
}

/** How long a task message is kept (and deduplicated) unless configured otherwise: 24 h. */
export const DEFAULT_TASK_MAX_AGE_MS = 24 * 3600 * 1000;

/**
 * Creates the stream, or updates its subjects, age and duplicate window. A stream of that name
 * with another retention, or a server without JetStream, throws `ERR_BUS_UNAVAILABLE`.
 */
export async function ensureTaskStream(
  manager: JetStreamManager,
  stream: { name: string; maxAgeMs: number; subjectPrefix: string | undefined },
): Promise<void> {
  const { name, maxAgeMs } = stream;
  const wanted: Partial<StreamConfig> = {
    name,
    subjects: [taskSubject(TASK_STREAM_SUBJECT, stream.subjectPrefix)],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(maxAgeMs),
    duplicate_window: nanos(maxAgeMs),
  };
  let existing: StreamConfig | undefined;
  try {
    existing = (await manager.streams.info(name)).config;
  } catch (error) {
    if (!/stream not found/i.test(String((error as Error).message))) throw error;
  }
  if (existing === undefined) {
    await manager.streams.add(wanted);
    return;
  }
  if (existing.retention !== RetentionPolicy.Limits)
    throw new ShipmateError(
      'unavailable',
      ErrorCode.busUnavailable,
      `the JetStream stream '${name}' exists with ${existing.retention} retention; tasks need limits retention: delete it (nats stream rm ${name}) or choose another stream name`,
    );
  await manager.streams.update(name, { ...existing, ...wanted });
}
