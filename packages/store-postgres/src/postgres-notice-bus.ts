/**
 * {@link ReplicaNoticeBus} on PostgreSQL `LISTEN/NOTIFY`: replicas that share a database tell each
 * other what changed without any other service. One dedicated connection listens on the channel
 * (a pooled connection cannot: it goes back to the pool); notices are sent with `pg_notify` on a
 * connection of its own, in the order they were published, which is the order the others receive
 * them in. Each payload carries the sender's replica id, so a replica ignores its own.
 *
 * Sent in batches: the notices published while one send is under way go together in the next, as
 * many to a payload as NOTIFY's 8000 bytes take, all payloads in one statement. One notice per
 * send cost a round trip (and a transaction, and a wake-up of every listener) per stored
 * `.finished` (its `answer` notice): under bench (p3)'s intake flood that was 8 of every 9
 * statements the server sent (7,987 of 8,960 in PostgreSQL's statement log of one run).
 *
 * NOTIFY is delivered only to sessions listening at commit time, so notices sent while the
 * listener reconnects are lost: `onReconnect` tells the subscribers to re-read what they cache.
 * The listener reconnects forever, with a pause doubling from 100 ms to 5 s.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { InputError, ErrorCode, fitNotice, parseNotice } from '@shipmate/core';
import type { NoticeListener, ReplicaNotice, ReplicaNoticeBus } from '@shipmate/core';
import { parsePostgresUrl } from './postgres-url.js';
import { namedStatements } from './sql.js';

/**
 * Named, so that the sending connection parses it once, not for every send. One notification per
 * payload, in the array's order (a function scan returns unnest's rows in order).
 */
const SQL = namedStatements('notices', { notify: 'SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload' });

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7999;

/** Options of {@link createPostgresNoticeBus}. */
export interface PostgresNoticeBusOptions {
  /** The database URL (the store's). */
  url: string;
  /** The channel. @default shipmate_notices */
  channel?: string;
  /** This replica's id. @default a random UUID */
  replicaId?: string;
  /** Told what could not be sent or received (the bus never throws). */
  onError?: (error: unknown, what: string) => void;
}

const CHANNEL_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A payload: `notices` in order. `notice` (one per payload) is the form of the versions before
 * batching, still read, so that during a rolling upgrade the replicas not yet upgraded are heard.
 * They ignore the new form until they are upgraded, which costs latency, not correctness (a notice
 * only says "look again", see ReplicaNotice).
 */
interface Envelope {
  from: string;
  notices?: unknown;
  notice?: unknown;
}

/**
 * The payloads that carry `notices` (each at most MAX_NOTICE_BYTES of @shipmate/core as JSON, see
 * fitNotice) in order, as many to a payload as fit under {@link MAX_PAYLOAD_BYTES}.
 */
export function packNotices(from: string, notices: readonly ReplicaNotice[]): string[] {
  const head = `{"from":${JSON.stringify(from)},"notices":[`;
  const tail = ']}';
  const frameBytes = Buffer.byteLength(head) + tail.length;
  const payloads: string[] = [];
  let parts: string[] = [];
  /** The parts' bytes and the commas between them. */
  let partsBytes = 0;
  for (const notice of notices) {
    const part = JSON.stringify(notice);
    const partBytes = Buffer.byteLength(part);
    if (parts.length > 0 && frameBytes + partsBytes + 1 + partBytes > MAX_PAYLOAD_BYTES) {
      payloads.push(head + parts.join(',') + tail);
      parts = [];
      partsBytes = 0;
    }
    partsBytes += (parts.length > 0 ? 1 : 0) + partBytes;
    parts.push(part);
  }
  if (parts.length > 0) payloads.push(head + parts.join(',') + tail);
  return payloads;
}

/** Connects the listener and returns the bus once it listens. */
export async function createPostgresNoticeBus(options: PostgresNoticeBusOptions): Promise<ReplicaNoticeBus> {
  const target = parsePostgresUrl(options.url);
  const channel = options.channel ?? 'shipmate_notices';
  if (!CHANNEL_PATTERN.test(channel))
    throw new InputError(
      ErrorCode.invalidField,
      `channel must be a lower-case SQL identifier (letters, digits, _), got '${channel}'; e.g. shipmate_notices`,
    );
  const replicaId = options.replicaId ?? randomUUID();
  const onError = options.onError ?? (() => undefined);
  const listeners = new Set<{ listener: NoticeListener; onReconnect?: () => void }>();
  const sender = new pg.Pool({ connectionString: target.url, max: 1, application_name: 'shipmate-notices' });
  /** Published and not yet handed to a send, in order. */
  let queued: ReplicaNotice[] = [];
  /** The send under way (it sends what is queued meanwhile when it is done); undefined when idle. */
  let sending: Promise<void> | undefined;
  sender.on('error', () => undefined);
  let listener: pg.Client | undefined;
  let closed = false;
  let retryMs = 100;
  let retryTimer: NodeJS.Timeout | undefined;

  function deliver(payload: string | undefined): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload ?? '') as Envelope;
    } catch (error) {
      onError(error, `a notice on channel ${channel} is not JSON; ignored`);
      return;
    }
    if (typeof envelope !== 'object' || envelope === null) {
      onError(
        new Error(`not an envelope: ${String(payload).slice(0, 200)}`),
        `a notice on channel ${channel} has an unknown form; ignored`,
      );
      return;
    }
    if (envelope.from === replicaId) return;
    const received = Array.isArray(envelope.notices) ? (envelope.notices as unknown[]) : [envelope.notice];
    for (const value of received) {
      const notice = parseNotice(value);
      if (!notice) {
        onError(
          new Error(`unknown notice ${JSON.stringify(value ?? null).slice(0, 200)}`),
          `a notice on channel ${channel} has an unknown form; ignored`,
        );
        continue;
      }
      for (const { listener } of listeners) listener(notice);
    }
  }

  /** Sends what is queued, then what was queued meanwhile, until nothing is left. */
  async function sendQueued(): Promise<void> {
    while (queued.length > 0) {
      const batch = queued;
      queued = [];
      try {
        await sender.query(SQL.notify, [channel, packNotices(replicaId, batch)]);
      } catch (error) {
        onError(error, `sending ${batch.length} notice(s) (${[...new Set(batch.map((n) => n.kind))].join(', ')}) failed`);
      }
    }
    sending = undefined;
  }

  async function listen(): Promise<void> {
    const client = new pg.Client({ connectionString: target.url, application_name: 'shipmate-notices' });
    client.on('notification', (message) => {
      if (message.channel === channel) deliver(message.payload);
    });
    client.on('error', (error) => {
      onError(error, `the notice listener lost its connection; reconnecting`);
      void client.end().catch(() => undefined);
      if (listener === client) {
        listener = undefined;
        reconnectLater();
      }
    });
    await client.connect();
    await client.query(`LISTEN ${channel}`);
    listener = client;
  }

  function reconnectLater(): void {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      listen().then(
        () => {
          retryMs = 100;
          for (const { onReconnect } of listeners) onReconnect?.();
        },
        (error: unknown) => {
          onError(error, `reconnecting the notice listener failed; retrying in ${retryMs} ms`);
          retryMs = Math.min(retryMs * 2, 5000);
          reconnectLater();
        },
      );
    }, retryMs);
    retryTimer.unref?.();
  }

  try {
    await listen();
  } catch (error) {
    await sender.end().catch(() => undefined);
    throw error;
  }

  return {
    kind: 'postgres',
    publish(notice) {
      if (closed) return;
      queued.push(...fitNotice(notice));
      // After the current task: the notices it publishes (a step's, say) go in the same send.
      sending ??= Promise.resolve().then(sendQueued);
    },
    subscribe(fn, onReconnect) {
      const entry = { listener: fn, ...(onReconnect ? { onReconnect } : {}) };
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      const client = listener;
      listener = undefined;
      await sending;
      await Promise.all([client?.end().catch(() => undefined), sender.end().catch(() => undefined)]);
    },
  };
}
