import { describe, expect, it } from 'vitest';
import { durationSeconds, substitutePlaceholders } from './substitute-placeholders.js';
import type { QueryVariables } from './substitute-placeholders.js';

const VARS: QueryVariables = {
  project: 'shop',
  stage: 'dev',
  service: 'carts',
  deployment: 'canary',
  labels: { owner: 'team-a', buildId: '42' },
  customFilters: [],
  start: new Date('2024-01-01T10:00:00Z'),
  end: new Date('2024-01-01T10:05:00Z'),
};

describe('substitutePlaceholders (Keptn replaceQueryParameters)', () => {
  it.each<[string, string, Partial<QueryVariables>, string]>([
    ['project, stage, service', 'up{job="$SERVICE-$PROJECT-$STAGE"}', {}, 'up{job="carts-shop-dev"}'],
    ['every occurrence', '$SERVICE/$SERVICE', {}, 'carts/carts'],
    ['the deployment', 'up{job="$SERVICE-$DEPLOYMENT"}', {}, 'up{job="carts-canary"}'],
    ['the window in seconds', 'rate(x[$DURATION_SECONDS])', {}, 'rate(x[300s])'],
    ['a window rounded up', 'rate(x[$DURATION_SECONDS])', { end: new Date('2024-01-01T10:00:01.200Z') }, 'rate(x[2s])'],
    ['labels', 'x{owner="$LABEL.owner",b="$LABEL.buildId"}', {}, 'x{owner="team-a",b="42"}'],
    ['an unknown label left as written', 'x{a="$LABEL.nope"}', {}, 'x{a="$LABEL.nope"}'],
    [
      'a custom filter by its key',
      "x{handler=~'$handler'}",
      { customFilters: [{ key: 'handler', value: 'Cart.*' }] },
      "x{handler=~'Cart.*'}",
    ],
    ['a custom filter by its upper-cased key', 'x{h="$HANDLER"}', { customFilters: [{ key: 'handler', value: 'a' }] }, 'x{h="a"}'],
    ['quotes removed from filter values', 'x{h="$h"}', { customFilters: [{ key: 'h', value: `a"b'c` }] }, 'x{h="abc"}'],
    ['filters before $PROJECT (Keptn order)', 'x{p="$PROJECT"}', { customFilters: [{ key: 'project', value: 'other' }] }, 'x{p="other"}'],
    ['plain text: $SERVICE inside $SERVICE_NAME (Keptn)', '$SERVICE_NAME', {}, 'carts_NAME'],
    ['no replacement patterns in values', 'x{h="$h"}', { customFilters: [{ key: 'h', value: '$&$1' }] }, 'x{h="$&$1"}'],
    ['unknown placeholders left alone', 'x{a="$NOPE"}', {}, 'x{a="$NOPE"}'],
  ])('replaces %s', (_, query, overrides, expected) => {
    expect(substitutePlaceholders(query, { ...VARS, ...overrides })).toBe(expected);
  });

  it.each([
    [0, '0s'],
    [1, '1s'],
    [999, '1s'],
    [300_000, '300s'],
  ])('durationSeconds of %i ms is %s', (ms, expected) => {
    expect(durationSeconds(new Date(0), new Date(ms))).toBe(expected);
  });
});
