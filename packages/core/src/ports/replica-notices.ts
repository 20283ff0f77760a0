/**
 * What one control-plane replica tells the others, so that state kept in memory for speed (parked
 * long polls, the registry index, API tokens, token ownership of instances, sub-task waiters)
 * follows changes made through another replica. The store stays the source of truth: a notice only
 * says "look again", so a lost notice costs latency (a parked poll wakes at its timeout, caches are
 * re-read on every reconnect and on a slow backstop timer), never correctness.
 *
 * A replica acts on its own changes directly; the bus carries them to the others. Adapters: the
 * embedded default {@link createLocalNoticeBus} (one process: nobody else to tell), PostgreSQL
 * LISTEN/NOTIFY (store-postgres) and NATS (bus-nats).
 */
import type { KeptnEvent } from '../events/keptn-event.js';

/** The part of an emitted event that deciding whom to wake needs (type, scope and status). */
export interface EmittedEventStub extends KeptnEvent {
  data: { project?: string; stage?: string; service?: string; status?: string; result?: string };
}

/** One notice between replicas. */
export type ReplicaNotice =
  /** Events a step emitted: new task `.triggered` wake parked polls; a failed `.finished` wakes all. */
  | { kind: 'emitted'; events: EmittedEventStub[] }
  /** An integration, its instances or its subscriptions changed (all when `integrationId` is absent). */
  | { kind: 'registry'; integrationId?: string }
  /** An API token was created or revoked. */
  | { kind: 'tokens' }
  /** A plane token registered (or first pinged as) an instance. */
  | { kind: 'owner'; integrationId: string; instanceId?: string; owner: string }
  /** A `.finished` answering `triggeredId` was stored (wakes sub-task waiters). */
  | { kind: 'answer'; project: string; triggeredId: string; eventId: string }
  /** A project's git upstream was configured, removed or forgotten. */
  | { kind: 'upstream'; project: string }
  /**
   * What writes through a replica changed for the web UI's live views, gathered over a short
   * window: the projects, and the topics outside projects (`integrations`, `secrets`).
   */
  | { kind: 'changes'; projects: string[]; topics: string[] };

/** Receives the notices of other replicas. */
export type NoticeListener = (notice: ReplicaNotice) => void;

/** The notification port. */
export interface ReplicaNoticeBus {
  /** What the adapter is, for logs and `/metrics` (`local`, `postgres`, `nats`). */
  readonly kind: string;
  /** Tells the other replicas; never throws (an adapter logs what it could not send). */
  publish(notice: ReplicaNotice): void;
  /**
   * Calls `listener` with every notice of another replica (never with this replica's own), and
   * `onReconnect` after the connection to the bus came back (notices may have been lost meanwhile:
   * re-read what is cached). Returns the unsubscribe function.
   */
  subscribe(listener: NoticeListener, onReconnect?: () => void): () => void;
  close(): Promise<void>;
}

/** The largest notice adapters must carry (PostgreSQL NOTIFY allows 8000 bytes). */
export const MAX_NOTICE_BYTES = 7900;

/** Strips emitted events to what waking needs: the `.triggered` and `.finished` ones, without their payload. */
export function emittedStubs(events: readonly KeptnEvent[]): EmittedEventStub[] {
  return events
    .filter((event) => event.type.endsWith('.triggered') || event.type.endsWith('.finished'))
    .map((event) => {
      const data = (event.data ?? {}) as Record<string, unknown>;
      const stub: EmittedEventStub = {
        id: event.id,
        type: event.type,
        source: event.source,
        specversion: event.specversion,
        time: event.time,
        shkeptncontext: event.shkeptncontext,
        data: {},
      };
      if (event.triggeredid) stub.triggeredid = event.triggeredid;
      for (const key of ['project', 'stage', 'service', 'status', 'result'] as const)
        if (typeof data[key] === 'string') stub.data[key] = data[key];
      return stub;
    });
}

/**
 * Splits an `emitted` notice (by its events) or a `changes` notice (by its projects; the topics go
 * with the first part) that would be larger than {@link MAX_NOTICE_BYTES} into several; other
 * notices are returned as they are.
 */
export function fitNotice(notice: ReplicaNotice): ReplicaNotice[] {
  if (Buffer.byteLength(JSON.stringify(notice)) <= MAX_NOTICE_BYTES) return [notice];
  if (notice.kind === 'emitted' && notice.events.length > 1) {
    const half = Math.ceil(notice.events.length / 2);
    return [
      ...fitNotice({ kind: 'emitted', events: notice.events.slice(0, half) }),
      ...fitNotice({ kind: 'emitted', events: notice.events.slice(half) }),
    ];
  }
  if (notice.kind === 'changes' && notice.projects.length > 1) {
    const half = Math.ceil(notice.projects.length / 2);
    return [
      ...fitNotice({ kind: 'changes', projects: notice.projects.slice(0, half), topics: notice.topics }),
      ...fitNotice({ kind: 'changes', projects: notice.projects.slice(half), topics: [] }),
    ];
  }
  return [notice];
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** The checked form of a notice received from the wire, or undefined when it is not one. */
export function parseNotice(value: unknown): ReplicaNotice | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const notice = value as { kind?: unknown };
  switch (notice.kind) {
    case 'emitted':
      return Array.isArray((value as { events?: unknown }).events) ? (value as ReplicaNotice) : undefined;
    case 'registry':
    case 'tokens':
      return value as ReplicaNotice;
    case 'owner':
      return typeof (value as { integrationId?: unknown }).integrationId === 'string' ? (value as ReplicaNotice) : undefined;
    case 'answer':
      return typeof (value as { triggeredId?: unknown }).triggeredId === 'string' ? (value as ReplicaNotice) : undefined;
    case 'upstream':
      return typeof (value as { project?: unknown }).project === 'string' ? (value as ReplicaNotice) : undefined;
    case 'changes': {
      const { projects, topics } = value as { projects?: unknown; topics?: unknown };
      return isStringArray(projects) && isStringArray(topics) ? (value as ReplicaNotice) : undefined;
    }
    default:
      return undefined;
  }
}

/** The embedded default: one process, nobody else to tell. */
export function createLocalNoticeBus(): ReplicaNoticeBus {
  return {
    kind: 'local',
    publish() {},
    subscribe() {
      return () => {};
    },
    async close() {},
  };
}
