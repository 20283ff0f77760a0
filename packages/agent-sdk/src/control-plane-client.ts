/**
 * HTTP client of the control plane's API as an agent uses it: registration, the task long poll,
 * sending events and error logs, unregistering an instance. A thin layer over
 * @shipmate/api-client with the wire types of @shipmate/api: connections are kept alive (one for
 * the registration and the parked poll, others for events) by undici dispatchers that also carry the TLS settings
 * (HTTP_SSL_VERIFY and the CA bundle); the token goes in `x-token`. The client does not retry:
 * the agent session and the event sender have their own backoff.
 */
import { STATUS_CODES } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, Client, request as undiciRequest } from 'undici';
import type { Dispatcher } from 'undici';
import type { LogEntry, Registration, RegistrationBody, TaskBatch } from '@shipmate/api';
import { ApiError, ApiTimeoutError, ApiUnreachableError, createApiClient } from '@shipmate/api-client';
import type { HttpExchange, RequestOptions } from '@shipmate/api-client';
import { tlsConnectionOptions } from './tls-options.js';
import type { TlsSettings } from './tls-options.js';

export type { Registration, RegistrationBody, TaskBatch } from '@shipmate/api';

/** Where and how to reach the control plane. */
export interface ControlPlaneConnection extends Partial<TlsSettings> {
  /** The API endpoint ending in `/api`, e.g. `https://shipmate.example.com/api`. */
  readonly endpoint: string;
  /** The API token (`x-token`). */
  readonly token: string;
  /** Timeout of one request other than the long poll. @default 30000 (Keptn's API_PROXY_HTTP_TIMEOUT) */
  readonly timeoutMs?: number;
}

/** A failed call: `status` 0 for a network error or timeout. */
export class ControlPlaneError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly path: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ControlPlaneError';
  }

  /** Worth retrying: the control plane was unreachable, overloaded or failing. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/** A raw answer. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The client. */
export interface ControlPlaneClient {
  readonly endpoint: string;
  /** Registers (or finds) the integration and this instance. */
  register(body: RegistrationBody): Promise<Registration>;
  /** Long poll: waits up to `waitMs` for tasks; `signal` ends it early (rejects with an AbortError). */
  pollTasks(registration: Registration, waitMs: number, signal?: AbortSignal): Promise<TaskBatch>;
  /** Heartbeat without polling (Keptn's ping with `?instanceId=`). */
  ping(registration: Registration): Promise<void>;
  /** `POST /v1/event`; resolves with the keptn context. */
  sendEvent(event: Record<string, unknown>): Promise<string>;
  /** `POST /controlPlane/v1/log`. */
  sendLogs(entries: readonly Partial<LogEntry>[]): Promise<void>;
  /** Removes this instance from the registry (the integration and other instances stay). */
  unregisterInstance(registration: Registration): Promise<void>;
  /** Any request below the endpoint with the token; the body is sent as is. */
  raw(
    method: string,
    path: string,
    options?: { body?: Buffer | string; headers?: Record<string, string>; timeoutMs?: number; signal?: AbortSignal },
  ): Promise<RawResponse>;
  /** Closes kept-alive connections. */
  close(): void;
}

/** The api-client's failures as the SDK has always reported them; an abort passes unchanged. */
function controlPlaneError(error: unknown, path: string): unknown {
  if (error instanceof ApiError) return new ControlPlaneError(error.message, error.status, path, { cause: error });
  if (error instanceof ApiTimeoutError || error instanceof ApiUnreachableError) {
    return new ControlPlaneError(error.message, 0, path, { cause: error });
  }
  return error;
}

/** Runs a call, reporting failures as {@link ControlPlaneError}. */
async function reported<T>(path: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw controlPlaneError(error, path);
  }
}

/** The answer's headers in node:http's form. */
function nodeHeaders(headers: Headers): IncomingHttpHeaders {
  const result: IncomingHttpHeaders = {};
  headers.forEach((value, name) => {
    if (name !== 'set-cookie') result[name] = value;
  });
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) result['set-cookie'] = cookies;
  return result;
}

/** node:http's form of headers as a fetch `Headers`. */
function fetchHeaders(headers: IncomingHttpHeaders): Headers {
  const result = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (Array.isArray(value)) for (const item of value) result.append(name, item);
    else if (value !== undefined) result.set(name, value);
  }
  return result;
}

/**
 * The api-client's requests on undici's `request` over `dispatcher`, not on its `fetch`: about a
 * third of fetch's CPU per request here (no Request, Response or web streams), and an agent sends
 * three per task (the poll's answer, `.started`, `.finished`).
 */
function undiciExchange(dispatcher: Dispatcher): HttpExchange {
  return async ({ method, url, headers, body, signal }) => {
    const answer = await undiciRequest(url, {
      dispatcher,
      method: method as Dispatcher.HttpMethod,
      headers,
      signal,
      ...(body === undefined ? {} : { body }),
    });
    const bytes = new Uint8Array(await answer.body.arrayBuffer());
    return {
      status: answer.statusCode,
      statusText: STATUS_CODES[answer.statusCode] ?? '',
      headers: fetchHeaders(answer.headers),
      body: bytes,
    };
  };
}

/** Creates a client. */
export function createControlPlaneClient(connection: ControlPlaneConnection): ControlPlaneClient {
  const endpoint = connection.endpoint.replace(/\/+$/, '');
  const tls = tlsConnectionOptions({ sslVerify: connection.sslVerify ?? true, caPem: connection.caPem });
  const connect = endpoint.startsWith('https:') ? tls : {};
  const dispatcher = new Agent({ connect });
  // The registration and the long polls go one after the other over one connection of their own.
  // On a shared pool a request sent right after an answer was read finds that answer's connection
  // not yet released and opens another, which then idles for the server's keep-alive (65 s): every
  // idle instance held two connections, and a fleet twice the descriptors it needs.
  const sessionDispatcher = new Client(new URL(endpoint).origin, { connect });
  const apiOn = (on: Dispatcher) =>
    createApiClient({
      baseUrl: endpoint,
      token: connection.token,
      timeoutMs: connection.timeoutMs ?? 30_000,
      retries: 0,
      exchange: undiciExchange(on),
    });
  const api = apiOn(dispatcher);
  const session = apiOn(sessionDispatcher);

  const registrationPath = (registration: Registration) => `/controlPlane/v1/uniform/registration/${encodeURIComponent(registration.id)}`;

  return {
    endpoint,
    async register(body) {
      const path = '/controlPlane/v1/uniform/registration';
      const answer = await reported(path, () => session.register(body));
      if (typeof answer.instanceId !== 'string' || typeof answer.id !== 'string') {
        throw new ControlPlaneError(
          'the control plane registered the integration but returned no instanceId: it is not a Shipmate control plane (a Keptn control plane cannot deliver tasks by long poll)',
          200,
          path,
        );
      }
      return { id: answer.id, instanceId: answer.instanceId };
    },
    pollTasks(registration, waitMs, signal) {
      const path = `${registrationPath(registration)}/instance/${encodeURIComponent(registration.instanceId)}/tasks?waitMs=${waitMs}`;
      return reported(path, () => session.pollTasks(registration.id, registration.instanceId, { waitMs, ...(signal ? { signal } : {}) }));
    },
    async ping(registration) {
      const path = `${registrationPath(registration)}/ping?instanceId=${encodeURIComponent(registration.instanceId)}`;
      await reported(path, () => api.ping(registration.id, registration.instanceId));
    },
    async sendEvent(event) {
      const answer = await reported('/v1/event', () => api.sendEvent(event));
      return answer.keptnContext;
    },
    async sendLogs(entries) {
      await reported('/controlPlane/v1/log', () => api.sendLogs(entries));
    },
    async unregisterInstance(registration) {
      const path = `${registrationPath(registration)}/instance/${encodeURIComponent(registration.instanceId)}`;
      await reported(path, () => api.unregisterInstance(registration.id, registration.instanceId));
    },
    async raw(method, path, options = {}) {
      const request: RequestOptions = {
        ...(options.headers ? { headers: options.headers } : {}),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.body === undefined ? {} : { body: typeof options.body === 'string' ? options.body : new Uint8Array(options.body) }),
      };
      const answer = await reported(path, () => api.raw(method, path, request));
      return { status: answer.status, headers: nodeHeaders(answer.headers), body: Buffer.from(answer.body) };
    },
    close() {
      void dispatcher.destroy().catch(() => undefined);
      void sessionDispatcher.destroy().catch(() => undefined);
    },
  };
}
