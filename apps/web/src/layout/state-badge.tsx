/** A state or result as a coloured badge with its word (colour is never the only signal). */

/** The colour family of a state or result. */
export type Tone = 'running' | 'paused' | 'good' | 'warning' | 'bad' | 'neutral';

const TONES: Readonly<Record<string, Tone>> = {
  triggered: 'running',
  started: 'running',
  running: 'running',
  waiting: 'paused',
  pending: 'neutral',
  paused: 'paused',
  finished: 'good',
  succeeded: 'good',
  pass: 'good',
  warning: 'warning',
  fail: 'bad',
  errored: 'bad',
  aborted: 'bad',
  timedOut: 'bad',
  skipped: 'neutral',
};

/** The tone of a state or result word. */
export function toneOf(state: string | undefined): Tone {
  return (state === undefined ? undefined : TONES[state]) ?? 'neutral';
}

/** Props of {@link StateBadge}. */
export interface StateBadgeProps {
  /** The word; `unknown` when the server sent none. */
  state: string | undefined;
  /** Shown instead of the state word. */
  label?: string;
}

/** The badge. */
export function StateBadge({ state, label }: StateBadgeProps) {
  return <span className={`badge tone-${toneOf(state)}`}>{label ?? state ?? 'unknown'}</span>;
}
