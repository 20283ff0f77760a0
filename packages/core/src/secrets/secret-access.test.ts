import { describe, expect, it } from 'vitest';
import { mayReadScope } from './secret-access.js';

describe('mayReadScope', () => {
  it.each([
    ['webhook-service', 'keptn-webhook-service', true],
    ['webhook-service', 'keptn-default', true],
    ['webhook-service', 'dynatrace-service', false],
    ['dynatrace-service', 'dynatrace-service', true],
    ['prometheus-service', 'keptn-prometheus-service', true],
    ['helm-service', 'keptn-webhook-service', false],
    ['keptn-default', 'keptn-default', true],
  ])('%s reads %s: %s', (integration, scope, expected) => {
    expect(mayReadScope(integration, scope)).toBe(expected);
  });
});
