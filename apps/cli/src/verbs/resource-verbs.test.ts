import { describe, expect, it } from 'vitest';
import { defaultResourceUri, levelOf, levelText } from './resource-verbs.js';

describe('levelOf and levelText', () => {
  it('names the project, a stage, or a service in a stage', () => {
    expect(levelText(levelOf({ project: 'shop' }))).toBe('shop');
    expect(levelText(levelOf({ project: 'shop', stage: 'dev' }))).toBe('shop/dev');
    expect(levelOf({ project: 'shop', stage: 'dev', service: 'carts' })).toEqual({ project: 'shop', stage: 'dev', service: 'carts' });
  });

  it('refuses a service without a stage', () => {
    expect(() => levelOf({ project: 'shop', service: 'carts' })).toThrow('--service needs --stage (or --all-stages)');
  });
});

describe('defaultResourceUri', () => {
  it.each([
    ['slo.yaml', 'slo.yaml'],
    ['./helm/carts.tgz', 'helm/carts.tgz'],
    ['/home/me/slo.yaml', 'slo.yaml'],
  ])('%s goes to %s', (file, uri) => {
    expect(defaultResourceUri(file)).toBe(uri);
  });
});
