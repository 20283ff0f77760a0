/**
 * Preloads finished sequences for figure (h) by bulk insert through the store: one real sequence
 * run through the server is the template; its events, sequence state and execution are cloned with
 * new ids, contexts, services and times and written by the store directly (the SQLite store on the
 * data dir's file, or the PostgreSQL store on the server's database; the server is stopped
 * meanwhile), a chunk of sequences per transaction.
 *
 * The template is taken as stored text: every id, the context, the service and every ISO timestamp
 * in it become placeholders, filled in per clone (times shifted so that clone i is `i` seconds
 * after the first), so the clones have exactly the shape the server writes.
 */
import type { ControlPlaneStore, KeptnEvent, SequenceExecution, SequenceState } from '@shipmate/core';
import { eachLimited } from './each-limited.js';

/** The stored records of one finished sequence. */
export interface SequenceTemplate {
  project: string;
  keptnContext: string;
  service: string;
  events: KeptnEvent[];
  state: SequenceState;
  executions: SequenceExecution[];
}

/** Reads the template sequence from `store` (the caller opens and closes it). */
export async function readTemplate(store: ControlPlaneStore, project: string, keptnContext: string): Promise<SequenceTemplate> {
  const events = (await store.queryEvents({ project, keptnContext, offset: 0, limit: 0 })).items;
  const state = await store.getSequenceState(project, keptnContext);
  const executions = await store.listExecutionsOfContext(project, keptnContext);
  if (!state || events.length === 0 || executions.length === 0) {
    throw new Error(`template sequence ${keptnContext} of ${project} is not stored whole (state, events, execution)`);
  }
  return { project, keptnContext, service: String(events[0]!.data.service), events, state, executions };
}

const ISO_TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z/g;

/** A JSON text with holes: ids by index, the context, the service and times by offset (ms). */
interface Pattern {
  parts: string[];
  holes: Array<{ kind: 'id'; index: number } | { kind: 'context' } | { kind: 'service' } | { kind: 'time'; offsetMs: number }>;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Cuts `text` at every id, the context, the quoted service and every timestamp. */
function patternOf(text: string, ids: readonly string[], context: string, service: string, baseMs: number): Pattern {
  const alternatives = [...ids, context].map(escapeRegExp);
  const matcher = new RegExp(`(${alternatives.join('|')})|("${escapeRegExp(service)}")|(${ISO_TIME.source})`, 'g');
  const parts: string[] = [];
  const holes: Pattern['holes'] = [];
  let last = 0;
  for (const match of text.matchAll(matcher)) {
    parts.push(text.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[1] !== undefined) {
      holes.push(match[1] === context ? { kind: 'context' } : { kind: 'id', index: ids.indexOf(match[1]) });
    } else if (match[2] !== undefined) {
      holes.push({ kind: 'service' });
    } else {
      holes.push({ kind: 'time', offsetMs: Date.parse(match[0]) - baseMs });
    }
  }
  parts.push(text.slice(last));
  return { parts, holes };
}

/** A UUID-shaped id unique per (sequence, slot); slot 0xffff is the context. */
function cloneId(sequence: number, slot: number): string {
  return `${slot.toString(16).padStart(8, '0')}-0000-4000-8000-${sequence.toString(16).padStart(12, '0')}`;
}

/** Makes clone `i` of each pattern. */
function fill(pattern: Pattern, i: number, service: string, startMs: number): string {
  let out = pattern.parts[0]!;
  pattern.holes.forEach((hole, h) => {
    let value: string;
    if (hole.kind === 'id') value = cloneId(i, hole.index);
    else if (hole.kind === 'context') value = cloneId(i, 0xffff);
    else if (hole.kind === 'service') value = JSON.stringify(service);
    else value = new Date(startMs + i * 1000 + hole.offsetMs).toISOString();
    out += value + pattern.parts[h + 1]!;
  });
  return out;
}

/** The context of clone `i`. */
export function cloneContext(i: number): string {
  return cloneId(i, 0xffff);
}

/** Options of {@link preloadSequences}. */
export interface PreloadOptions {
  /** Where the clones go (the caller opens and closes it). */
  store: ControlPlaneStore;
  template: SequenceTemplate;
  /** Services the clones spread over, round robin. */
  services: readonly string[];
  /** Clone indexes `[from, to)`. */
  from: number;
  to: number;
  /** Time of clone 0 (ms since the epoch); clone i is i seconds later. */
  startMs: number;
  /** Sequences per transaction. @default 2000 */
  chunk?: number;
  /**
   * Transactions written at once: 1 for SQLite (one connection); more for PostgreSQL, whose store
   * inserts row by row, so that its pool's connections overlap their round trips. @default 1
   */
  inFlight?: number;
}

/** Writes clones `from` … `to - 1` of the template; returns the events written. */
export async function preloadSequences(options: PreloadOptions): Promise<number> {
  const { template } = options;
  const baseMs = Date.parse(template.events.reduce((min, e) => (e.time < min ? e.time : min), template.events[0]!.time));
  const ids = [...template.events.map((e) => e.id), ...template.executions.map((e) => e._id)];
  const make = (value: unknown) => patternOf(JSON.stringify(value), ids, template.keptnContext, template.service, baseMs);
  const eventPatterns = template.events.map(make);
  const statePattern = make(template.state);
  const executionPatterns = template.executions.map(make);
  const chunk = options.chunk ?? 2000;
  const { store } = options;
  let written = 0;
  const firsts: number[] = [];
  for (let first = options.from; first < options.to; first += chunk) firsts.push(first);
  await eachLimited(firsts, options.inFlight ?? 1, async (first) => {
    const events: KeptnEvent[] = [];
    const states: SequenceState[] = [];
    const executions: SequenceExecution[] = [];
    for (let i = first; i < Math.min(options.to, first + chunk); i++) {
      const service = options.services[i % options.services.length]!;
      for (const p of eventPatterns) events.push(JSON.parse(fill(p, i, service, options.startMs)) as KeptnEvent);
      states.push(JSON.parse(fill(statePattern, i, service, options.startMs)) as SequenceState);
      for (const p of executionPatterns) executions.push(JSON.parse(fill(p, i, service, options.startMs)) as SequenceExecution);
    }
    await store.appendEvents(events, { pending: false });
    await store.commit({ sequenceStates: states, executions });
    written += events.length;
  });
  return written;
}
