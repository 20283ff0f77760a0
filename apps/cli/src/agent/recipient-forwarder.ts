/**
 * Hands tasks to the integration behind the agent (PUBSUB_RECIPIENT): each task `.triggered` goes
 * as a structured CloudEvent (`application/cloudevents+json`, Keptn's extensions as top-level
 * attributes), retried with back-off while the recipient is down or answers non-2xx, for at most
 * `retryMs`; one attempt may take `timeoutMs` (the integration must acknowledge fast and work
 * asynchronously, as with Keptn's distributor).
 *
 * When the control plane reports a forwarded task aborted (its sequence was aborted or timed out),
 * the recipient gets a `sh.shipmate.task.aborted` CloudEvent naming it (docs/agent.md).
 *
 * Requests go through one keep-alive connection pool with Nagle off (node:http, not `fetch`), so a
 * task costs no TCP connect and no lazily loaded HTTP stack on the way to the integration: the
 * first `fetch` of a process took 20-60 ms, which every agent's first task paid.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { KeptnEvent } from '@shipmate/core';
import { DEFAULT_BACKOFF, backoffDelay, sleep, taskNameOf } from '@shipmate/agent-sdk';
import type { AgentLogger, Backoff } from '@shipmate/agent-sdk';

/** Type of the notice a recipient gets when a task it was given is aborted. */
export const TASK_ABORTED_TYPE = 'sh.shipmate.task.aborted';

/** Options of {@link createRecipientForwarder}. */
export interface RecipientForwarderOptions {
  recipientUrl: string;
  /** How long to keep retrying one task. */
  retryMs: number;
  logger: AgentLogger;
  /** One attempt's timeout. @default 5000 (Keptn's) */
  timeoutMs?: number;
  backoff?: Backoff;
  /** Source of the aborted notice. */
  source: string;
  /** Called for each failed attempt that is retried (for metrics). */
  onRetry?: () => void;
}

/** The forwarder. */
export interface RecipientForwarder {
  /** Delivers the task; resolves true once the recipient accepted it, false after `retryMs` of failures or on `signal`. */
  forward(event: KeptnEvent, signal?: AbortSignal): Promise<boolean>;
  /** Tells the recipient the task was aborted (one attempt per second for up to `retryMs`). */
  notifyAborted(event: KeptnEvent, signal?: AbortSignal): Promise<boolean>;
  /** Closes the kept-alive connections. */
  close(): void;
}

/** The structured CloudEvent body of a Keptn event. */
export function cloudEventOf(event: KeptnEvent): Record<string, unknown> {
  return { ...event, specversion: event.specversion ?? '1.0', datacontenttype: 'application/json' };
}

function describe(error: unknown): string {
  return error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error);
}

/** One attempt: `failure` is undefined on a 2xx answer, else says why it failed. */
interface PostOutcome {
  failure: string | undefined;
  /** It failed on a kept-alive connection the recipient had closed (worth one more try at once). */
  staleConnection: boolean;
}

/** Creates the forwarder. */
export function createRecipientForwarder(options: RecipientForwarderOptions): RecipientForwarder {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const url = new URL(options.recipientUrl);
  const secure = url.protocol === 'https:';
  const agent = secure ? new HttpsAgent({ keepAlive: true, noDelay: true }) : new HttpAgent({ keepAlive: true, noDelay: true });

  /** One attempt, answered or failed within `timeoutMs`. */
  function postOnce(body: string): Promise<PostOutcome> {
    return new Promise((resolve) => {
      const headers = { 'content-type': 'application/cloudevents+json', 'content-length': String(Buffer.byteLength(body)) };
      const req = (secure ? httpsRequest : httpRequest)(url, { method: 'POST', headers, agent }, (res) => {
        const status = res.statusCode ?? 0;
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ failure: status >= 200 && status < 300 ? undefined : `HTTP ${status}`, staleConnection: false });
        });
        res.on('error', (error) => {
          clearTimeout(timer);
          resolve({ failure: describe(error), staleConnection: false });
        });
        res.resume();
      });
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        // A kept-alive connection the recipient closed as it went idle: nothing was processed on it.
        resolve({ failure: describe(error), staleConnection: req.reusedSocket && error.code === 'ECONNRESET' });
      });
      req.end(body);
    });
  }

  /** One POST; undefined on success, else why it failed. A connection found closed is retried at once on a new one. */
  async function post(body: string): Promise<string | undefined> {
    const outcome = await postOnce(body);
    return outcome.staleConnection ? (await postOnce(body)).failure : outcome.failure;
  }

  async function deliver(event: Record<string, unknown>, what: string, signal?: AbortSignal): Promise<boolean> {
    const started = Date.now();
    const body = JSON.stringify(event);
    for (let attempt = 0; ; attempt++) {
      const failure = await post(body);
      if (failure === undefined) {
        if (attempt > 0) options.logger.info(`${what} reached ${options.recipientUrl} after ${attempt + 1} attempts`);
        return true;
      }
      if (attempt === 0)
        options.logger.warn(
          `${what} could not be forwarded to ${options.recipientUrl} (${failure}); retrying for up to ${options.retryMs} ms`,
        );
      const delay = backoffDelay(attempt, backoff);
      if (Date.now() - started + delay > options.retryMs) {
        options.logger.error(
          `${what} was not accepted by ${options.recipientUrl} within ${options.retryMs} ms (${failure}); giving it up — is the integration running and listening on PUBSUB_RECIPIENT/PUBSUB_RECIPIENT_PORT/PUBSUB_RECIPIENT_PATH?`,
        );
        return false;
      }
      options.onRetry?.();
      if (!(await sleep(delay, signal))) return false;
    }
  }

  return {
    forward(event, signal) {
      return deliver(cloudEventOf(event), `task ${event.type} ${event.id}`, signal);
    },
    notifyAborted(event, signal) {
      const notice: Record<string, unknown> = {
        specversion: '1.0',
        id: `${event.id}-aborted`,
        type: TASK_ABORTED_TYPE,
        source: options.source,
        time: new Date().toISOString(),
        datacontenttype: 'application/json',
        shkeptncontext: event.shkeptncontext,
        triggeredid: event.id,
        data: { project: event.data.project, stage: event.data.stage, service: event.data.service, task: taskNameOf(event) ?? '' },
      };
      return deliver(notice, `abort notice for task ${event.id}`, signal);
    },
    close() {
      agent.destroy();
    },
  };
}
