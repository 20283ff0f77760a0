import { describe, expect, it } from 'vitest';
import type { SequenceState } from '@shipmate/api';
import { stagesText } from './sequence-verbs.js';

const event = (id: string, type = 'sh.keptn.event.dev.delivery.finished') => ({ id, type, time: '2026-12-08T04:14:03.913Z' });

function sequence(stages: Array<Record<string, unknown>>): SequenceState {
  return {
    name: 'delivery',
    service: 'carts',
    project: 'shop',
    shkeptncontext: 'c',
    time: '',
    state: 'finished',
    stages,
  };
}

describe('stagesText', () => {
  it("shows each stage's state, and fail for a stage whose last event is its latest failed one", () => {
    const text = stagesText(
      sequence([
        { name: 'dev', state: 'succeeded', latestEvent: event('e1') },
        { name: 'staging', state: 'succeeded', latestEvent: event('e2'), latestFailedEvent: event('e2') },
        { name: 'production', state: 'triggered', latestEvent: event('e3', 'sh.keptn.event.deployment.started') },
      ]),
    );
    expect(text).toBe('dev:succeeded staging:fail production:triggered');
  });

  it('keeps succeeded when a failure came before the last event, and errored or aborted as they are', () => {
    const text = stagesText(
      sequence([
        { name: 'dev', state: 'succeeded', latestEvent: event('e2'), latestFailedEvent: event('e1') },
        { name: 'staging', state: 'errored', latestEvent: event('e3'), latestFailedEvent: event('e3') },
        { name: 'production', state: 'aborted' },
      ]),
    );
    expect(text).toBe('dev:succeeded staging:errored production:aborted');
  });
});
