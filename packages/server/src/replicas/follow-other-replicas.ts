/**
 * What a replica does with the other replicas' notices (ports/replica-notices.ts): the in-memory
 * state each replica keeps for speed follows the changes made through the others.
 * - `emitted`: a task emitted by another replica wakes the long polls parked here;
 * - `registry`: the registry copy re-reads the integration (registrations, subscriptions, removals),
 *   then its parked polls look again (under subscriptions that may have changed);
 * - `tokens`: the API tokens are read again (a revocation holds everywhere);
 * - `owner`: a plane token's instance is bound here too;
 * - `answer`: a sub-task's answer stored elsewhere wakes the waiter parked here (read from the store);
 * - `upstream`: a project's git upstream settings are read again (announce-upstream.ts sends it);
 * - `changes`: the projects and topics another replica's writes changed reach the live views of
 *   the web UI open on this one (announced-change-feed.ts sends them).
 * After the bus reconnects (notices may have been lost) the registry and the tokens are re-read.
 * With shared claims the registry copy is also re-read every `registryRefreshMs`, for the
 * heartbeats other replicas record (they are not announced: one per parked poll would flood the bus).
 */
import { wakeOnEmitted } from '@shipmate/core';
import type {
  ConfigUpstream,
  ControlPlaneStore,
  LiveSubscriberIndex,
  ReplicaNotice,
  ReplicaNoticeBus,
  StepClaims,
  TaskWaiters,
} from '@shipmate/core';
import type { ApiTokenRegistry } from '../auth/api-token-registry.js';
import type { IntegrationOwners } from '../auth/integration-owners.js';
import type { AnswerWaiters } from '../intake/answer-waiters.js';
import { isChangeTopic } from '../changes/change-feed.js';
import type { ChangeFeed } from '../changes/change-feed.js';

/** What {@link followOtherReplicas} keeps current. */
export interface FollowOptions {
  readonly notices: ReplicaNoticeBus;
  readonly store: Pick<ControlPlaneStore, 'queryEvents'>;
  readonly waiters: TaskWaiters;
  readonly subscribers: Pick<LiveSubscriberIndex, 'refresh'>;
  readonly apiTokens: Pick<ApiTokenRegistry, 'load'>;
  readonly owners: Pick<IntegrationOwners, 'bind'>;
  readonly answers: Pick<AnswerWaiters, 'stored'>;
  readonly upstream: Pick<ConfigUpstream, 'reload'> | undefined;
  /** This replica's own change feed (not the one that announces). */
  readonly changes: Pick<ChangeFeed, 'changed' | 'touched'>;
  readonly claims: StepClaims;
  readonly registryRefreshMs: number;
  readonly onError: (error: unknown, what: string) => void;
}

/** Subscribes to the notices; returns the function that stops following. */
export function followOtherReplicas(options: FollowOptions): () => void {
  const { notices, onError } = options;
  const failed = (what: string) => (error: unknown) => onError(error, what);

  function apply(notice: ReplicaNotice): void {
    switch (notice.kind) {
      case 'emitted':
        wakeOnEmitted(options.waiters, notice.events);
        return;
      case 'registry':
        options.subscribers
          .refresh(notice.integrationId)
          .then(() =>
            notice.integrationId === undefined ? options.waiters.wakeAll() : options.waiters.wakeIntegration(notice.integrationId),
          )
          .catch(failed('re-reading the registry after another replica changed it failed'));
        return;
      case 'tokens':
        options.apiTokens.load().catch(failed('re-reading the API tokens after another replica changed them failed'));
        return;
      case 'owner':
        options.owners.bind(notice.integrationId, notice.instanceId, notice.owner, { announce: false });
        return;
      case 'answer':
        options.store
          .queryEvents({ project: notice.project, eventId: notice.eventId, offset: 0, limit: 1 })
          .then((page) => page.items.forEach((event) => options.answers.stored(event)))
          .catch(failed(`reading the answer ${notice.eventId} another replica stored failed`));
        return;
      case 'upstream':
        options.upstream?.reload(notice.project).catch(failed(`re-reading the upstream of project ${notice.project} failed`));
        return;
      case 'changes':
        for (const project of notice.projects) options.changes.changed(project);
        for (const topic of notice.topics) if (isChangeTopic(topic)) options.changes.touched(topic);
        return;
    }
  }

  function reread(): void {
    options.subscribers.refresh().catch(failed('re-reading the registry after the notice bus reconnected failed'));
    options.apiTokens.load().catch(failed('re-reading the API tokens after the notice bus reconnected failed'));
  }

  const unsubscribe = notices.subscribe(apply, reread);
  const timer = options.claims.shared
    ? setInterval(
        () => void options.subscribers.refresh().catch(failed("re-reading the registry for other replicas' heartbeats failed")),
        options.registryRefreshMs,
      )
    : undefined;
  timer?.unref?.();
  return () => {
    unsubscribe();
    if (timer) clearInterval(timer);
  };
}
