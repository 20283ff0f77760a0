import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCriterion, parseSlo, SloParseError } from './parse-slo.js';

// Keptn's example SLO (fixtures/keptn-compat/examples/slo-quality-gates.yaml).
const EXAMPLE_SLO = readFileSync(new URL('../../../../fixtures/keptn-compat/examples/slo-quality-gates.yaml', import.meta.url), 'utf8');

function parseError(text: string): SloParseError {
  try {
    parseSlo(text);
  } catch (e) {
    if (e instanceof SloParseError) return e;
    throw e;
  }
  throw new Error('expected SloParseError');
}

describe('parseCriterion (Keptn parseCriteriaString)', () => {
  it.each([
    ['<600', '<', 600, false, false, true],
    ['<=800', '<=', 800, false, false, true],
    ['=0', '=', 0, false, false, true],
    ['>=1.5', '>=', 1.5, false, false, true],
    ['> 2', '>', 2, false, false, true],
    ['<=+10%', '<=', 10, true, true, true],
    ['>-5%', '>', 5, true, true, false],
    ['<=+50', '<=', 50, true, false, true],
    ['<-8', '<', 8, true, false, false],
    ['<10%', '<', 10, true, true, true], // Keptn #1498: % alone is relative and an increase
  ])('%s', (text, operator, value, relative, percentage, increase) => {
    expect(parseCriterion(text)).toEqual({ text, operator, value, relative, percentage, increase });
  });

  it.each(['<=abc', '600', '=<5', '==5', '<', '<+', '<5%%', '<5x', '!=5'])('rejects %s', (text) => {
    expect(parseCriterion(text)).toBeUndefined();
  });
});

describe('parseSlo', () => {
  it('parses the example SLO', () => {
    expect(parseSlo(EXAMPLE_SLO)).toEqual({
      specVersion: '0.1.1',
      filter: {},
      comparison: {
        compareWith: 'single_result',
        includeResultWithScore: 'pass',
        numberOfComparisonResults: 1,
        aggregateFunction: 'avg',
        resultCount: 1,
      },
      objectives: [
        {
          sli: 'response_time_p95',
          displayName: '',
          keySli: false,
          weight: 1,
          pass: [{ criteria: [parseCriterion('<=+10%'), parseCriterion('<600')] }],
          warning: [{ criteria: [parseCriterion('<=800')] }],
        },
      ],
      totalScore: { pass: 90, warning: 75 },
    });
  });

  it('applies Keptn defaults when there is no comparison block', () => {
    const slo = parseSlo('objectives:\n  - sli: a\ntotal_score:\n  pass: "90%"\n');
    expect(slo.comparison).toEqual({
      compareWith: 'single_result',
      includeResultWithScore: 'all',
      numberOfComparisonResults: 1,
      aggregateFunction: 'avg',
      resultCount: 1,
    });
    expect(slo.objectives[0]).toMatchObject({ weight: 1, keySli: false, pass: [], warning: [] });
    expect(slo.totalScore).toEqual({ pass: 90, warning: undefined });
    expect(slo.specVersion).toBe('');
  });

  it('applies Keptn defaults inside a comparison block', () => {
    const several = parseSlo('comparison:\n  compare_with: several_results\ntotal_score: {pass: "90"}\n');
    expect(several.comparison).toEqual({
      compareWith: 'several_results',
      includeResultWithScore: 'all',
      numberOfComparisonResults: 3,
      aggregateFunction: 'avg',
      resultCount: 3,
    });
    // No compare_with: Keptn fetches 3 results whatever number_of_comparison_results says.
    const none = parseSlo('comparison:\n  number_of_comparison_results: 5\ntotal_score: {pass: "90%"}\n');
    expect(none.comparison).toMatchObject({ compareWith: undefined, numberOfComparisonResults: 5, resultCount: 3 });
    // single_result forces one result.
    const single = parseSlo('comparison:\n  compare_with: single_result\n  number_of_comparison_results: 5\ntotal_score: {pass: "90%"}\n');
    expect(single.comparison.resultCount).toBe(1);
  });

  it('reads filter, displayName, key_sli, weight (0 → 1 as in Keptn), skips null objectives', () => {
    const slo = parseSlo(
      [
        'filter:',
        '  handler: ItemsController',
        'objectives:',
        '  -',
        '  - sli: a',
        '    displayName: A',
        '    key_sli: true',
        '    weight: 3',
        '  - sli: b',
        '    weight: 0',
        'total_score: {pass: "80%", warning: "50%"}',
      ].join('\n'),
    );
    expect(slo.filter).toEqual({ handler: 'ItemsController' });
    expect(slo.objectives.map((o) => [o.sli, o.displayName, o.keySli, o.weight])).toEqual([
      ['a', 'A', true, 3],
      ['b', '', false, 1],
    ]);
  });

  it('accepts an SLO without objectives (the evaluation then fails, as in Keptn)', () => {
    expect(parseSlo('total_score: {pass: "90%"}').objectives).toEqual([]);
  });

  it.each([
    ['not YAML', 'objectives:\n  - sli: a\n   bad: [\n', 3, 'not valid YAML'],
    ['a list at the top', '- a\n- b\n', 1, 'must be a mapping'],
    [
      'criteria <=abc',
      'objectives:\n  - sli: a\n    pass:\n      - criteria:\n          - "<=abc"\ntotal_score: {pass: "90%"}\n',
      5,
      "criterion '<=abc' in pass of 'a'",
    ],
    [
      'a bad warning criterion',
      'objectives:\n  - sli: a\n    warning:\n      - criteria: ["<600", "~5"]\ntotal_score: {pass: "90%"}\n',
      4,
      "criterion '~5' in warning of 'a'",
    ],
    [
      'a number criterion',
      'objectives:\n  - sli: a\n    pass:\n      - criteria:\n          - 600\ntotal_score: {pass: "90%"}\n',
      5,
      "criterion '600'",
    ],
    ['missing total_score', 'spec_version: "0.1.1"\nobjectives:\n  - sli: a\n', 1, 'total_score is missing'],
    ['total_score without pass', 'objectives: []\ntotal_score:\n  warning: "75%"\n', 3, 'total_score.pass is missing'],
    ['a bad pass percentage', 'total_score:\n  pass: "ninety"\n', 2, "total_score.pass 'ninety' is not a percentage"],
    ['a bad warning percentage', 'total_score:\n  pass: "90%"\n  warning: "7x%"\n', 3, "total_score.warning '7x%'"],
    [
      'unknown compare_with',
      'comparison:\n  compare_with: "last_result"\ntotal_score: {pass: "90%"}\n',
      2,
      "comparison.compare_with 'last_result' is unknown",
    ],
    [
      'unknown include_result_with_score',
      'comparison:\n  include_result_with_score: good\ntotal_score: {pass: "90%"}\n',
      2,
      'include_result_with_score',
    ],
    [
      'unknown aggregate_function',
      'comparison:\n\n  aggregate_function: p99\ntotal_score: {pass: "90%"}\n',
      3,
      "aggregate_function 'p99' is unknown",
    ],
    [
      'a negative number_of_comparison_results',
      'comparison:\n  number_of_comparison_results: -2\ntotal_score: {pass: "90%"}\n',
      2,
      'whole number',
    ],
    ['an objective without sli', 'objectives:\n  - displayName: x\ntotal_score: {pass: "90%"}\n', 2, 'objective has no sli'],
    ['key_sli not boolean', 'objectives:\n  - sli: a\n    key_sli: "yes"\ntotal_score: {pass: "90%"}\n', 3, "key_sli of 'a'"],
    ['a fractional weight', 'objectives:\n  - sli: a\n    weight: 1.5\ntotal_score: {pass: "90%"}\n', 3, "weight of 'a'"],
    ['pass not a list', 'objectives:\n  - sli: a\n    pass: "<600"\ntotal_score: {pass: "90%"}\n', 3, "pass of 'a' must be a list"],
  ])('rejects %s with the line', (_name, text, line, reason) => {
    const e = parseError(text);
    expect(e.line).toBe(line);
    expect(e.code).toBe('ERR_INVALID_SLO');
    expect(e.message).toContain(`slo.yaml line ${line}: `);
    expect(e.message).toContain(reason);
  });
});
