import { describe, expect, it } from 'vitest';
import { eventTypeMatches, filterMatches, isWildcard } from './subscription-match.js';

describe('eventTypeMatches', () => {
  it.each([
    ['sh.keptn.event.deployment.triggered', 'sh.keptn.event.deployment.triggered', true],
    ['sh.keptn.event.deployment.triggered', 'sh.keptn.event.test.triggered', false],
    ['sh.keptn.event.*.triggered', 'sh.keptn.event.test.triggered', true],
    ['sh.keptn.event.*.triggered', 'sh.keptn.event.dev.delivery.triggered', false],
    ['sh.keptn.>', 'sh.keptn.event.test.triggered', true],
    ['sh.keptn.event.test.>', 'sh.keptn.event.test', false],
    ['sh.keptn.event.test.triggered.>', 'sh.keptn.event.test.triggered', false],
  ])('%s matches %s: %s', (pattern, type, expected) => {
    expect(eventTypeMatches(pattern, type)).toBe(expected);
  });

  it('knows wildcards', () => {
    expect(isWildcard('sh.keptn.event.*.triggered')).toBe(true);
    expect(isWildcard('sh.keptn.event.a*b.triggered')).toBe(false);
  });
});

describe('filterMatches', () => {
  const scope = { project: 'p', stage: 'dev', service: 'carts' };
  it.each([
    [{ projects: [], stages: [], services: [] }, true],
    [{ projects: ['p'], stages: ['dev', 'prod'], services: [] }, true],
    [{ projects: [], stages: ['production'], services: [] }, false],
    [{ projects: [], stages: [], services: ['orders'] }, false],
  ])('%j: %s', (filter, expected) => {
    expect(filterMatches(filter, scope)).toBe(expected);
  });
});
