/**
 * Which task events a subscription and an instance accept (execution-plane.md §3.4): the event
 * type equals the subscription's `event` or matches it as a NATS subject with `*` (one token)
 * and `>` (one or more trailing tokens); every non-empty filter dimension contains the event's
 * project, stage or service. An empty list means "all".
 */
import type { KeptnEvent } from '../events/keptn-event.js';
import type { EventSubscription, SubscriptionFilter } from '../registry/integration.js';

/** The scope of a task event (its `data.project`, `data.stage`, `data.service`). */
export interface TaskScope {
  project: string;
  stage: string;
  service: string;
}

/** The scope of a task event; a missing field is the empty string. */
export function scopeOf(event: KeptnEvent): TaskScope {
  return { project: event.data.project ?? '', stage: event.data.stage ?? '', service: event.data.service ?? '' };
}

/** True when `type` matches the subscription's `event` (exact, or NATS wildcards). */
export function eventTypeMatches(pattern: string, type: string): boolean {
  if (pattern === type) return true;
  if (!pattern.includes('*') && !pattern.includes('>')) return false;
  const want = pattern.split('.');
  const have = type.split('.');
  for (let i = 0; i < want.length; i++) {
    const token = want[i];
    if (token === '>') return i === want.length - 1 && have.length > i;
    if (i >= have.length) return false;
    if (token !== '*' && token !== have[i]) return false;
  }
  return want.length === have.length;
}

/** True when the pattern can match more than one type. */
export function isWildcard(pattern: string): boolean {
  return pattern.split('.').some((token) => token === '*' || token === '>');
}

/** True when every non-empty dimension of `filter` contains the scope's value. */
export function filterMatches(filter: SubscriptionFilter, scope: TaskScope): boolean {
  const ok = (list: string[], value: string) => list.length === 0 || list.includes(value);
  return ok(filter.projects, scope.project) && ok(filter.stages, scope.stage) && ok(filter.services, scope.service);
}

/** True when one of the subscriptions matches the event's type, and its filter the event's scope. */
export function subscriptionsAccept(subscriptions: readonly EventSubscription[], event: KeptnEvent): boolean {
  const scope = scopeOf(event);
  return subscriptions.some((s) => eventTypeMatches(s.event, event.type) && filterMatches(s.filter, scope));
}
