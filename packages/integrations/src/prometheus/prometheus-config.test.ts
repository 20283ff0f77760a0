import { describe, expect, it } from 'vitest';
import { endpointFromUrl, noPrometheusUrl, parsePrometheusConfig } from './prometheus-config.js';

const WHERE = 'prometheus/config.yaml (stage level)';

describe('parsePrometheusConfig', () => {
  it.each([
    ['a URL', 'url: http://prom:9090\n', { url: 'http://prom:9090' }],
    [
      'basic auth from a secret',
      'url: https://prom.example/prometheus\nusername: keptn\npasswordSecret: {name: prom-shop, key: password}\n',
      {
        url: 'https://prom.example/prometheus',
        username: 'keptn',
        passwordSecret: { name: 'prom-shop', key: 'password', scope: 'keptn-prometheus-service' },
      },
    ],
    [
      'a secret in another scope',
      'url: http://p\nusername: u\npasswordSecret:\n  name: s\n  key: k\n  scope: keptn-default\n',
      { url: 'http://p', username: 'u', passwordSecret: { name: 's', key: 'k', scope: 'keptn-default' } },
    ],
  ])('reads %s', (_, text, expected) => {
    expect(parsePrometheusConfig(text, WHERE)).toEqual(expected);
  });

  it.each([
    ['a YAML error', 'url: [\n', /line 2: not valid YAML/],
    ['no url', 'username: u\n', /line 1: missing required field 'url'; e\.g\. "url: http:\/\/prometheus\.example:9090"/],
    ['a url that is a number', 'url: 9090\n', /line 1: 'url' must be a non-empty string/],
    ['a url without scheme', 'url: prom:9090\n', /Prometheus URL 'prom:9090' must start with http:\/\/ or https:\/\//],
    ['a url that is not one', 'url: "http://"\n', /Prometheus URL 'http:\/\/' is not a URL/],
    ['username without secret', 'url: http://p\nusername: u\n', /'username' is set without 'passwordSecret'; add passwordSecret: \{name/],
    ['secret without username', 'url: http://p\npasswordSecret: {name: s, key: k}\n', /'passwordSecret' is set without 'username'/],
    [
      'secret without key',
      'url: http://p\nusername: u\npasswordSecret: {name: s}\n',
      /line 3: 'passwordSecret' needs both 'name' .* and 'key'/,
    ],
    ['secret as text', 'url: http://p\nusername: u\npasswordSecret: s\n', /line 3: 'passwordSecret' must be a mapping/],
  ])('rejects %s, naming the file and the fix', (_, text, message) => {
    expect(() => parsePrometheusConfig(text, WHERE)).toThrow(message);
    expect(() => parsePrometheusConfig(text, WHERE)).toThrow(/^prometheus\/config\.yaml \(stage level\)/);
  });
});

describe('endpointFromUrl', () => {
  it('keeps the base path, drops a trailing slash, and moves credentials out of the URL', () => {
    expect(endpointFromUrl('http://prom:9090/', 'x')).toEqual({ url: 'http://prom:9090', source: 'x' });
    expect(endpointFromUrl('https://u%40x:p%3Aw@prom/base/', 'x')).toEqual({
      url: 'https://prom/base',
      username: 'u@x',
      password: 'p:w',
      source: 'x',
    });
    expect(endpointFromUrl('http://u:p@prom', 'x', { username: 'a', password: 'b' })).toMatchObject({ username: 'a', password: 'b' });
  });
});

describe('noPrometheusUrl', () => {
  it('names both ways to set the URL', () => {
    const error = noPrometheusUrl('shop', 'dev');
    expect(error.code).toBe('ERR_INVALID_PROMETHEUS_CONFIG');
    expect(error.message).toMatch(
      /no Prometheus URL for stage 'dev' of project 'shop': add prometheus\/config\.yaml .* at the stage or project level, or .*SHIPMATE_PROMETHEUS_URL/,
    );
  });
});
