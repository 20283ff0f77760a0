import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSlo } from './parse-slo.js';
import type { PreviousEvaluation, SliValue } from './score-evaluation.js';
import { aggregate, scoreEvaluation } from './score-evaluation.js';

// Keptn's example SLO (fixtures/keptn-compat/examples/slo-quality-gates.yaml).
const EXAMPLE = parseSlo(
  readFileSync(new URL('../../../../fixtures/keptn-compat/examples/slo-quality-gates.yaml', import.meta.url), 'utf8'),
);

const ok = (metric: string, value: number): SliValue => ({ metric, value, success: true });
const prev = (...values: SliValue[]): PreviousEvaluation => ({ indicatorResults: values.map((value) => ({ value })) });

describe('aggregate (Keptn aggregateValues / calculatePercentile)', () => {
  it.each([
    // avg: (100 + 200 + 300) / 3 = 200
    ['avg', [100, 200, 300], 200],
    // p50, n=3: pos = 0.5 × 4 = 2 → sorted[1] + 0 × (…) = 200
    ['p50', [300, 100, 200], 200],
    // p50, n=4: pos = 0.5 × 5 = 2.5 → 20 + 0.5 × (30 − 20) = 25
    ['p50', [40, 10, 30, 20], 25],
    // p90, n=3: pos = 0.9 × 4 = 3.6 ≥ n → last = 300
    ['p90', [100, 200, 300], 300],
    // p90, n=10 (1..10): pos = 0.9 × 11 = 9.9 → sorted[8] + 0.9 × (10 − 9) = 9.9
    ['p90', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 9.9],
    // p95, n=1: pos = 0.95 × 2 = 1.9 ≥ n → the only value
    ['p95', [42], 42],
    // p95, n=20 (1..20): pos = 0.95 × 21 = 19.95 → 19 + 0.95 × 1 = 19.95
    ['p95', Array.from({ length: 20 }, (_, i) => i + 1), 19.95],
  ] as const)('%s of %j = %d', (fn, values, expected) => {
    expect(aggregate(values, fn)).toBeCloseTo(expected, 10);
  });

  it('is undefined without values', () => {
    expect(aggregate([], 'avg')).toBeUndefined();
  });
});

describe('scoreEvaluation', () => {
  it('example SLO passes: 540 ≤ 500 × 1.10 = 550 and 540 < 600 → score 1/1 = 100 %', () => {
    const out = scoreEvaluation(EXAMPLE, [ok('response_time_p95', 540)], [prev(ok('response_time_p95', 500))]);
    expect(out).toEqual({
      result: 'pass',
      score: 100,
      message: '',
      indicatorResults: [
        {
          score: 1,
          status: 'pass',
          displayName: '',
          keySli: false,
          value: { metric: 'response_time_p95', value: 540, comparedValue: 500, success: true, message: '' },
          passTargets: [
            { criteria: '<=+10%', targetValue: 550, violated: false },
            { criteria: '<600', targetValue: 600, violated: false },
          ],
          warningTargets: [{ criteria: '<=800', targetValue: 800, violated: false }],
        },
      ],
    });
  });

  it('example SLO: 580 > 550 breaks the relative criterion, ≤ 800 is a warning → 0.5/1 = 50 % < 75 % → fail', () => {
    const out = scoreEvaluation(EXAMPLE, [ok('response_time_p95', 580)], [prev(ok('response_time_p95', 500))]);
    expect(out.result).toBe('fail');
    expect(out.score).toBe(50);
    expect(out.indicatorResults[0]).toMatchObject({
      status: 'warning',
      score: 0.5,
      passTargets: [
        { criteria: '<=+10%', targetValue: 550, violated: true },
        { criteria: '<600', targetValue: 600, violated: false },
      ],
    });
    expect(out.message).toBe('Evaluation failed since the calculated score of 50 is below the warning value of 75');
  });

  it('example SLO: 900 > 800 → objective fail, 0/1 = 0 %', () => {
    const out = scoreEvaluation(EXAMPLE, [ok('response_time_p95', 900)], [prev(ok('response_time_p95', 500))]);
    expect(out).toMatchObject({ result: 'fail', score: 0 });
    expect(out.indicatorResults[0]).toMatchObject({ status: 'fail', score: 0 });
  });

  it('no earlier result: the relative criterion passes with target 0 (Keptn), 590 < 600 → 100 %', () => {
    const out = scoreEvaluation(EXAMPLE, [ok('response_time_p95', 590)], []);
    expect(out).toMatchObject({ result: 'pass', score: 100 });
    expect(out.indicatorResults[0]?.passTargets[0]).toEqual({ criteria: '<=+10%', targetValue: 0, violated: false });
    expect(out.indicatorResults[0]?.value.comparedValue).toBe(0);
  });

  it('only unsuccessful earlier values count as none; other metrics are ignored', () => {
    // The earlier 100 would give a target of 110 and fail 590; it is not successful, so it is skipped.
    const earlier = prev({ metric: 'response_time_p95', value: 100, success: false }, ok('error_rate', 1));
    expect(scoreEvaluation(EXAMPLE, [ok('response_time_p95', 590)], [earlier]).result).toBe('pass');
  });

  it('single_result uses only the newest earlier evaluation', () => {
    // Newest 500 → target 550 → 540 passes; the older 400 (→ 440) is not used.
    const out = scoreEvaluation(
      EXAMPLE,
      [ok('response_time_p95', 540)],
      [prev(ok('response_time_p95', 500)), prev(ok('response_time_p95', 400))],
    );
    expect(out.indicatorResults[0]?.value.comparedValue).toBe(500);
    expect(out.result).toBe('pass');
  });

  it('several_results with avg: absolute and relative deltas against the average of the first N', () => {
    const slo = parseSlo(`comparison:
  compare_with: several_results
  number_of_comparison_results: 3
  aggregate_function: avg
objectives:
  - sli: rt
    pass:
      - criteria: ["<=+50", ">-5%", "<-8"]
total_score: {pass: "90%"}
`);
    // avg(100, 200, 300) = 200 (the 4th evaluation, 10000, is beyond N=3).
    // <=+50 → 200 + 50 = 250: 240 ≤ 250 ok; >-5% → 200 × 95 / 100 = 190: 240 > 190 ok;
    // <-8 → 200 − 8 = 192: 240 < 192 violated → group fails → no warning → fail, 0 %.
    const earlier = [100, 200, 300, 10000].map((v) => prev(ok('rt', v)));
    const out = scoreEvaluation(slo, [ok('rt', 240)], earlier);
    expect(out.indicatorResults[0]?.passTargets).toEqual([
      { criteria: '<=+50', targetValue: 250, violated: false },
      { criteria: '>-5%', targetValue: 190, violated: false },
      { criteria: '<-8', targetValue: 192, violated: true },
    ]);
    expect(out).toMatchObject({ result: 'fail', score: 0 });
  });

  it('p90 of several results as the comparison base', () => {
    const slo = parseSlo(`comparison: {compare_with: several_results, number_of_comparison_results: 3, aggregate_function: p90}
objectives:
  - sli: rt
    pass: [{criteria: ["<=+10%"]}]
total_score: {pass: "90%"}
`);
    // p90(100, 200, 300) = 300 (pos 3.6 ≥ 3) → target 330: 320 passes.
    const out = scoreEvaluation(
      slo,
      [ok('rt', 320)],
      [100, 200, 300].map((v) => prev(ok('rt', v))),
    );
    expect(out.indicatorResults[0]?.passTargets).toEqual([{ criteria: '<=+10%', targetValue: 330, violated: false }]);
    expect(out.result).toBe('pass');
  });

  it('criteria groups are ORed, criteria inside a group ANDed', () => {
    const slo = parseSlo(`objectives:
  - sli: x
    pass:
      - criteria: ["<100"]
      - criteria: [">1000", "<=2000"]
total_score: {pass: "100%"}
`);
    // 2000: group 1 (<100) violated; group 2 (>1000 and ≤2000) holds → pass.
    const out = scoreEvaluation(slo, [ok('x', 2000)], []);
    expect(out.indicatorResults[0]).toMatchObject({
      status: 'pass',
      passTargets: [
        { criteria: '<100', violated: true },
        { criteria: '>1000', violated: false },
        { criteria: '<=2000', violated: false },
      ],
    });
    // 2001: every group has a violation → fail.
    expect(scoreEvaluation(slo, [ok('x', 2001)], []).result).toBe('fail');
    // = compares exactly.
    const eq = parseSlo('objectives: [{sli: e, pass: [{criteria: ["=0"]}]}]\ntotal_score: {pass: "90%"}');
    expect(scoreEvaluation(eq, [ok('e', 0)], []).result).toBe('pass');
    expect(scoreEvaluation(eq, [ok('e', 0.1)], []).result).toBe('fail');
  });

  const weighted = parseSlo(`objectives:
  - sli: a
    weight: 2
    pass: [{criteria: ["<10"]}]
    warning: [{criteria: ["<20"]}]
  - sli: b
    pass: [{criteria: ["<10"]}]
    warning: [{criteria: ["<20"]}]
  - sli: c
    pass: [{criteria: ["<10"]}]
total_score:
  pass: "90%"
  warning: "75%"
`);

  it('weights and the warning band: a pass (2) + b warning (0.5 × 1) + c pass (1) = 3.5 / 4 = 87.5 % → warning', () => {
    const out = scoreEvaluation(weighted, [ok('a', 1), ok('b', 15), ok('c', 1)], []);
    expect(out.indicatorResults.map((r) => [r.status, r.score])).toEqual([
      ['pass', 2],
      ['warning', 0.5],
      ['pass', 1],
    ]);
    expect(out).toMatchObject({ result: 'warning', score: 87.5 });
    expect(out.message).toBe('Evaluation returned a warning: the calculated score of 87.5 is close to the warning target value of 75');
  });

  it('weights: a warning (0.5 × 2 = 1) + b pass (1) + c pass (1) = 3 / 4 = 75 % → warning (≥ 75 inclusive)', () => {
    expect(scoreEvaluation(weighted, [ok('a', 15), ok('b', 1), ok('c', 1)], [])).toMatchObject({
      result: 'warning',
      score: 75,
    });
  });

  it('weights: a fail (0) + b pass + c pass = 2 / 4 = 50 % → fail; all pass = 4 / 4 = 100 % → pass', () => {
    expect(scoreEvaluation(weighted, [ok('a', 30), ok('b', 1), ok('c', 1)], [])).toMatchObject({ result: 'fail', score: 50 });
    expect(scoreEvaluation(weighted, [ok('a', 1), ok('b', 1), ok('c', 1)], [])).toMatchObject({ result: 'pass', score: 100 });
  });

  it('without a warning percentage a score below pass is a plain fail', () => {
    const slo = parseSlo(
      'objectives: [{sli: a, pass: [{criteria: ["<10"]}]}, {sli: b, pass: [{criteria: ["<10"]}]}]\ntotal_score: {pass: "90%"}',
    );
    // 1 / 2 = 50 %.
    const out = scoreEvaluation(slo, [ok('a', 1), ok('b', 11)], []);
    expect(out).toMatchObject({ result: 'fail', score: 50 });
    expect(out.message).toBe('Evaluation failed since the calculated score of 50 is below the target value of 90');
  });

  const keyed = parseSlo(`objectives:
  - sli: a
    displayName: Availability
    key_sli: true
    pass: [{criteria: [">=99"]}]
    warning: [{criteria: [">=95"]}]
  - sli: b
    weight: 9
    pass: [{criteria: ["<10"]}]
total_score: {pass: "90%", warning: "75%"}
`);

  it('a failing key SLI fails the evaluation although 9 / 10 = 90 % reaches pass', () => {
    const out = scoreEvaluation(keyed, [ok('a', 90), ok('b', 1)], []);
    expect(out).toMatchObject({ result: 'fail', score: 90 });
    expect(out.indicatorResults[0]).toMatchObject({ status: 'fail', keySli: true, displayName: 'Availability' });
    expect(out.message).toBe("Evaluation failed due to key_sli objective 'Availability': failed evaluation with score 0.000000");
  });

  it('a key SLI in warning does not fail the evaluation: (0.5 + 9) / 10 = 95 % → pass', () => {
    expect(scoreEvaluation(keyed, [ok('a', 96), ok('b', 1)], [])).toMatchObject({ result: 'pass', score: 95 });
  });

  it('a missing key SLI fails closed and says which', () => {
    const out = scoreEvaluation(keyed, [ok('b', 1)], []);
    expect(out).toMatchObject({ result: 'fail', score: 90 });
    expect(out.indicatorResults[0]).toMatchObject({
      status: 'fail',
      score: 0,
      value: { metric: 'a', success: false, message: 'no value received from SLI provider' },
      passTargets: [{ criteria: '>=99', targetValue: 99, violated: true }],
      warningTargets: [{ criteria: '>=95', targetValue: 95, violated: true }],
    });
    expect(out.message).toBe(
      "Evaluation failed due to key_sli objective 'Availability': no value received from SLI provider SLI 'a' failed: no value received from SLI provider.",
    );
  });

  it('a missing SLI value fails its objective: 0 / 1 = 0 % → fail, naming the SLI', () => {
    const out = scoreEvaluation(EXAMPLE, [], [prev(ok('response_time_p95', 500))]);
    expect(out).toMatchObject({ result: 'fail', score: 0 });
    expect(out.indicatorResults[0]).toMatchObject({
      status: 'fail',
      value: { metric: 'response_time_p95', success: false, message: 'no value received from SLI provider' },
      // Not evaluated: every target violated; a relative target shows the aggregate (Keptn getEmptyTargets).
      passTargets: [
        { criteria: '<=+10%', targetValue: 500, violated: true },
        { criteria: '<600', targetValue: 600, violated: true },
      ],
    });
    expect(out.message).toContain("SLI 'response_time_p95' failed: no value received from SLI provider.");
  });

  it('an unsuccessful SLI value fails its objective with the provider message', () => {
    const failed: SliValue = { metric: 'response_time_p95', value: 0, success: false, message: 'prometheus: timeout' };
    const out = scoreEvaluation(EXAMPLE, [failed], []);
    expect(out).toMatchObject({ result: 'fail', score: 0 });
    expect(out.indicatorResults[0]?.value).toEqual({
      metric: 'response_time_p95',
      value: 0,
      success: false,
      message: 'prometheus: timeout',
    });
    expect(out.message).toContain("SLI 'response_time_p95' failed: prometheus: timeout.");
  });

  it('an objective without pass criteria is info and not scored: b 1 / 1 = 100 %', () => {
    const slo = parseSlo(`objectives:
  - sli: info_only
    warning: [{criteria: ["<5"]}]
  - sli: b
    pass: [{criteria: ["<10"]}]
total_score: {pass: "90%"}
`);
    // info_only = 50 would fail any criterion; it does not count.
    const out = scoreEvaluation(slo, [ok('info_only', 50), ok('b', 1)], []);
    expect(out).toMatchObject({ result: 'pass', score: 100 });
    expect(out.indicatorResults[0]).toEqual({
      score: 0,
      status: 'info',
      displayName: '',
      keySli: false,
      value: { metric: 'info_only', value: 50, success: true, message: '' },
      passTargets: [],
      warningTargets: [{ criteria: '<5', targetValue: 5, violated: true }],
    });
    // A missing info value does not fail the evaluation either.
    expect(scoreEvaluation(slo, [ok('b', 1)], []).result).toBe('pass');
  });

  it('only info objectives: score 100 and pass (Keptn: nothing achievable)', () => {
    const slo = parseSlo('objectives: [{sli: a}, {sli: b}]\ntotal_score: {pass: "90%"}');
    expect(scoreEvaluation(slo, [ok('a', 1)], [])).toMatchObject({ result: 'pass', score: 100 });
  });

  it('no objectives at all: fail with score 0', () => {
    expect(scoreEvaluation(parseSlo('total_score: {pass: "90%"}'), [ok('a', 1)], [])).toEqual({
      result: 'fail',
      score: 0,
      indicatorResults: [],
      message: 'lighthouse failed because no SLO objective was provided',
    });
  });

  it('reports SLI values that no objective names', () => {
    const out = scoreEvaluation(EXAMPLE, [ok('response_time_p95', 1), ok('throughput', 5), ok('errors', 0)], []);
    expect(out.result).toBe('pass');
    expect(out.message).toBe(
      'Lighthouse received additional SLIs, which are not specified as SLO: throughput, errors . Please consider using them as an SLO.',
    );
  });
});
