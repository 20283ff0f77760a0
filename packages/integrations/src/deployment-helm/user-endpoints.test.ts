import { describe, expect, it } from 'vitest';
import { HelmEndpointsError, parseUserEndpoints } from './user-endpoints.js';

describe('parseUserEndpoints (helm/endpoints.yaml)', () => {
  it.each<[string, string, ReturnType<typeof parseUserEndpoints>]>([
    [
      'both lists',
      'deploymentURIsLocal:\n  - http://carts.shop-dev:8080\ndeploymentURIsPublic: [https://carts.example.com]\n',
      { deploymentURIsLocal: ['http://carts.shop-dev:8080'], deploymentURIsPublic: ['https://carts.example.com'] },
    ],
    [
      'one list; other keys ignored',
      'deploymentURIsLocal: [http://a:1]\nnote: kept by hand\n',
      { deploymentURIsLocal: ['http://a:1'], deploymentURIsPublic: [] },
    ],
    ['an empty file', '', { deploymentURIsLocal: [], deploymentURIsPublic: [] }],
    ['an empty key', 'deploymentURIsLocal:\n', { deploymentURIsLocal: [], deploymentURIsPublic: [] }],
  ])('%s', (_name, text, expected) => {
    expect(parseUserEndpoints(text)).toEqual(expected);
  });

  it.each<[string, string, RegExp]>([
    ['not YAML', 'deploymentURIsLocal: [http://a\n', /^helm\/endpoints\.yaml line \d+: not valid YAML/],
    [
      'a list at the top',
      '- http://a:1\n',
      /^helm\/endpoints\.yaml line 1: expected a mapping with deploymentURIsLocal and deploymentURIsPublic/,
    ],
    [
      'a string instead of a list',
      'x: 1\ndeploymentURIsLocal: http://a:1\n',
      /^helm\/endpoints\.yaml line 2: 'deploymentURIsLocal' must be a list of URLs/,
    ],
    [
      'a number in the list',
      'deploymentURIsPublic:\n  - http://a:1\n  - 8080\n',
      /^helm\/endpoints\.yaml line 3: every entry of 'deploymentURIsPublic' must be a URL string/,
    ],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseUserEndpoints(text)).toThrow(HelmEndpointsError);
    expect(() => parseUserEndpoints(text)).toThrow(message);
  });
});
