/**
 * One agent instance's connection to the control plane: register, then keep a long poll open and
 * hand each leased task to `onTask` exactly once, and each aborted task to `onAborted`.
 *
 * - The long poll is also the heartbeat (the server renews it while the poll is parked), so there
 *   is no separate timer while polling; while draining, a ping every `heartbeatMs` keeps the
 *   instance online.
 * - Unreachable control plane, 5xx, 429, 401: logged once per outage, retried with back-off
 *   (250 ms doubling to 5 s); recovery is logged too. A 404 means the registration expired or was
 *   deleted: the session registers again (Keptn's agents never did).
 * - A registration the control plane refuses (400) is fatal: `start` rejects with its message.
 * - With a `taskSource` (task-source.ts, e.g. a JetStream consumer) tasks come from it instead of
 *   the long poll: the session registers, pings every `heartbeatMs` (registering again when the
 *   control plane no longer knows the instance) and hands each delivered task to `onTask` once.
 *   Aborted tasks are reported only by the long poll.
 */
import type { KeptnEvent } from '@shipmate/core';
import { DEFAULT_BACKOFF, backoffDelay, sleep } from './backoff.js';
import type { Backoff } from './backoff.js';
import { ControlPlaneError } from './control-plane-client.js';
import type { ControlPlaneClient, Registration } from './control-plane-client.js';
import type { AgentLogger } from './logger.js';
import { registrationBody } from './registration-body.js';
import type { AgentIdentity } from './registration-body.js';
import type { TaskSource } from './task-source.js';

/** Options of {@link createAgentSession}. */
export interface AgentSessionOptions {
  client: ControlPlaneClient;
  identity: AgentIdentity;
  /** Called once per leased task. Must not throw; it runs the task asynchronously. */
  onTask: (event: KeptnEvent) => void;
  /** Called once per task of this instance whose sequence was aborted or timed out. */
  onAborted: (triggeredId: string) => void;
  logger: AgentLogger;
  /** How long each poll may park on the server (at most 60000). @default {@link DEFAULT_POLL_WAIT_MS} */
  pollWaitMs?: number;
  /** Heartbeat period while not polling (draining). @default 5000 */
  heartbeatMs?: number;
  backoff?: Backoff;
  /** Called when a long poll for tasks fails (before the retry; for metrics). */
  onPollError?: (error: unknown) => void;
  /** Take tasks from this source instead of the long poll. @default the long poll */
  taskSource?: TaskSource;
}

/** The session. */
export interface AgentSession {
  /** Registers (retrying while the control plane is unreachable), then starts polling. */
  start(): Promise<Registration>;
  /** The current registration, once registered. */
  readonly registration: Registration | undefined;
  /** True while the last call to the control plane succeeded. */
  readonly connected: boolean;
  /** Stops taking tasks (ends the parked poll); heartbeats go on until {@link close}. */
  stopPolling(): Promise<void>;
  /** Stops everything; with `unregister`, removes this instance from the registry. */
  close(options?: { unregister?: boolean }): Promise<void>;
}

/**
 * How long a poll parks on the server by default: 55 s, under the 60 s idle timeout common to
 * proxies and load balancers (nginx, AWS ALB) and the server's own cap, and long enough that an
 * idle fleet costs few requests (the heartbeat does not depend on it: the server renews it while
 * the poll is parked). Lower it below the idle timeout of a proxy that cuts requests sooner.
 */
export const DEFAULT_POLL_WAIT_MS = 55_000;

/** How many delivered task ids are remembered to refuse a second delivery. */
const REMEMBERED_TASKS = 10_000;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/** Creates a session; nothing happens until {@link AgentSession.start}. */
export function createAgentSession(options: AgentSessionOptions): AgentSession {
  const { client, identity, logger } = options;
  const pollWaitMs = options.pollWaitMs ?? DEFAULT_POLL_WAIT_MS;
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const stopPollingController = new AbortController();
  const closeController = new AbortController();
  const delivered = new Set<string>();
  let registration: Registration | undefined;
  let connected = false;
  let outageSince: number | undefined;
  let pollLoop: Promise<void> | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;

  function wentDown(error: unknown, doing: string): void {
    connected = false;
    if (outageSince !== undefined) return;
    outageSince = Date.now();
    const hint =
      error instanceof ControlPlaneError && error.status === 401
        ? 'the token was refused: check KEPTN_API_TOKEN'
        : 'retrying with back-off up to 5 s; `shipmate agent test-connection` checks the connection step by step';
    logger.warn(`${doing} failed: ${describe(error)}; ${hint}`);
  }

  function cameBack(): void {
    connected = true;
    if (outageSince === undefined) return;
    logger.info(`control plane reachable again after ${Math.round((Date.now() - outageSince) / 100) / 10} s`);
    outageSince = undefined;
  }

  async function register(signal: AbortSignal): Promise<Registration | undefined> {
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        const result = await client.register(registrationBody(identity));
        cameBack();
        return result;
      } catch (error) {
        if (error instanceof ControlPlaneError && !error.transient && error.status !== 401) throw error;
        wentDown(error, `registering '${identity.name}' at ${client.endpoint}`);
        await sleep(backoffDelay(attempt, backoff), signal);
      }
    }
    return undefined;
  }

  function deliver(events: readonly KeptnEvent[], aborted: readonly string[]): void {
    for (const event of events) {
      if (delivered.has(event.id)) {
        // The control plane offers a task again when no .started came within two leases (it
        // cannot tell a lost poll answer from a slow integration): it is already being handled here.
        logger.info(
          `task ${event.id} (${event.type}) was offered again (no .started yet); it is already handled here, not handing it over a second time`,
        );
        continue;
      }
      delivered.add(event.id);
      if (delivered.size > REMEMBERED_TASKS) delivered.delete(delivered.values().next().value as string);
      options.onTask(event);
    }
    for (const triggeredId of aborted) options.onAborted(triggeredId);
  }

  async function poll(): Promise<void> {
    const signal = stopPollingController.signal;
    let attempt = 0;
    while (!signal.aborted && registration) {
      try {
        // After a failure the first poll does not park: its answer is what shows the control plane
        // back (a parked poll answers only with a task or after pollWaitMs, 55 s by default).
        const batch = await client.pollTasks(registration, connected ? pollWaitMs : 0, signal);
        cameBack();
        attempt = 0;
        deliver(batch.events, batch.aborted);
      } catch (error) {
        if (signal.aborted || isAbort(error)) return;
        if (error instanceof ControlPlaneError && error.status === 404) {
          logger.warn(`the control plane no longer knows this instance (${describe(error)}); registering again`);
          registration = (await register(signal)) ?? registration;
          continue;
        }
        options.onPollError?.(error);
        wentDown(error, 'polling for tasks');
        await sleep(backoffDelay(attempt++, backoff), signal);
      }
    }
  }

  function startHeartbeat(): void {
    if (heartbeatTimer || !registration) return;
    heartbeatTimer = setInterval(() => {
      if (!registration) return;
      client.ping(registration).then(cameBack, (error: unknown) => {
        // Without a long poll the heartbeat is what notices an expired registration.
        if (options.taskSource && error instanceof ControlPlaneError && error.status === 404 && !closeController.signal.aborted) {
          logger.warn(`the control plane no longer knows this instance (${describe(error)}); registering again`);
          void register(closeController.signal).then((again) => (registration = again ?? registration));
          return;
        }
        wentDown(error, 'heartbeat');
      });
    }, heartbeatMs);
    heartbeatTimer.unref();
  }

  return {
    async start() {
      const registered = await register(closeController.signal);
      if (!registered) throw new Error('the agent was stopped before it could register');
      registration = registered;
      logger.info(`registered '${identity.name}' as integration ${registered.id}, instance ${registered.instanceId}`);
      if (options.taskSource) {
        startHeartbeat();
        await options.taskSource.start((task) => deliver([task], []));
        logger.info(`taking tasks from ${options.taskSource.kind} instead of the long poll`);
      } else {
        pollLoop = poll();
      }
      return registered;
    },
    get registration() {
      return registration;
    },
    get connected() {
      return connected;
    },
    async stopPolling() {
      stopPollingController.abort();
      await pollLoop;
      await options.taskSource?.stop();
      startHeartbeat();
    },
    async close(closeOptions = {}) {
      stopPollingController.abort();
      closeController.abort();
      await pollLoop;
      await options.taskSource?.close();
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      heartbeatTimer = undefined;
      if (closeOptions.unregister && registration) {
        try {
          await client.unregisterInstance(registration);
          logger.info(`unregistered instance ${registration.instanceId}`);
        } catch (error) {
          logger.warn(
            `could not unregister instance ${registration.instanceId}: ${describe(error)}; it goes offline after missed heartbeats`,
          );
        }
      }
      client.close();
    },
  };
}
