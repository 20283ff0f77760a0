/** Polling helper: calls a probe until it returns a value, with a short pause and a deadline. */
import { setTimeout as sleep } from 'node:timers/promises';

/** Options of {@link pollUntil}. */
export interface PollOptions {
  /** @default 15000 */
  timeoutMs?: number;
  /** Pause between probes; 0 polls back to back (each probe is a round trip anyway). @default 1 */
  intervalMs?: number;
}

/** Calls `probe` until it returns something other than undefined; throws after the deadline. */
export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined>, options: PollOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const intervalMs = options.intervalMs ?? 1;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    if (intervalMs > 0) await sleep(intervalMs);
  }
}
