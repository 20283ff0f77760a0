import { describe, expect, it } from 'vitest';
import { deploymentValues, mergeValues } from './helm-values.js';
import type { HelmValues } from './helm-values.js';

describe('mergeValues (Helm coalescing)', () => {
  // [name, base, override, merged]
  const cases: Array<[string, HelmValues, HelmValues, HelmValues]> = [
    ['adds keys', { a: 1 }, { b: 2 }, { a: 1, b: 2 }],
    ['replaces scalars', { image: 'carts:1' }, { image: 'carts:2' }, { image: 'carts:2' }],
    [
      'merges maps key by key, deeply',
      { image: { repository: 'carts', tag: '1', pull: 'IfNotPresent' }, r: { a: { b: 1, c: 2 } } },
      { image: { tag: '2' }, r: { a: { c: 3 } } },
      { image: { repository: 'carts', tag: '2', pull: 'IfNotPresent' }, r: { a: { b: 1, c: 3 } } },
    ],
    ['replaces lists whole', { hosts: ['a', 'b'] }, { hosts: ['c'] }, { hosts: ['c'] }],
    ['a map replaces a scalar', { image: 'carts:1' }, { image: { tag: '2' } }, { image: { tag: '2' } }],
    ['a scalar replaces a map', { image: { tag: '2' } }, { image: 'carts:1' }, { image: 'carts:1' }],
    ['null is kept (Helm deletes the key from the chart defaults)', { a: { b: 1 } }, { a: null }, { a: null }],
    ['a string with commas and dots stays one value', {}, { 'a.b': 'x,y=z' }, { 'a.b': 'x,y=z' }],
  ];
  it.each(cases)('%s', (_name, base, override, merged) => {
    const before = JSON.stringify(base);
    expect(mergeValues(base, override)).toEqual(merged);
    expect(JSON.stringify(base)).toBe(before);
  });
});

describe('deploymentValues', () => {
  it('injects keptn.project/stage/service/deployment over the configuration change, keeping other keptn keys', () => {
    const values = deploymentValues(
      { image: 'carts:0.13.2', keptn: { project: 'spoofed', extra: true } },
      { project: 'shop', stage: 'dev', service: 'carts', deployment: 'direct' },
    );
    expect(values).toEqual({
      image: 'carts:0.13.2',
      keptn: { project: 'shop', stage: 'dev', service: 'carts', deployment: 'direct', extra: true },
    });
  });
});
