/**
 * Which integrations have parked long polls that an event type may wake, so that a new task looks
 * only at those integrations' tickets instead of every parked poll (issue 13: per-task CPU must not
 * grow with the number of parked agents).
 *
 * Each ticket is indexed under the event types its last look said it can accept (its
 * integration's subscription patterns); a ticket that has not looked yet, or whose types are not
 * known, is indexed under "any type". Exact types are a map lookup; patterns with NATS wildcards
 * (`*`, `>`) are matched one by one, so the cost of a look-up grows with the number of distinct
 * wildcard patterns, not with the number of tickets.
 */
import { eventTypeMatches, isWildcard } from './subscription-match.js';

/** The event types a ticket can accept; undefined means any type. */
export type TicketTopics = readonly string[] | undefined;

/** The index. */
export interface WaiterTopicIndex {
  /** Indexes one ticket of `integrationId` under `topics`. */
  add(integrationId: string, topics: TicketTopics): void;
  /** Removes one ticket of `integrationId` indexed under `topics` (the same value given to {@link add}). */
  remove(integrationId: string, topics: TicketTopics): void;
  /** The integrations with a ticket that may accept an event of `type`. */
  integrationsFor(type: string): Set<string>;
}

/** Per key, per integration, how many tickets are indexed there. */
type Counts = Map<string, Map<string, number>>;

function bump(counts: Counts, key: string, integrationId: string, delta: number): void {
  let perIntegration = counts.get(key);
  if (!perIntegration) counts.set(key, (perIntegration = new Map<string, number>()));
  const next = (perIntegration.get(integrationId) ?? 0) + delta;
  if (next > 0) perIntegration.set(integrationId, next);
  else perIntegration.delete(integrationId);
  if (perIntegration.size === 0) counts.delete(key);
}

/** A key no event type can be (types never contain NUL). */
const ANY_TYPE = '\u0000any';

/** Creates an empty index. */
export function createWaiterTopicIndex(): WaiterTopicIndex {
  const exact: Counts = new Map();
  const wildcard: Counts = new Map();

  function apply(integrationId: string, topics: TicketTopics, delta: number): void {
    if (topics === undefined) {
      bump(exact, ANY_TYPE, integrationId, delta);
      return;
    }
    for (const topic of new Set(topics)) bump(isWildcard(topic) ? wildcard : exact, topic, integrationId, delta);
  }

  return {
    add: (integrationId, topics) => apply(integrationId, topics, 1),
    remove: (integrationId, topics) => apply(integrationId, topics, -1),
    integrationsFor(type) {
      const found = new Set<string>([...(exact.get(type)?.keys() ?? []), ...(exact.get(ANY_TYPE)?.keys() ?? [])]);
      for (const [pattern, integrations] of wildcard) {
        if (eventTypeMatches(pattern, type)) for (const id of integrations.keys()) found.add(id);
      }
      return found;
    },
  };
}
