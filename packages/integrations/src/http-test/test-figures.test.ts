import { describe, expect, it } from 'vitest';
import { parseWorkloads } from './parse-workloads.js';
import type { Check, Workload } from './parse-workloads.js';
import { checkResponse, computeFigures, judge, percentile } from './test-figures.js';
import type { Sample, TestFigures } from './test-figures.js';

describe('percentile', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  it.each([
    { values: [], p: 50, want: undefined },
    { values: [7], p: 99, want: 7 },
    { values: [1, 2, 3, 4], p: 50, want: 2 },
    { values: hundred, p: 50, want: 50 },
    { values: hundred, p: 95, want: 95 },
    { values: hundred, p: 99, want: 99 },
    { values: hundred, p: 0, want: 1 },
    { values: hundred, p: 100, want: 100 },
  ])('nearest rank p$p of $values.length values is $want', ({ values, p, want }) => {
    expect(percentile(values, p)).toBe(want);
  });
});

describe('computeFigures', () => {
  it.each<{ name: string; samples: Sample[]; durationMs: number; want: TestFigures }>([
    {
      name: 'no request',
      samples: [],
      durationMs: 1000,
      want: { throughputRps: 0, errorRate: 0, requests: 0, errors: 0 },
    },
    {
      name: 'responses and failures; latency figures only from responses',
      samples: [{ latencyMs: 10 }, { latencyMs: 30 }, { latencyMs: 20, failure: 'status 500' }, { failure: 'no response (ECONNRESET)' }],
      durationMs: 2000,
      want: {
        latencyP50Ms: 20,
        latencyP95Ms: 30,
        latencyP99Ms: 30,
        latencyAvgMs: 20,
        throughputRps: 2,
        errorRate: 0.5,
        requests: 4,
        errors: 2,
      },
    },
    {
      name: 'only failures without response: no latency figures',
      samples: [{ failure: 'no response' }],
      durationMs: 500,
      want: { throughputRps: 2, errorRate: 1, requests: 1, errors: 1 },
    },
    {
      name: 'rounded to two decimals (error rate to four)',
      samples: [{ latencyMs: 1.23456 }, { latencyMs: 1.23456 }, { latencyMs: 1.23456, failure: 'x' }],
      durationMs: 3000,
      want: {
        latencyP50Ms: 1.23,
        latencyP95Ms: 1.23,
        latencyP99Ms: 1.23,
        latencyAvgMs: 1.23,
        throughputRps: 1,
        errorRate: 0.3333,
        requests: 3,
        errors: 1,
      },
    },
  ])('$name', ({ samples, durationMs, want }) => {
    expect(computeFigures(samples, durationMs)).toEqual(want);
  });
});

describe('checkResponse', () => {
  const ok = { status: 200, body: 'done', latencyMs: 40 };
  it.each<{ name: string; checks: Check[]; response: typeof ok; want: string | undefined }>([
    { name: 'no checks: a 2xx passes', checks: [], response: ok, want: undefined },
    { name: 'no checks: a 3xx passes', checks: [], response: { ...ok, status: 302 }, want: undefined },
    { name: 'no checks: 400 and above fail', checks: [], response: { ...ok, status: 503 }, want: 'status 503' },
    {
      name: 'a status check replaces the default',
      checks: [{ kind: 'status', statuses: [404] }],
      response: { ...ok, status: 404 },
      want: undefined,
    },
    {
      name: 'a status check fails another status',
      checks: [{ kind: 'status', statuses: [200, 201] }],
      response: { ...ok, status: 500 },
      want: 'status 500, expected 200 or 201',
    },
    { name: 'bodyContains passes', checks: [{ kind: 'bodyContains', text: 'don' }], response: ok, want: undefined },
    { name: 'bodyContains fails', checks: [{ kind: 'bodyContains', text: 'ok' }], response: ok, want: "body does not contain 'ok'" },
    { name: 'maxLatencyMs passes at the limit', checks: [{ kind: 'maxLatencyMs', ms: 40 }], response: ok, want: undefined },
    {
      name: 'maxLatencyMs fails above',
      checks: [{ kind: 'maxLatencyMs', ms: 20 }],
      response: { ...ok, latencyMs: 52.345 },
      want: 'took 52.35 ms, more than maxLatencyMs 20',
    },
    {
      name: 'every broken check is named',
      checks: [
        { kind: 'bodyContains', text: 'ok' },
        { kind: 'maxLatencyMs', ms: 1 },
      ],
      response: { ...ok, status: 500 },
      want: "status 500, body does not contain 'ok', took 40 ms, more than maxLatencyMs 1",
    },
  ])('$name', ({ checks, response, want }) => {
    expect(checkResponse(checks, response)).toBe(want);
  });
});

describe('judge', () => {
  const [performance, functional, strict] = parseWorkloads(
    `workloads:
  - teststrategy: performance
    acceptederrorrate: 0.1
  - teststrategy: functional
    acceptederrorrate: 0.5
  - teststrategy: strict
    avgrtvalidation: 100
`,
    'test/workloads.yaml',
  ) as [Workload, Workload, Workload];
  const figures = (fields: Partial<TestFigures>): TestFigures => ({
    latencyP50Ms: 50,
    latencyP95Ms: 60,
    latencyP99Ms: 70,
    latencyAvgMs: 52,
    throughputRps: 10,
    errorRate: 0,
    requests: 100,
    errors: 0,
    ...fields,
  });

  it.each([
    {
      name: 'performance passes with errors within acceptederrorrate',
      workload: performance,
      strategy: 'performance',
      figures: figures({ errorRate: 0.1, errors: 10 }),
      result: 'pass',
      message: /^workload 'performance' passed: 100 request\(s\), error rate 0\.1, p50 50 ms, p95 60 ms, 10 requests\/s$/,
    },
    {
      name: 'performance fails above acceptederrorrate, naming it and the first failure',
      workload: performance,
      strategy: 'performance',
      figures: figures({ errorRate: 0.11, errors: 11 }),
      result: 'fail',
      message:
        /^error rate 0\.11 \(11 of 100 requests\) is above acceptederrorrate 0\.1 of workload 'performance'; first failure: GET http:\/\/s\/: status 500$/,
    },
    {
      name: 'functional fails on any failed request, whatever acceptederrorrate says',
      workload: functional,
      strategy: 'functional',
      figures: figures({ errorRate: 0.01, errors: 1 }),
      result: 'fail',
      message: /^functional test failed: 1 of 100 request\(s\) failed; first failure: GET http:\/\/s\/: status 500$/,
    },
    {
      name: 'functional passes without failures',
      workload: functional,
      strategy: 'functional',
      figures: figures({}),
      result: 'pass',
      message: /passed/,
    },
    {
      name: 'avgrtvalidation fails a slow average',
      workload: strict,
      strategy: 'strict',
      figures: figures({ latencyAvgMs: 100.5 }),
      result: 'fail',
      message: /^average response time 100\.5 ms is above avgrtvalidation 100 ms of workload 'strict'$/,
    },
    {
      name: 'avgrtvalidation passes an average at the limit',
      workload: strict,
      strategy: 'strict',
      figures: figures({ latencyAvgMs: 100 }),
      result: 'pass',
      message: /passed/,
    },
    {
      name: 'both criteria failing are both named',
      workload: strict,
      strategy: 'strict',
      figures: figures({ latencyAvgMs: 200, errorRate: 0.5, errors: 50 }),
      result: 'fail',
      message: /acceptederrorrate 0 of workload 'strict'.*; average response time 200 ms is above avgrtvalidation 100 ms/,
    },
    {
      name: 'no request fails',
      workload: performance,
      strategy: 'performance',
      figures: { throughputRps: 0, errorRate: 0, requests: 0, errors: 0 },
      result: 'fail',
      message: /sent no request/,
    },
  ])('$name', ({ workload, strategy, figures: measured, result, message }) => {
    const verdict = judge(workload, strategy, measured, measured.errors > 0 ? 'GET http://s/: status 500' : undefined);
    expect(verdict.result).toBe(result);
    expect(verdict.message).toMatch(message);
  });
});
