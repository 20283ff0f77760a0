/**
 * A sub-task: a handler asks other integrations for work inside its own task, as Keptn's
 * lighthouse sends `get-sli.triggered` while it evaluates. The `.triggered` goes out in the
 * task's context (same keptn context, stage, service, commit); the control plane delivers it like
 * a task to the integrations subscribed to it and closes it with the parent task. The handler
 * gets the first `.finished` that answers it.
 *
 * The answer is waited for by long poll (`GET /controlPlane/v1/event/finished/{id}`, held up to
 * 30 s at a time): it arrives as soon as it is stored, until the timeout passes or the signal aborts.
 */
import { KEPTN_SPEC_VERSION } from '@shipmate/core';
import type { EventData, KeptnEvent } from '@shipmate/core';
import { LONG_POLL_GRACE_MS } from '@shipmate/api-client';
import { ControlPlaneError } from './control-plane-client.js';
import type { ControlPlaneClient } from './control-plane-client.js';

/** Options of one sub-task. */
export interface SubtaskOptions {
  /** How long to wait for its `.finished`. @default 600000 (10 minutes) */
  timeoutMs?: number;
}

/** Thrown when no `.finished` came within the timeout. */
export class SubtaskTimeoutError extends Error {
  constructor(
    readonly task: string,
    readonly timeoutMs: number,
  ) {
    super(
      `no integration answered ${task}.triggered within ${timeoutMs} ms: is an integration subscribed to sh.keptn.event.${task}.triggered and running?`,
    );
    this.name = 'SubtaskTimeoutError';
  }
}

/** Sends `<task>.triggered` in the context of `parent` and resolves with its first `.finished`. */
export type RunSubtask = (task: string, data: EventData, options?: SubtaskOptions) => Promise<KeptnEvent>;

/** How long one long poll for the answer is held by the control plane (its maximum is 60 s). */
const LONG_POLL_MS = 30_000;
/** Pause before looking again after a 5xx or 429. */
const RETRY_MS = 1000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error(`aborted: ${String(signal.reason)}`));
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new Error(`aborted: ${String(signal.reason)}`));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The sub-task runner of the task `parent`, sent as `source`. */
export function createSubtaskRunner(client: ControlPlaneClient, parent: KeptnEvent, source: string, signal: AbortSignal): RunSubtask {
  return async (task, data, options = {}) => {
    const timeoutMs = options.timeoutMs ?? 600_000;
    const { project, stage, service, labels } = parent.data;
    const sent = await client.raw('POST', '/v1/event', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: `sh.keptn.event.${task}.triggered`,
        source,
        specversion: '1.0',
        contenttype: 'application/json',
        shkeptncontext: parent.shkeptncontext,
        shkeptnspecversion: KEPTN_SPEC_VERSION,
        ...(parent.gitcommitid ? { gitcommitid: parent.gitcommitid } : {}),
        data: { project, stage, service, ...(labels ? { labels } : {}), ...data },
      }),
      signal,
    });
    const answer = sent.status === 200 ? (JSON.parse(sent.body.toString('utf8')) as { id?: unknown }) : {};
    if (typeof answer.id !== 'string') {
      const reason =
        sent.status === 200
          ? 'the control plane returned no event id (it is not a Shipmate control plane)'
          : sent.body.toString('utf8').slice(0, 300);
      throw new ControlPlaneError(`sending ${task}.triggered answered ${sent.status}: ${reason}`, sent.status, '/v1/event');
    }
    const id = answer.id;
    const path = `/controlPlane/v1/event/finished/${encodeURIComponent(id)}?keptnContext=${encodeURIComponent(parent.shkeptncontext)}`;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const waitMs = Math.max(0, Math.min(LONG_POLL_MS, deadline - Date.now()));
      const look = await client.raw('GET', `${path}&waitMs=${waitMs}`, { signal, timeoutMs: waitMs + LONG_POLL_GRACE_MS });
      if (look.status === 200) {
        const found = (JSON.parse(look.body.toString('utf8')) as { event?: KeptnEvent | null }).event;
        if (found) return found;
      } else if (look.status >= 400 && look.status < 500 && look.status !== 429) {
        throw new ControlPlaneError(
          `waiting for the answer to ${task}.triggered answered ${look.status}: ${look.body.toString('utf8').slice(0, 200)}`,
          look.status,
          path,
        );
      } else {
        // Unavailable for a moment: look again shortly rather than at once.
        await sleep(RETRY_MS, signal);
      }
      if (Date.now() >= deadline) throw new SubtaskTimeoutError(task, timeoutMs);
    }
  };
}
