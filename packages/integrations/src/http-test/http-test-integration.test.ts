/**
 * The http-test-service against a real `shipmate server` process (built by `npm test` first) and
 * local sample services with a known delay that get no traffic but the test's: the figures it
 * reports, the checks and criteria that fail a test, Keptn's strategies (empty, real-user,
 * unknown) and every bad input it refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntegration, silentLogger } from '@shipmate/agent-sdk';
import type { Integration } from '@shipmate/agent-sdk';
import type { KeptnEvent } from '@shipmate/core';
import { KeptnApiClient, createSampleService, startServerProcess, waitFor } from '@shipmate/testing';
import type { SampleService, ServerProcess } from '@shipmate/testing';
import { HTTP_TEST_SERVICE, withHttpTest } from './http-test-integration.js';

const SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: tests
spec:
  stages:
    - name: dev
      sequences:
        - name: test
          tasks:
            - name: test
`;

let server: ServerProcess;
let api: KeptnApiClient;
let tester: Integration;
let fast: SampleService;
let slow: SampleService;
let services = 0;

beforeAll(async () => {
  [server, fast, slow] = await Promise.all([
    startServerProcess({ env: { SHIPMATE_BUILT_IN_INTEGRATIONS: 'none' } }),
    createSampleService({ latency: 50, requestsPerSecond: 0 }),
    createSampleService({ latency: 300, requestsPerSecond: 0 }),
  ]);
  api = new KeptnApiClient(server.url, server.token);
  await api.createProject('tests', SHIPYARD);
  tester = withHttpTest(
    createIntegration({
      name: HTTP_TEST_SERVICE,
      controlPlane: { endpoint: `${server.url}/api`, token: server.token },
      handleSignals: false,
      logger: silentLogger,
    }),
  );
  await tester.start();
});

afterAll(async () => {
  await tester?.stop();
  await Promise.all([fast?.stop(), slow?.stop()]);
  expect(await server?.stop()).toBe(0);
});

async function newService(files: Record<string, string> = {}): Promise<string> {
  const service = `svc-${++services}`;
  await api.createService('tests', service);
  for (const [uri, content] of Object.entries(files)) await api.putResource({ project: 'tests', stage: 'dev', service }, uri, content);
  return service;
}

/** Runs the test sequence with `data` and returns the context's events once test.finished is there. */
async function runTest(service: string, data: Record<string, unknown>): Promise<{ finished: KeptnEvent; events: KeptnEvent[] }> {
  const context = await api.triggerSequence('tests', 'dev', 'test', service, data);
  return waitFor(
    'test.finished',
    async () => {
      const events = await api.contextEvents('tests', context);
      const finished = events.find((e) => e.type === 'sh.keptn.event.test.finished');
      return finished && { finished, events };
    },
    60_000,
  );
}

const at = (url: string, teststrategy?: string): Record<string, unknown> => ({
  deployment: { deploymentURIsLocal: [url] },
  ...(teststrategy === undefined ? {} : { test: { teststrategy } }),
});

type TestBlock = {
  teststrategy: string;
  start: string;
  end: string;
  latencyP50Ms: number;
  latencyP95Ms: number;
  latencyP99Ms: number;
  throughputRps: number;
  errorRate: number;
  requests: number;
};
const testOf = (event: KeptnEvent) => event.data.test as TestBlock;

describe('http-test-service', () => {
  it('measures a service with a 50 ms delay: p50 around 50 ms, no errors, the window of the run, pass', async () => {
    const service = await newService({
      'test/workloads.yaml': `workloads:
  - teststrategy: performance
    vuser: 4
    loopcount: 10
    requests:
      - path: /work
    checks:
      - status: 200
      - bodyContains: done
`,
    });
    const triggeredAt = Date.now();
    const { finished, events } = await runTest(service, at(`${fast.url}/work`, 'performance'));
    expect(finished.source).toBe(HTTP_TEST_SERVICE);
    expect(finished.data).toMatchObject({ status: 'succeeded', result: 'pass' });
    expect(String(finished.data.message)).toMatch(
      /^teststrategy 'performance' against http:\/\/127\.0\.0\.1:\d+\/work: workload 'performance' passed: 40 request\(s\), error rate 0/,
    );
    const test = testOf(finished);
    expect(test).toMatchObject({ teststrategy: 'performance', errorRate: 0, requests: 40 });
    expect(test.latencyP50Ms).toBeGreaterThanOrEqual(45);
    expect(test.latencyP50Ms).toBeLessThan(500);
    expect(test.latencyP95Ms).toBeGreaterThanOrEqual(test.latencyP50Ms);
    expect(test.latencyP99Ms).toBeGreaterThanOrEqual(test.latencyP95Ms);
    expect(test.throughputRps).toBeGreaterThan(0);
    expect(test.start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(test.start)).toBeGreaterThanOrEqual(triggeredAt);
    expect(Date.parse(test.end)).toBeGreaterThan(Date.parse(test.start));
    expect(events.some((e) => e.type === 'sh.keptn.event.test.started' && e.source === HTTP_TEST_SERVICE)).toBe(true);
  });

  it('fails a functional test whose check fails, naming the request and the check', async () => {
    const service = await newService({
      'test/workloads.yaml': `workloads:
  - teststrategy: functional
    requests:
      - path: /work
        checks:
          - bodyContains: welcome
`,
    });
    const { finished } = await runTest(service, at(`${fast.url}/work`, 'functional'));
    expect(finished.data).toMatchObject({ status: 'succeeded', result: 'fail' });
    expect(String(finished.data.message)).toMatch(
      /functional test failed: 1 of 1 request\(s\) failed; first failure: GET http:\/\/127\.0\.0\.1:\d+\/work: body does not contain 'welcome'/,
    );
    expect(testOf(finished)).toMatchObject({ errorRate: 1, requests: 1 });
  });

  it("fails a slow service on Keptn's avgrtvalidation from jmeter/jmeter.conf.yaml, and passes the fast one with the same file", async () => {
    const conf = `spec_version: '0.1.0'
workloads:
  - teststrategy: performance
    vuser: 2
    loopcount: 3
    script: jmeter/load.jmx
    acceptederrorrate: 0.1
    avgrtvalidation: 200
`;
    const slowFinished = (await runTest(await newService({ 'jmeter/jmeter.conf.yaml': conf }), at(`${slow.url}/work`, 'performance')))
      .finished;
    expect(slowFinished.data).toMatchObject({ status: 'succeeded', result: 'fail' });
    expect(String(slowFinished.data.message)).toMatch(
      /average response time [\d.]+ ms is above avgrtvalidation 200 ms of workload 'performance'/,
    );
    expect(testOf(slowFinished).latencyP50Ms).toBeGreaterThanOrEqual(300);

    const fastFinished = (await runTest(await newService({ 'jmeter/jmeter.conf.yaml': conf }), at(`${fast.url}/work`, 'performance')))
      .finished;
    expect(fastFinished.data).toMatchObject({ status: 'succeeded', result: 'pass' });
  });

  it('runs the health check only when the strategy is empty (a GET of the deployment URI)', async () => {
    const { finished } = await runTest(await newService(), at(`${fast.url}/work`));
    expect(finished.data).toMatchObject({ status: 'succeeded', result: 'pass' });
    expect(String(finished.data.message)).toMatch(
      /^health check of http:\/\/127\.0\.0\.1:\d+\/work: workload 'healthcheck' passed: 1 request/,
    );
    expect(testOf(finished)).toMatchObject({ teststrategy: '', requests: 1, errorRate: 0 });
  });

  it('fails when the health check fails, without running the strategy', async () => {
    const { finished } = await runTest(await newService(), at(`${fast.url}/missing`, 'performance'));
    expect(finished.data).toMatchObject({ status: 'succeeded', result: 'fail' });
    expect(String(finished.data.message)).toMatch(
      /^health check of http:\/\/127\.0\.0\.1:\d+\/missing failed, so teststrategy 'performance' did not run: error rate 1 .*status 404/,
    );
    expect(testOf(finished).requests).toBe(1);
  });

  it('takes deploymentURIsPublic when there is no local URI', async () => {
    const { finished } = await runTest(await newService(), {
      deployment: { deploymentURIsLocal: [], deploymentURIsPublic: [`${fast.url}/work`] },
    });
    expect(finished.data).toMatchObject({ result: 'pass' });
  });

  it('ignores real-user tests: no event at all (Keptn)', async () => {
    const ignored = await api.triggerSequence('tests', 'dev', 'test', await newService(), at(`${fast.url}/work`, 'real-user'));
    // A test triggered after it has finished (another service: a sequence of the same service would
    // queue behind the open one), so the integration has been handed the real-user task by then.
    await runTest(await newService(), at(`${fast.url}/work`));
    const events = await api.contextEvents('tests', ignored);
    expect(events.map((e) => e.type)).toContain('sh.keptn.event.test.triggered');
    expect(events.filter((e) => e.source === HTTP_TEST_SERVICE)).toEqual([]);
  });

  describe('refuses bad input with an errored test', () => {
    it('without a deployment URI, naming both fields', async () => {
      const { finished } = await runTest(await newService(), { test: { teststrategy: 'functional' } });
      expect(finished.data).toMatchObject({ status: 'errored', result: 'fail' });
      expect(String(finished.data.message)).toMatch(/data\.deployment\.deploymentURIsLocal nor data\.deployment\.deploymentURIsPublic/);
    });

    it('with an unknown strategy, naming it and the strategies of the file', async () => {
      const service = await newService({
        'test/workloads.yaml': 'workloads:\n  - teststrategy: smoke\n  - teststrategy: soak\n    duration: 5s\n',
      });
      const { finished } = await runTest(service, at(`${fast.url}/work`, 'Stress'));
      expect(finished.data).toMatchObject({ status: 'errored', result: 'fail' });
      expect(String(finished.data.message)).toMatch(
        /teststrategy 'stress' has no workload: test\/workloads\.yaml \(service level\) has smoke, soak, and the built-in ones are healthcheck, performance, functional; add a workload with 'teststrategy: stress' to test\/workloads\.yaml/,
      );
    });

    it.each([
      {
        field: 'vuser',
        file: 'test/workloads.yaml',
        yaml: 'workloads:\n  - teststrategy: performance\n    vuser: -3\n',
        message: /test\/workloads\.yaml \(service level\) line 3: .*\.vuser '-3' is not valid: .*at least 1/,
      },
      {
        field: 'an unknown key',
        file: 'jmeter/jmeter.conf.yaml',
        yaml: 'workloads:\n  - teststrategy: performance\n    users: 3\n',
        message: /jmeter\/jmeter\.conf\.yaml \(service level\) line 3: .*unknown key 'users'; the keys are/,
      },
      {
        field: 'a check kind',
        file: 'test/workloads.yaml',
        yaml: 'workloads:\n  - teststrategy: performance\n    checks:\n      - jsonPath: $.ok\n',
        message: /line 4: .*has unknown check kind 'jsonPath'; the kinds are status, bodyContains, maxLatencyMs/,
      },
    ])('with a workload file with a bad $field, naming the file, the line, the field and the fix', async ({ file, yaml, message }) => {
      const { finished } = await runTest(await newService({ [file]: yaml }), at(`${fast.url}/work`, 'performance'));
      expect(finished.data).toMatchObject({ status: 'errored', result: 'fail' });
      expect(String(finished.data.message)).toMatch(message);
    });
  });
});
