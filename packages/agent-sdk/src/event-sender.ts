/**
 * Sends events to the control plane (`POST /v1/event`) so that none is lost while it is briefly
 * unreachable: transient failures (network, 5xx, 429) are retried with back-off until
 * `giveUpAfterMs`; a refusal (4xx) is not retried and rejects with the control plane's message.
 */
import { DEFAULT_BACKOFF, backoffDelay, sleep } from './backoff.js';
import type { Backoff } from './backoff.js';
import { ControlPlaneError } from './control-plane-client.js';
import type { ControlPlaneClient } from './control-plane-client.js';
import type { AgentLogger } from './logger.js';

/** Options of {@link createEventSender}. */
export interface EventSenderOptions {
  client: Pick<ControlPlaneClient, 'sendEvent'>;
  logger: AgentLogger;
  /** Stop retrying after this long. @default 600000 (10 min) */
  giveUpAfterMs?: number;
  backoff?: Backoff;
}

/** Sends one event, retrying; resolves with the keptn context. */
export type EventSender = (event: Record<string, unknown>) => Promise<string>;

/** Creates the sender. */
export function createEventSender(options: EventSenderOptions): EventSender {
  const giveUpAfterMs = options.giveUpAfterMs ?? 600_000;
  return async (event) => {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const context = await options.client.sendEvent(event);
        if (attempt > 0) options.logger.info(`sent ${String(event.type)} after ${attempt + 1} attempts`);
        return context;
      } catch (error) {
        const transient = error instanceof ControlPlaneError && error.transient;
        if (!transient || Date.now() - started >= giveUpAfterMs) throw error;
        if (attempt === 0) options.logger.warn(`sending ${String(event.type)} failed (${error.message}); retrying`);
        await sleep(backoffDelay(attempt, options.backoff ?? DEFAULT_BACKOFF));
      }
    }
  };
}
