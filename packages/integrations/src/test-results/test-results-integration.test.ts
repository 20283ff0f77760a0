/**
 * A quality gate with no monitoring system, end to end: a real `shipmate server` process (built by
 * `npm test` first) with its built-in lighthouse-service, the http-test-service and the
 * test-results SLI provider written into the test, sample services with a known delay, a project
 * whose SLI provider is `test-results` (monitoring.configure) and an `slo.yaml`; the delivery
 * sequence runs `test` then `evaluation`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntegration, silentLogger } from '@shipmate/agent-sdk';
import type { Integration } from '@shipmate/agent-sdk';
import type { KeptnEvent } from '@shipmate/core';
import { KeptnApiClient, createSampleService, startServerProcess, waitFor } from '@shipmate/testing';
import type { SampleService, ServerProcess } from '@shipmate/testing';
import { HTTP_TEST_SERVICE, withHttpTest } from '../http-test/http-test-integration.js';
import { TEST_RESULTS_SERVICE, withTestResults } from './test-results-integration.js';

const SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: gated
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks:
            - name: test
              properties:
                teststrategy: performance
            - name: evaluation
        - name: evaluation
          tasks:
            - name: evaluation
`;

const WORKLOADS = `workloads:
  - teststrategy: performance
    vuser: 2
    loopcount: 10
`;

const SLO = `spec_version: "1.0"
comparison:
  compare_with: single_result
  include_result_with_score: pass
  aggregate_function: avg
objectives:
  - sli: response_time_p95
    pass:
      - criteria: ["<200"]
  - sli: error_rate
    pass:
      - criteria: ["<=0.05"]
total_score:
  pass: "90%"
  warning: "75%"
`;

let server: ServerProcess;
let api: KeptnApiClient;
let integrations: Integration[] = [];
let fast: SampleService;
let slow: SampleService;
let services = 0;

beforeAll(async () => {
  [server, fast, slow] = await Promise.all([
    startServerProcess(),
    createSampleService({ latency: 20, requestsPerSecond: 0 }),
    createSampleService({ latency: 400, requestsPerSecond: 0 }),
  ]);
  api = new KeptnApiClient(server.url, server.token);
  await api.createProject('gated', SHIPYARD);
  await api.sendEvent({
    type: 'sh.keptn.event.monitoring.configure',
    source: 'test',
    data: { project: 'gated', type: 'test-results', service: 'any' },
  });
  const make = (name: string): Integration =>
    createIntegration({
      name,
      controlPlane: { endpoint: `${server.url}/api`, token: server.token },
      handleSignals: false,
      logger: silentLogger,
    });
  integrations = [withHttpTest(make(HTTP_TEST_SERVICE)), withTestResults(make(TEST_RESULTS_SERVICE))];
  await Promise.all(integrations.map((i) => i.start()));
});

afterAll(async () => {
  await Promise.all(integrations.map((i) => i.stop()));
  await Promise.all([fast?.stop(), slow?.stop()]);
  expect(await server?.stop()).toBe(0);
});

async function newService(slo = SLO): Promise<string> {
  const service = `svc-${++services}`;
  await api.createService('gated', service);
  await api.putResource({ project: 'gated', stage: 'dev', service }, 'slo.yaml', slo);
  await api.putResource({ project: 'gated', stage: 'dev', service }, 'test/workloads.yaml', WORKLOADS);
  return service;
}

async function finishedOf(context: string, task: string): Promise<{ finished: KeptnEvent; events: KeptnEvent[] }> {
  return waitFor(
    `${task}.finished`,
    async () => {
      const events = await api.contextEvents('gated', context);
      const finished = events.find((e) => e.type === `sh.keptn.event.${task}.finished`);
      return finished && { finished, events };
    },
    60_000,
  );
}

/** Runs the delivery (test → evaluation) against `url`; returns the context's events once the evaluation finished. */
async function deliver(service: string, url: string): Promise<{ finished: KeptnEvent; events: KeptnEvent[] }> {
  const context = await api.triggerSequence('gated', 'dev', 'delivery', service, { deployment: { deploymentURIsLocal: [url] } });
  return finishedOf(context, 'evaluation');
}

type Evaluation = {
  result: string;
  timeStart: string;
  timeEnd: string;
  indicatorResults: Array<{ status: string; value: { metric: string; value: number; success: boolean; message: string } }>;
};
const evaluationOf = (event: KeptnEvent) => event.data.evaluation as Evaluation;

describe('test-results SLI provider', () => {
  it('passes the quality gate of a fast service from the figures of its test, over the test window', async () => {
    const { finished, events } = await deliver(await newService(), `${fast.url}/work`);
    expect(finished.data).toMatchObject({ status: 'succeeded', result: 'pass' });
    const test = events.find((e) => e.type === 'sh.keptn.event.test.finished');
    const figures = test?.data.test as { start: string; end: string; latencyP95Ms: number; errorRate: number };
    const evaluation = evaluationOf(finished);
    expect(evaluation).toMatchObject({ timeStart: figures.start, timeEnd: figures.end });
    expect(evaluation.indicatorResults.map((r) => [r.value.metric, r.value.value, r.status])).toEqual([
      ['response_time_p95', figures.latencyP95Ms, 'pass'],
      ['error_rate', 0, 'pass'],
    ]);
    const answer = events.find((e) => e.type === 'sh.keptn.event.get-sli.finished');
    expect(answer?.source).toBe(TEST_RESULTS_SERVICE);
  });

  it('fails the quality gate of a slow service', async () => {
    const { finished } = await deliver(await newService(), `${slow.url}/work`);
    expect(finished.data).toMatchObject({ status: 'succeeded', result: 'fail' });
    const p95 = evaluationOf(finished).indicatorResults.find((r) => r.value.metric === 'response_time_p95');
    expect(p95).toMatchObject({ status: 'fail', value: { success: true } });
    expect(p95?.value.value).toBeGreaterThanOrEqual(400);
  });

  it('fails an indicator it does not know, listing the ones it knows', async () => {
    const slo = SLO.replace('sli: error_rate', 'sli: response_time_p90');
    const { finished } = await deliver(await newService(slo), `${fast.url}/work`);
    expect(finished.data).toMatchObject({ result: 'fail' });
    const unknown = evaluationOf(finished).indicatorResults.find((r) => r.value.metric === 'response_time_p90');
    expect(unknown?.value).toMatchObject({ success: false });
    expect(unknown?.value.message).toMatch(
      /indicator 'response_time_p90' is not a test result; the test-results provider knows response_time_p50, response_time_p95, response_time_p99, throughput, error_rate/,
    );
  });

  it('errors when no test ran in the sequence, saying to run one before the evaluation', async () => {
    const service = await newService();
    const context = await api.triggerSequence('gated', 'dev', 'evaluation', service, { evaluation: { timeframe: '5m' } });
    const { finished, events } = await finishedOf(context, 'evaluation');
    expect(finished.data).toMatchObject({ result: 'fail', status: 'errored' });
    expect(String(finished.data.message)).toMatch(/run a test task \(e\.g\. with the http-test-service\) before the evaluation/);
    const answer = events.find((e) => e.type === 'sh.keptn.event.get-sli.finished');
    expect(answer).toMatchObject({ source: TEST_RESULTS_SERVICE, data: { status: 'errored', result: 'fail' } });
  });
});
