/**
 * The notice bus with every notice counted, sent and received, by kind (the metric
 * `shipmate_replica_notices_total`): with several replicas, a replica that sends notices and
 * never receives any (or the reverse) is not on the same bus as the others.
 */
import type { ReplicaNotice, ReplicaNoticeBus } from '@shipmate/core';

/** Which way a counted notice went. */
export type NoticeDirection = 'sent' | 'received';

/** `bus`, calling `count` for each notice this replica sends or receives. */
export function countedNoticeBus(
  bus: ReplicaNoticeBus,
  count: (kind: ReplicaNotice['kind'], direction: NoticeDirection) => void,
): ReplicaNoticeBus {
  return {
    kind: bus.kind,
    publish(notice) {
      count(notice.kind, 'sent');
      bus.publish(notice);
    },
    subscribe(listener, onReconnect) {
      return bus.subscribe((notice) => {
        count(notice.kind, 'received');
        listener(notice);
      }, onReconnect);
    },
    close: () => bus.close(),
  };
}
