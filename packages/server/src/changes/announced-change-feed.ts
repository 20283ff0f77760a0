/**
 * The change feed of one replica among several. What is written through this replica changes its
 * own live views at once (`feed`) and, gathered per `coalesceMs` into one `changes` notice, the
 * live views of the other replicas: a secret stored, an integration registered or its log written,
 * a `.started` event taken through replica A show in a browser whose change stream is open on
 * replica B. At most one notice per window leaves a busy replica, whatever the number of writes.
 *
 * The notices of the other replicas reach `feed` itself (follow-other-replicas.ts), never the
 * feed returned here, so nothing is announced twice or bounced back.
 */
import type { ReplicaNoticeBus } from '@shipmate/core';
import { createChangeFeed } from './change-feed.js';
import type { ChangeFeed } from './change-feed.js';

/**
 * `feed`, with what is noted through the returned feed also announced on `notices`. Its `close`
 * drops changes not announced yet and closes `feed`.
 */
export function announceChanges(
  feed: ChangeFeed,
  notices: Pick<ReplicaNoticeBus, 'publish'>,
  options: { coalesceMs?: number } = {},
): ChangeFeed {
  const outgoing = createChangeFeed(options);
  outgoing.subscribe((batch) => notices.publish({ kind: 'changes', projects: [...batch.projects], topics: [...batch.topics] }));
  return {
    changed(project) {
      feed.changed(project);
      outgoing.changed(project);
    },
    touched(topic) {
      feed.touched(topic);
      outgoing.touched(topic);
    },
    changedBy(events) {
      feed.changedBy(events);
      outgoing.changedBy(events);
    },
    subscribe: (listener, onClose) => feed.subscribe(listener, onClose),
    get size() {
      return feed.size;
    },
    close() {
      outgoing.close();
      feed.close();
    },
  };
}
