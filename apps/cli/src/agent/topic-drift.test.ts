import { describe, expect, it } from 'vitest';
import { topicDriftWarning } from './topic-drift.js';

describe('topicDriftWarning', () => {
  it('says nothing when the topics and the stored subscriptions agree, in any order', () => {
    expect(topicDriftWarning(['a.triggered', 'b.triggered'], ['b.triggered', 'a.triggered'], 'id1')).toBeUndefined();
  });

  it('names what is missing, what is extra, and how to change it', () => {
    const warning = topicDriftWarning(['sh.keptn.event.deployment.triggered'], ['sh.keptn.event.test.triggered'], 'id1');
    expect(warning).toMatch(
      /not subscribed to sh\.keptn\.event\.deployment\.triggered and also subscribed to sh\.keptn\.event\.test\.triggered/,
    );
    expect(warning).toMatch(/\/api\/controlPlane\/v1\/uniform\/registration\/id1\/subscription/);
  });

  it('handles an integration whose subscriptions were all removed', () => {
    expect(topicDriftWarning(['x.triggered'], [], 'id1')).toMatch(/\(none\): it is not subscribed to x\.triggered/);
  });
});
