/**
 * What `shipmate demo` shows of a delivery: one line per sequence start and end and per task
 * start and end, with what matters of each (where a version runs, the test's figures, the quality
 * gate's score, why something failed).
 */
import { parseEventType } from '@shipmate/core';
import type { KeptnEvent } from '@shipmate/core';

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function num(value: unknown, digits = 0): string | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : undefined;
}

/** The most telling detail of a finished task (its message for tasks without figures). */
function detail(task: string, data: Record<string, unknown>, message: string): string {
  const own = record(data[task]);
  switch (task) {
    case 'deployment': {
      const uris = own.deploymentURIsLocal;
      return Array.isArray(uris) && typeof uris[0] === 'string' ? `serving at ${uris[0]}` : '';
    }
    case 'test': {
      const p95 = num(own.latencyP95Ms, 1);
      const rps = num(own.throughputRps);
      const errors = num(typeof own.errorRate === 'number' ? own.errorRate * 100 : undefined, 1);
      return [p95 && `p95 ${p95} ms`, rps && `${rps} req/s`, errors && `${errors} % errors`].filter(Boolean).join(', ');
    }
    case 'evaluation': {
      const evaluation = record(data.evaluation);
      const score = num(evaluation.score);
      return score === undefined ? '' : `quality gate score ${score}`;
    }
    case 'rollback':
    case 'release':
      return message;
    default:
      return '';
  }
}

/** The line for one event, or undefined for events the demo does not show. */
export function stepLine(event: KeptnEvent): string | undefined {
  const parsed = parseEventType(event.type);
  const stage = typeof event.data.stage === 'string' ? event.data.stage : '';
  const result = typeof event.data.result === 'string' ? event.data.result : '';
  const status = typeof event.data.status === 'string' ? event.data.status : '';
  const message = typeof event.data.message === 'string' ? event.data.message : '';
  const failed = result === 'fail' || (status !== '' && status !== 'succeeded');
  const outcome = `${result || status}${status && status !== 'succeeded' ? ` (${status})` : ''}`;
  if (parsed.category === 'sequence') {
    if (parsed.kind === 'triggered') return `▸ ${stage}: ${parsed.sequence} started`;
    if (parsed.kind === 'finished') return `▸ ${stage}: ${parsed.sequence} ${outcome}${failed && message ? ` - ${message}` : ''}`;
    return undefined;
  }
  if (parsed.category !== 'task') return undefined;
  const name = `  ${stage.padEnd(11)} ${parsed.task.padEnd(11)}`;
  if (parsed.kind === 'triggered') return event.source === 'shipyard-controller' ? `${name} …` : undefined;
  if (parsed.kind !== 'finished') return undefined;
  const about = failed ? message : detail(parsed.task, event.data, message);
  return `${name} ${outcome}${about ? `  ${about}` : ''}`;
}
