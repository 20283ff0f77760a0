/**
 * One NATS connection as every part of bus-nats needs it: checked URL, a first connection that
 * either succeeds or fails at start with an error naming the option, then reconnects forever with
 * exponential backoff (a control plane or agent never gives up on its bus), and a callback after
 * each reconnect so users can re-read what they may have missed while the connection was down.
 */
import { ErrorCode, ShipmateError } from '@shipmate/core';
import { Events, connect } from 'nats';
import type { NatsConnection } from 'nats';
import { parseNatsUrl } from './nats-url.js';

/** Options of {@link connectNats}. */
export interface NatsConnectionOptions {
  /** The server (or comma-separated servers) to connect to. */
  readonly url: string;
  /** Where `url` came from, for messages (`url`, `--bus`, `SHIPMATE_BUS_URL`, …). @default 'url' */
  readonly field?: string;
  /** Connection name the server shows (`nats server report connections`). */
  readonly name: string;
  /** Lost connections and asynchronous errors, one line each. */
  readonly onError: (message: string) => void;
  /** Called after the connection came back (not after the first connection). */
  readonly onReconnect?: () => void;
  /** Longest wait for the first connection. @default 5000 */
  readonly connectTimeoutMs?: number;
  /** First pause between reconnect attempts; doubled per failed attempt. @default 250 */
  readonly reconnectMinMs?: number;
  /** Longest pause between reconnect attempts. @default 10000 */
  readonly reconnectMaxMs?: number;
}

/** An open connection and how to end it. */
export interface WatchedNatsConnection {
  readonly connection: NatsConnection;
  /** The servers without passwords, for logs. */
  readonly redactedUrl: string;
  /** Drains (pending publishes are flushed, subscriptions end) and closes; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Connects. A bad URL throws `ERR_INVALID_FIELD`; a server that cannot be reached or refuses the
 * login throws `ERR_BUS_UNAVAILABLE`, both naming `field`.
 */
export async function connectNats(options: NatsConnectionOptions): Promise<WatchedNatsConnection> {
  const field = options.field ?? 'url';
  const { servers, redacted } = parseNatsUrl(options.url, field);
  const minMs = options.reconnectMinMs ?? 250;
  const maxMs = options.reconnectMaxMs ?? 10_000;
  let failedAttempts = 0;
  let connection: NatsConnection;
  try {
    connection = await connect({
      servers: [...servers],
      name: options.name,
      timeout: options.connectTimeoutMs ?? 5000,
      maxReconnectAttempts: -1,
      // Exponential backoff with jitter, reset by a successful reconnect.
      reconnectDelayHandler: () => {
        const delay = Math.min(maxMs, minMs * 2 ** Math.min(failedAttempts, 16));
        failedAttempts += 1;
        return delay / 2 + Math.random() * (delay / 2);
      },
      // Detect a silently dead connection within ~30 s rather than the client's default 4 minutes.
      pingInterval: 10_000,
      maxPingOut: 3,
    });
  } catch (error) {
    throw new ShipmateError(
      'unavailable',
      ErrorCode.busUnavailable,
      `${field}: cannot connect to NATS at ${redacted}: ${reasonOf(error)}; check that the server runs and the URL, user and password are right`,
    );
  }
  void watchStatus(connection, redacted, options, () => (failedAttempts = 0));
  let closing: Promise<void> | undefined;
  return {
    connection,
    redactedUrl: redacted,
    close() {
      closing ??= drainAndClose(connection);
      return closing;
    },
  };
}

async function watchStatus(
  connection: NatsConnection,
  redacted: string,
  options: NatsConnectionOptions,
  resetBackoff: () => void,
): Promise<void> {
  for await (const status of connection.status()) {
    switch (status.type) {
      case Events.Disconnect:
        options.onError(`NATS ${redacted}: connection lost; reconnecting`);
        break;
      case Events.Reconnect:
        resetBackoff();
        try {
          options.onReconnect?.();
        } catch (error) {
          options.onError(`NATS ${redacted}: a reconnect handler failed: ${reasonOf(error)}`);
        }
        break;
      case Events.Error:
        options.onError(`NATS ${redacted}: ${typeof status.data === 'string' ? status.data : JSON.stringify(status.data)}`);
        break;
      default:
        break;
    }
  }
}

async function drainAndClose(connection: NatsConnection): Promise<void> {
  if (connection.isClosed()) return;
  try {
    await connection.drain();
  } catch {
    // Draining fails while disconnected or already draining: close without it.
    await connection.close();
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
