/**
 * {@link ReplicaNoticeBus} on PostgreSQL `LISTEN/NOTIFY`: replicas that share a database tell each
 * other what changed without any other service. One dedicated connection listens on the channel
 * (a pooled connection cannot: it goes back to the pool); notices are sent with `pg_notify` on a
 * connection of its own, one after the other (the others receive them in the order they were
 * published). Each notice carries the sender's replica id, so a replica ignores its own.
 *
 * NOTIFY is delivered only to sessions listening at commit time, so notices sent while the
 * listener reconnects are lost: `onReconnect` tells the subscribers to re-read what they cache.
 * The listener reconnects forever, with a pause doubling from 100 ms to 5 s.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { InputError, ErrorCode, fitNotice, parseNotice } from '@shipmate/core';
import type { NoticeListener, ReplicaNoticeBus } from '@shipmate/core';
import { parsePostgresUrl } from './postgres-url.js';
import { namedStatements } from './sql.js';

/** Named, so that the sending connection parses it once, not for every notice. */
const SQL = namedStatements('notices', { notify: 'SELECT pg_notify($1, $2)' });

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

interface Envelope {
  from: string;
  notice: unknown;
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
  /** The notices being sent, in order. */
  let sending: Promise<unknown> = Promise.resolve();
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
    if (envelope.from === replicaId) return;
    const notice = parseNotice(envelope.notice);
    if (!notice) {
      onError(new Error(`unknown notice ${String(payload).slice(0, 200)}`), `a notice on channel ${channel} has an unknown form; ignored`);
      return;
    }
    for (const { listener } of listeners) listener(notice);
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
      for (const part of fitNotice(notice)) {
        const payload = JSON.stringify({ from: replicaId, notice: part } satisfies Envelope);
        sending = sending
          .then(() => sender.query(SQL.notify, [channel, payload]))
          .catch((error: unknown) => onError(error, `sending a ${part.kind} notice failed`));
      }
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
