/**
 * The lines an operator reads to follow deliveries: one per sequence triggered and finished, and
 * one per task triggered, started and finished, with project, stage, service, keptn context and
 * (when it ended) result and status. Other events (logs, progress, invalidations) give none.
 */
import { parseEventType } from '@shipmate/core';
import type { KeptnEvent } from '@shipmate/core';
import type { FastifyBaseLogger } from 'fastify';

/** One log line: its message and the fields logged with it. */
export interface DeliveryLogLine {
  readonly message: string;
  readonly fields: Readonly<Record<string, string>>;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The line for `event`, or undefined when it is not a step of a delivery. */
export function deliveryLogLine(event: KeptnEvent): DeliveryLogLine | undefined {
  const parsed = parseEventType(event.type);
  let what: string;
  if (parsed.category === 'sequence' && (parsed.kind === 'triggered' || parsed.kind === 'finished')) {
    what = `sequence ${parsed.stage}.${parsed.sequence} ${parsed.kind}`;
  } else if (parsed.category === 'task' && (parsed.kind === 'triggered' || parsed.kind === 'started' || parsed.kind === 'finished')) {
    what = `task ${parsed.task} ${parsed.kind}`;
  } else return undefined;
  const { project, stage, service, result, status } = event.data;
  const ended = parsed.kind === 'finished';
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries({ project, stage, service, keptnContext: event.shkeptncontext, source: event.source })) {
    const set = text(value);
    if (set !== undefined) fields[key] = set;
  }
  if (ended && text(result)) fields.result = String(result);
  if (ended && text(status)) fields.status = String(status);
  const outcome = ended && text(result) ? `: ${String(result)}${text(status) && status !== 'succeeded' ? ` (${String(status)})` : ''}` : '';
  const scope = [text(project), text(stage), text(service)].filter((part) => part !== undefined).join('/');
  const message = text(event.data.message);
  return {
    message: `${what}${outcome} ${scope}${ended && outcome && message && (result === 'fail' || status !== 'succeeded') ? ` - ${message}` : ''}`,
    fields,
  };
}

/** The logger of {@link logDeliveryTo}: Fastify's, which is pino's when logging is on. */
type DeliveryLogger = Pick<FastifyBaseLogger, 'info'> & { isLevelEnabled?: (level: string) => boolean };

/**
 * Writes each event's {@link deliveryLogLine} to `log` at info. Every stored event passes here,
 * so the line is only built when info lines are written (`SHIPMATE_LOG_LEVEL=warn` skips the
 * work, not just the output); the level is asked per event, so a changed level applies at once.
 * A logger that cannot say (no `isLevelEnabled`) gets every line.
 */
export function logDeliveryTo(log: DeliveryLogger): (event: KeptnEvent) => void {
  return (event) => {
    if (log.isLevelEnabled?.('info') === false) return;
    const line = deliveryLogLine(event);
    if (line) log.info(line.fields, line.message);
  };
}
