/** Source of time for the core; tests pass a fake. */
export interface Clock {
  /** Milliseconds since the epoch. */
  nowMs(): number;
}

/** The real clock. */
export const systemClock: Clock = { nowMs: () => Date.now() };
