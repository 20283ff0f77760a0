import { describe, expect, it } from 'vitest';
import { createQuietPolls } from './quiet-polls.js';
import type { ReusableLook } from './quiet-polls.js';

const X = { integrationId: 'i', instanceId: 'x' };
const Y = { integrationId: 'i', instanceId: 'y' };

/** Quiet polls on a clock the test moves. */
function setup() {
  let nowMs = 10_000;
  const quiet = createQuietPolls({ graceMs: 1000, maxReuseMs: 60_000, now: () => nowMs });
  const look = (lookedAt = nowMs): ReusableLook => ({ accepts: () => true, topics: ['sh.keptn.event.deployment.triggered'], lookedAt });
  return { quiet, look, advance: (ms: number) => (nowMs += ms), now: () => nowMs };
}

describe('createQuietPolls', () => {
  it('gives the last quiet look to the next poll of the same instance once, when no event came since', () => {
    const { quiet, look } = setup();
    const last = look();
    quiet.ended(X, last, 7);
    expect(quiet.reuse(Y, 7)).toBeUndefined();
    expect(quiet.reuse(X, 7)).toBe(last);
    expect(quiet.reuse(X, 7)).toBeUndefined();
  });

  it('does not give it when an event reached the waiters after the poll ended', () => {
    const { quiet, look } = setup();
    quiet.ended(X, look(), 7);
    expect(quiet.reuse(X, 8)).toBeUndefined();
  });

  it('does not give it to a poll that comes graceMs or later after the end', () => {
    const { quiet, look, advance } = setup();
    quiet.ended(X, look(), 7);
    advance(999);
    quiet.ended(Y, look(), 7);
    expect(quiet.reuse(Y, 7)).toBeDefined();
    advance(1);
    expect(quiet.reuse(X, 7)).toBeUndefined();
  });

  it('does not reuse a look maxReuseMs old or older, so a missed notice costs at most that long', () => {
    const { quiet, look, advance, now } = setup();
    const first = look(now());
    advance(59_999);
    quiet.ended(X, first, 7);
    expect(quiet.reuse(X, 7)).toBe(first);
    advance(1);
    quiet.ended(X, first, 7);
    expect(quiet.reuse(X, 7)).toBeUndefined();
  });

  it('forgets records older than graceMs as new ones come', () => {
    const { quiet, look, advance } = setup();
    quiet.ended(X, look(), 7);
    quiet.ended(Y, look(), 7);
    expect(quiet.size).toBe(2);
    advance(1000);
    quiet.ended(Y, look(), 7);
    expect(quiet.size).toBe(1);
  });
});
