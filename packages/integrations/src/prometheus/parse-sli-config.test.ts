import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSliConfig, SliConfigError } from './parse-sli-config.js';

// Keptn's example SLI file of the prometheus-service (fixtures/keptn-compat/examples/sli-prometheus.yaml).
const EXAMPLE_SLI = readFileSync(new URL('../../../../fixtures/keptn-compat/examples/sli-prometheus.yaml', import.meta.url), 'utf8');

function parseError(text: string): SliConfigError {
  try {
    parseSliConfig(text, 'prometheus/sli.yaml (service level)');
  } catch (e) {
    if (e instanceof SliConfigError) return e;
    throw e;
  }
  throw new Error('expected SliConfigError');
}

describe('parseSliConfig', () => {
  it("reads Keptn's example SLI file", () => {
    const queries = parseSliConfig(EXAMPLE_SLI);
    expect(Object.keys(queries)).toEqual(['response_time_p50', 'response_time_p90', 'response_time_p95']);
    expect(queries.response_time_p95).toBe(
      'histogram_quantile(0.95, sum by(le) (rate(http_response_time_milliseconds_bucket{handler="ItemsController.addToCart",job="$SERVICE-$PROJECT-$STAGE"}[$DURATION_SECONDS])))',
    );
  });

  it.each([
    ['quoted and block scalars', "indicators:\n  a: 'sum(x)'\n  b: |-\n    sum(\n      y)\n", { a: 'sum(x)', b: 'sum(\n  y)' }],
    ['a numeric indicator name', 'indicators:\n  95: sum(x)\n', { '95': 'sum(x)' }],
    ['without spec_version', 'indicators:\n  a: up\n', { a: 'up' }],
  ])('reads %s', (_, text, expected) => {
    expect(parseSliConfig(text)).toEqual(expected);
  });

  it.each([
    ['a YAML error', 'indicators:\n  a: sum(x)\n b: [\n', 3, /not valid YAML/],
    ['a duplicate indicator', 'indicators:\n  a: up\n  a: down\n', 3, /not valid YAML: Map keys must be unique/],
    ['an empty file', '', undefined, /the file must be a mapping with an 'indicators' mapping \(it is nothing\)/],
    ['a list at the top', '- a\n- b\n', 1, /must be a mapping with an 'indicators' mapping \(it is a list\)/],
    ['no indicators', "spec_version: '1.0'\n", 1, /missing required field 'indicators'; e\.g\./],
    ['indicators: null', "spec_version: '1.0'\nindicators:\n", 2, /missing required field 'indicators'/],
    ['indicators as a list', 'indicators:\n  - up\n', 2, /'indicators' must be a mapping of indicator name to PromQL query, not a list/],
    ['indicators as text', 'indicators: up\n', 1, /'indicators' must be a mapping .* not a string/],
    ['empty indicators', 'indicators: {}\n', 1, /'indicators' is empty/],
    [
      'a numeric query',
      'indicators:\n  ok: up\n  a: 42\n',
      3,
      /indicators\.a must be a PromQL query string, not a number \(quote it if you mean it as PromQL\)/,
    ],
    ['a mapping as query', 'indicators:\n  a:\n    query: up\n', 3, /indicators\.a must be a PromQL query string, not a mapping/],
    ['a missing query', 'indicators:\n  a:\n', 2, /indicators\.a must be a PromQL query string, not nothing/],
    ['an empty query', "indicators:\n  a: ''\n", 2, /indicators\.a is an empty query/],
    ['a list as indicator name', 'indicators:\n  [a]: up\n', 2, /an indicator name must be a string, not a list/],
  ])('rejects %s with the line', (_, text, line, message) => {
    const error = parseError(text);
    expect(error.line).toBe(line);
    expect(error.code).toBe('ERR_INVALID_SLI_CONFIG');
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(new RegExp(`^prometheus/sli\\.yaml \\(service level\\)${line === undefined ? ':' : ` line ${line}:`}`));
  });
});
