/**
 * HTTP client of the control plane's API as an agent uses it: registration, the task long poll,
 * sending events and error logs, unregistering an instance. Connections are kept alive (one for
 * the parked poll, others for events), the token goes in `x-token`, TLS follows HTTP_SSL_VERIFY
 * and the CA bundle.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { KeptnEvent, LogEntry } from '@shipmate/core';
import { tlsConnectionOptions } from './tls-options.js';
import type { TlsSettings } from './tls-options.js';

/** Where and how to reach the control plane. */
export interface ControlPlaneConnection extends Partial<TlsSettings> {
  /** The API endpoint ending in `/api`, e.g. `https://shipmate.example.com/api`. */
  readonly endpoint: string;
  /** The API token (`x-token`). */
  readonly token: string;
  /** Timeout of one request other than the long poll. @default 30000 (Keptn's API_PROXY_HTTP_TIMEOUT) */
  readonly timeoutMs?: number;
}

/** Keptn's registration body (`models.Integration`) with Shipmate's instance filters. */
export interface RegistrationBody {
  name: string;
  metadata: {
    hostname: string;
    integrationversion: string;
    distributorversion: string;
    location: string;
    kubernetesmetadata: { namespace: string; podname: string; deploymentname: string };
    shipmate: { filters: { projects: string[]; stages: string[]; services: string[] } };
  };
  subscriptions: Array<{ event: string; filter: { projects: string[]; stages: string[]; services: string[] } }>;
}

/** The registration's answer. */
export interface Registration {
  /** The integration's id (Keptn's). */
  readonly id: string;
  /** This process's instance id (Shipmate). */
  readonly instanceId: string;
}

/** One long-poll answer. */
export interface TaskBatch {
  /** Tasks leased to this instance (`.triggered` events with the subscription id). */
  events: KeptnEvent[];
  /** Triggered ids of this instance's tasks whose sequence was aborted or timed out. */
  aborted: string[];
}

/** A failed call: `status` 0 for a network error or timeout. */
export class ControlPlaneError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly path: string,
  ) {
    super(message);
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
  headers: IncomingMessage['headers'];
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

/** Extra time a long poll may take beyond its `waitMs` before the client gives up. */
const POLL_GRACE_MS = 10_000;

/** The message of a Keptn error body, or the start of the text. */
function errorMessage(body: Buffer): string {
  const text = body.toString('utf8');
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: use the text
  }
  return text.slice(0, 200);
}

/** Creates a client. */
export function createControlPlaneClient(connection: ControlPlaneConnection): ControlPlaneClient {
  const endpoint = connection.endpoint.replace(/\/+$/, '');
  const secure = endpoint.startsWith('https:');
  const tls = tlsConnectionOptions({ sslVerify: connection.sslVerify ?? true, caPem: connection.caPem });
  const agent = secure ? new HttpsAgent({ keepAlive: true, ...tls }) : new HttpAgent({ keepAlive: true });
  const defaultTimeoutMs = connection.timeoutMs ?? 30_000;

  const raw: ControlPlaneClient['raw'] = (method, path, options = {}) => {
    const url = new URL(`${endpoint}${path}`);
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (connection.token !== '') headers['x-token'] = connection.token;
    const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body, 'utf8');
    if (body !== undefined) headers['content-length'] = String(body.length);
    const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    return new Promise((resolve, reject) => {
      const req = (secure ? httpsRequest : httpRequest)(
        url,
        { method, headers, agent, timeout: timeoutMs, signal: options.signal },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', (error) => reject(error));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (error) => {
        if (error.name === 'AbortError') reject(error);
        else reject(new ControlPlaneError(`${method} ${endpoint}${path}: ${error.message}`, 0, path));
      });
      req.end(body);
    });
  };

  async function json<T>(
    method: string,
    path: string,
    payload?: unknown,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<T> {
    const response = await raw(method, path, {
      ...options,
      ...(payload === undefined ? {} : { body: JSON.stringify(payload), headers: { 'content-type': 'application/json' } }),
    });
    if (response.status < 200 || response.status > 299) {
      throw new ControlPlaneError(`${method} ${path} answered ${response.status}: ${errorMessage(response.body)}`, response.status, path);
    }
    return (response.body.length === 0 ? undefined : JSON.parse(response.body.toString('utf8'))) as T;
  }

  const registrationPath = (registration: Registration) => `/controlPlane/v1/uniform/registration/${encodeURIComponent(registration.id)}`;

  return {
    endpoint,
    async register(body) {
      const answer = await json<{ id: string; instanceId?: string }>('POST', '/controlPlane/v1/uniform/registration', body);
      if (typeof answer.instanceId !== 'string') {
        throw new ControlPlaneError(
          'the control plane registered the integration but returned no instanceId: it is not a Shipmate control plane (a Keptn control plane cannot deliver tasks by long poll)',
          200,
          '/controlPlane/v1/uniform/registration',
        );
      }
      return { id: answer.id, instanceId: answer.instanceId };
    },
    pollTasks(registration, waitMs, signal) {
      const path = `${registrationPath(registration)}/instance/${encodeURIComponent(registration.instanceId)}/tasks?waitMs=${waitMs}`;
      return json<TaskBatch>('GET', path, undefined, { timeoutMs: waitMs + POLL_GRACE_MS, signal });
    },
    async ping(registration) {
      await json('PUT', `${registrationPath(registration)}/ping?instanceId=${encodeURIComponent(registration.instanceId)}`);
    },
    async sendEvent(event) {
      const answer = await json<{ keptnContext: string }>('POST', '/v1/event', event);
      return answer.keptnContext;
    },
    async sendLogs(entries) {
      await json('POST', '/controlPlane/v1/log', { logs: entries });
    },
    async unregisterInstance(registration) {
      await json('DELETE', `${registrationPath(registration)}/instance/${encodeURIComponent(registration.instanceId)}`);
    },
    raw,
    close() {
      agent.destroy();
    },
  };
}
