import type { KeptnEvent } from '@shipmate/core';

/**
 * Positions in `events` (a batch in store order) of the earliest event, by time then position, of
 * each (context, project): the only events of the batch that can be their context's root. Whether
 * one is depends on what the table holds already, which the insert statement checks.
 */
export function rootCandidates(events: readonly KeptnEvent[]): Set<number> {
  const earliest = new Map<string, { index: number; time: string }>();
  events.forEach((event, index) => {
    const project = typeof event.data.project === 'string' ? event.data.project : null;
    const key = JSON.stringify([event.shkeptncontext, project]);
    const held = earliest.get(key);
    if (!held || event.time < held.time) earliest.set(key, { index, time: event.time });
  });
  return new Set([...earliest.values()].map((entry) => entry.index));
}
