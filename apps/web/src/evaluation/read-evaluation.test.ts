import { describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/api';
import { readEvaluation, scoreCriteriaOf } from './read-evaluation';

const SLO = `spec_version: "1.0"
comparison:
  compare_with: single_result
objectives:
  - sli: response_time_p95
    pass:
      - criteria:
          - "<=600"
total_score:
  pass: "90%"
  warning: 75 # percent
`;

describe('scoreCriteriaOf', () => {
  it.each([
    ['quoted and plain percentages', SLO, { pass: 90, warning: 75 }],
    ['no warning', 'total_score:\n  pass: "80%"\nobjectives: []\n', { pass: 80, warning: undefined }],
    ['no total_score', 'objectives: []\n', undefined],
    ['a total_score without pass', 'total_score:\n  warning: "50%"\n', undefined],
    ['keys of the next mapping are not read', 'total_score:\n  pass: "90%"\nother:\n  warning: "10%"\n', { pass: 90, warning: undefined }],
  ])('%s', (_name, yaml, criteria) => {
    expect(scoreCriteriaOf(yaml)).toEqual(criteria);
  });
});

describe('readEvaluation', () => {
  const base: KeptnEvent = {
    id: 'e1',
    type: 'sh.keptn.event.evaluation.finished',
    source: 'lighthouse-service',
    specversion: '1.0',
    time: '2024-01-01T00:00:00.000Z',
    shkeptncontext: 'ctx',
    data: { project: 'shop', stage: 'dev', service: 'carts', result: 'warning' },
  };

  it("reads Keptn's lighthouse output: score, SLIs with targets, the SLO's total_score", () => {
    const event: KeptnEvent = {
      ...base,
      data: {
        ...base.data,
        evaluation: {
          score: 80,
          result: 'warning',
          sloFileContent: btoa(SLO),
          indicatorResults: [
            {
              score: 1,
              status: 'pass',
              displayName: 'Response time P95',
              keySli: true,
              value: { metric: 'response_time_p95', value: 420, success: true, message: '' },
              passTargets: [{ criteria: '<=600', targetValue: 600, violated: false }],
              warningTargets: null,
            },
            { status: 'fail', value: { metric: 'error_rate', value: 0, success: false, message: 'no data' } },
          ],
        },
      },
    };
    expect(readEvaluation(event)).toEqual({
      id: 'e1',
      keptnContext: 'ctx',
      time: '2024-01-01T00:00:00.000Z',
      stage: 'dev',
      service: 'carts',
      score: 80,
      result: 'warning',
      message: '',
      criteria: { pass: 90, warning: 75 },
      indicators: [
        {
          metric: 'response_time_p95',
          displayName: 'Response time P95',
          value: 420,
          status: 'pass',
          keySli: true,
          message: '',
          passTargets: [{ criteria: '<=600', targetValue: 600, violated: false }],
          warningTargets: [],
        },
        {
          metric: 'error_rate',
          displayName: 'error_rate',
          value: undefined,
          status: 'fail',
          keySli: false,
          message: 'no data',
          passTargets: [],
          warningTargets: [],
        },
      ],
    });
  });

  it('shows what a foreign or failed evaluation event has, without throwing', () => {
    const event: KeptnEvent = { ...base, data: { project: 'shop', evaluation: 'broken', message: 'no SLO' } };
    expect(readEvaluation(event)).toMatchObject({
      stage: '',
      service: '',
      score: undefined,
      result: 'unknown',
      indicators: [],
      criteria: undefined,
      message: 'no SLO',
    });
  });
});
