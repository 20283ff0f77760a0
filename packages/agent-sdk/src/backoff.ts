/** Retry timing shared by the agent's loops: exponential back-off with jitter, and an abortable sleep. */

/** How retries are spaced. */
export interface Backoff {
  /** First delay. */
  readonly initialMs: number;
  /** Largest delay. */
  readonly maxMs: number;
}

/** The default: 250 ms doubling up to 5 s, so a control plane back after 10 s is seen within 5 s. */
export const DEFAULT_BACKOFF: Backoff = Object.freeze({ initialMs: 250, maxMs: 5_000 });

/** Delay before retry number `attempt` (0-based): doubling, capped, with ±20 % jitter. */
export function backoffDelay(attempt: number, backoff: Backoff = DEFAULT_BACKOFF): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** Waits `ms`; resolves false at once when `signal` aborts (true after a full wait). */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
