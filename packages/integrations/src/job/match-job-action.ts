/**
 * Which action of job/config.yaml a task event runs, as JES decided: an action matches when one of
 * its `events` has a `name` (an unanchored regular expression) that finds the event type and,
 * when it has a `jsonpath`, the value at `property` is the string `match` (a number or boolean in
 * the event does not equal a string, as in Go). The first matching action runs. Pure: no I/O.
 */
import type { KeptnEvent } from '@shipmate/core';
import { lookupEventPath } from './event-path.js';
import type { JobAction, JobConfig, JobEventFilter } from './parse-job-config.js';

/** The event as JES's JSONPaths see it: `{id, shkeptncontext, time, source, data, specversion, type, gitcommitid}`. */
export function eventDocument(event: KeptnEvent): Readonly<Record<string, unknown>> {
  return {
    id: event.id,
    shkeptncontext: event.shkeptncontext,
    time: event.time,
    source: event.source,
    data: event.data,
    specversion: event.specversion,
    type: event.type,
    gitcommitid: event.gitcommitid ?? null,
  };
}

/** Whether `filter` matches an event of `type` whose document is `document`. */
export function eventFilterMatches(filter: JobEventFilter, type: string, document: unknown): boolean {
  if (!filter.pattern.test(type)) return false;
  if (!filter.jsonpath) return true;
  const found = lookupEventPath(document, filter.jsonpath.path);
  return found.found && found.value === filter.jsonpath.match;
}

/** The first action of `config` that `event` matches, if any. */
export function matchJobAction(config: JobConfig, event: KeptnEvent): JobAction | undefined {
  const document = eventDocument(event);
  return config.actions.find((action) => action.events.some((filter) => eventFilterMatches(filter, event.type, document)));
}
