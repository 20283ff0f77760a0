/**
 * The NATS adapter of the notification port between control-plane replicas (ReplicaNoticeBus in
 * core): core NATS publish/subscribe, not JetStream, because a notice only says "look again" and a
 * lost one costs latency, never correctness (the port's contract). Every replica publishes on and
 * subscribes to one subject, `<prefix>.notices`; each message carries its sender's replica id so a
 * replica never acts on its own notice twice. After a reconnect subscribers are told, so they
 * re-read what they cache.
 */
import { randomUUID } from 'node:crypto';
import { fitNotice, parseNotice } from '@shipmate/core';
import type { NoticeListener, ReplicaNotice, ReplicaNoticeBus } from '@shipmate/core';
import type { Msg } from 'nats';
import { connectNats } from './nats-connection.js';
import type { NatsConnectionOptions } from './nats-connection.js';
import { checkSubjectPrefix } from './nats-names.js';

/** Options of {@link createNatsNoticeBus}. */
export interface NatsNoticeBusOptions {
  /** The NATS server, `nats://host:4222` (several separated by commas). */
  readonly url: string;
  /** Where `url` came from, for messages. @default 'url' */
  readonly field?: string;
  /** This replica's id, carried by each notice. @default a random UUID */
  readonly replicaId?: string;
  /** First tokens of the subject; replicas of one control plane must share it. @default 'shipmate' */
  readonly subjectPrefix?: string;
  /** What could not be sent or was not a notice, and connection losses; one line each. @default stderr */
  readonly onError?: (message: string) => void;
  /** Reconnect pacing and first-connect timeout (see connectNats). */
  readonly connection?: Pick<NatsConnectionOptions, 'connectTimeoutMs' | 'reconnectMinMs' | 'reconnectMaxMs'>;
}

/** The bus, with what tests and logs want to know. */
export interface NatsNoticeBus extends ReplicaNoticeBus {
  readonly kind: 'nats';
  readonly replicaId: string;
  /** The subject notices travel on. */
  readonly subject: string;
  /** The server(s) without passwords. */
  readonly redactedUrl: string;
}

/** What goes over the wire: the notice and who sent it. */
interface NoticeEnvelope {
  from: string;
  notice: ReplicaNotice;
}

/**
 * Connects and subscribes. Throws `ERR_INVALID_FIELD` for a bad `url` or `subjectPrefix` and
 * `ERR_BUS_UNAVAILABLE` when the server cannot be reached; afterwards the connection is retried
 * forever and `publish` never throws.
 */
export async function createNatsNoticeBus(options: NatsNoticeBusOptions): Promise<NatsNoticeBus> {
  const prefix = checkSubjectPrefix(options.subjectPrefix ?? 'shipmate');
  const subject = `${prefix}.notices`;
  const replicaId = options.replicaId ?? randomUUID();
  const onError = options.onError ?? ((message: string) => process.stderr.write(`notice bus: ${message}\n`));
  const listeners = new Set<NoticeListener>();
  const reconnectHandlers = new Set<() => void>();
  const watched = await connectNats({
    ...options.connection,
    url: options.url,
    field: options.field ?? 'url',
    name: `shipmate-replica-${replicaId}`,
    onError,
    onReconnect: () => {
      for (const handler of [...reconnectHandlers]) handler();
    },
  });
  const { connection } = watched;
  let closed = false;

  const receive = (error: Error | null, message: Msg) => {
    if (error) return onError(`subscription to ${subject} failed: ${error.message}`);
    const envelope = readEnvelope(message.data);
    if (typeof envelope === 'string') return onError(`ignored a message on ${subject}: ${envelope}`);
    if (envelope.from === replicaId) return;
    for (const listener of [...listeners]) {
      try {
        listener(envelope.notice);
      } catch (listenerError) {
        onError(`a notice listener failed: ${listenerError instanceof Error ? listenerError.message : String(listenerError)}`);
      }
    }
  };
  connection.subscribe(subject, { callback: receive });
  // A round trip, so the server has the subscription before the bus is handed out: notices other
  // replicas publish from now on reach it.
  await connection.flush();

  return {
    kind: 'nats',
    replicaId,
    subject,
    redactedUrl: watched.redactedUrl,
    publish(notice) {
      if (closed) return;
      for (const part of fitNotice(notice)) {
        try {
          connection.publish(subject, JSON.stringify({ from: replicaId, notice: part } satisfies NoticeEnvelope));
        } catch (error) {
          onError(`could not publish a '${part.kind}' notice: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    },
    subscribe(listener, onReconnect) {
      listeners.add(listener);
      if (onReconnect) reconnectHandlers.add(onReconnect);
      return () => {
        listeners.delete(listener);
        if (onReconnect) reconnectHandlers.delete(onReconnect);
      };
    },
    async close() {
      closed = true;
      listeners.clear();
      reconnectHandlers.clear();
      await watched.close();
    },
  };
}

/** The envelope in `data`, or why it is not one. */
function readEnvelope(data: Uint8Array): NoticeEnvelope | string {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null) return 'not a JSON object';
  const { from, notice } = value as { from?: unknown; notice?: unknown };
  if (typeof from !== 'string' || from === '') return "no sender ('from')";
  const checked = parseNotice(notice);
  if (checked === undefined) return `not a notice (kind ${JSON.stringify((notice as { kind?: unknown } | null)?.kind)})`;
  return { from, notice: checked };
}
