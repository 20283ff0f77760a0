/**
 * The built-in lighthouse-service in a real `shipmate server` process (built by `npm test` first),
 * with an SLI provider written with the SDK in this test: quality gates that pass, warn and fail,
 * comparison with earlier evaluations and invalidation, and every fail-closed case.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntegration, silentLogger } from '@shipmate/agent-sdk';
import type { Integration } from '@shipmate/agent-sdk';
import type { KeptnEvent } from '@shipmate/core';
import { KeptnApiClient, startServerProcess, waitFor } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';
import { NO_SLO_MESSAGE } from './lighthouse-integration.js';

const SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: gates
spec:
  stages:
    - name: dev
      sequences:
        - name: evaluation
          tasks:
            - name: evaluation
        - name: delivery
          tasks:
            - name: test
            - name: evaluation
            - name: release
`;

const KEPTN_SLO = readFileSync(new URL('../../../../fixtures/keptn-compat/examples/slo-quality-gates.yaml', import.meta.url), 'utf8');

/** What the test provider answers per service: values, or a failure. */
type Answer = { values: Array<{ metric: string; value: number; success?: boolean; message?: string }> } | { error: string } | 'silent';
const answers = new Map<string, Answer>();
const asked: KeptnEvent[] = [];

let server: ServerProcess;
let api: KeptnApiClient;
let provider: Integration;
let services = 0;

beforeAll(async () => {
  server = await startServerProcess({ env: { SHIPMATE_BUILT_IN_INTEGRATIONS: 'lighthouse-service' } });
  api = new KeptnApiClient(server.url, server.token);
  await api.createProject('gates', SHIPYARD);
  provider = createIntegration({
    name: 'test-sli-provider',
    controlPlane: { endpoint: `${server.url}/api`, token: server.token },
    handleSignals: false,
    logger: silentLogger,
  }).onTask(
    'get-sli',
    (task) => {
      asked.push(task.event);
      const answer = answers.get(String(task.data.service));
      if (answer === undefined || answer === 'silent') return new Promise(() => undefined);
      if ('error' in answer) throw new Error(answer.error);
      const request = task.data['get-sli'] as { start: string; end: string };
      return {
        'get-sli': {
          start: request.start,
          end: request.end,
          indicatorValues: answer.values.map((v) => ({ success: true, message: '', ...v })),
        },
      };
    },
    { accepts: (event) => (event.data['get-sli'] as { sliProvider?: string } | undefined)?.sliProvider === 'testprovider' },
  );
  await provider.start();
});

afterAll(async () => {
  await provider?.stop();
  expect(await server.stop()).toBe(0);
});

async function newService(slo?: string): Promise<string> {
  const service = `svc-${++services}`;
  await api.createService('gates', service);
  if (slo !== undefined) await api.putResource({ project: 'gates', stage: 'dev', service }, 'slo.yaml', slo);
  return service;
}

async function configureProvider(type: string): Promise<void> {
  await api.sendEvent({ type: 'sh.keptn.event.monitoring.configure', source: 'test', data: { project: 'gates', type, service: 'any' } });
}

/** Runs the stage's evaluation sequence over the last 5 minutes and returns its evaluation.finished. */
async function evaluate(service: string): Promise<KeptnEvent> {
  const response = await api.request<{ keptnContext: string }>(
    'POST',
    `/api/controlPlane/v1/project/gates/stage/dev/service/${service}/evaluation`,
    {
      timeframe: '5m',
    },
  );
  expect(response.status).toBe(200);
  const context = response.body.keptnContext;
  return waitFor(
    'evaluation.finished',
    async () => (await api.contextEvents('gates', context)).find((e) => e.type === 'sh.keptn.event.evaluation.finished'),
    30_000,
  );
}

type Evaluation = {
  result: string;
  score: number;
  comparedEvents: string[];
  sloFileContent: string;
  indicatorResults: Array<{
    status: string;
    value: { metric: string; value: number; comparedValue?: number; success: boolean; message: string };
  }>;
};
const evaluationOf = (event: KeptnEvent) => event.data.evaluation as Evaluation;

describe('lighthouse-service', () => {
  it('passes with Keptn message when the project has neither an SLO file nor an SLI provider', async () => {
    const finished = await evaluate(await newService());
    expect(finished.source).toBe('lighthouse-service');
    expect(finished.data).toMatchObject({ result: 'pass', status: 'succeeded', message: NO_SLO_MESSAGE });
  });

  describe('with an SLI provider configured by monitoring.configure', () => {
    beforeAll(async () => {
      await configureProvider('testprovider');
    });

    it('asks the provider for the SLO indicators in the window as a sub-task and scores its values', async () => {
      const service = await newService(KEPTN_SLO);
      answers.set(service, { values: [{ metric: 'response_time_p95', value: 420 }] });
      const finished = await evaluate(service);
      expect(finished.data).toMatchObject({ result: 'pass', status: 'succeeded' });
      const evaluation = evaluationOf(finished);
      expect(evaluation).toMatchObject({ result: 'pass', score: 100, comparedEvents: [] });
      expect(Buffer.from(evaluation.sloFileContent, 'base64').toString()).toBe(KEPTN_SLO);
      expect(evaluation.indicatorResults).toEqual([
        expect.objectContaining({
          status: 'pass',
          value: expect.objectContaining({ metric: 'response_time_p95', value: 420, success: true }),
        }),
      ]);
      const request = asked.find((e) => e.data.service === service);
      expect(request?.shkeptncontext).toBe(finished.shkeptncontext);
      const getSli = request?.data['get-sli'] as { sliProvider: string; indicators: string[]; start: string; end: string };
      expect(getSli).toMatchObject({ sliProvider: 'testprovider', indicators: ['response_time_p95'] });
      expect(Date.parse(getSli.end) - Date.parse(getSli.start)).toBe(5 * 60 * 1000);
    });

    it('compares with the earlier passed evaluation (relative criteria), and leaves out an invalidated one', async () => {
      const service = await newService(KEPTN_SLO);
      answers.set(service, { values: [{ metric: 'response_time_p95', value: 400 }] });
      const first = await evaluate(service);
      expect(first.data.result).toBe('pass');

      // +25 % against the earlier 400: the relative pass criterion <=+10 % is violated and <=800 makes the
      // objective a warning (half its weight): a score of 50, below the 75 % warning target, so fail.
      answers.set(service, { values: [{ metric: 'response_time_p95', value: 500 }] });
      const second = await evaluate(service);
      expect(evaluationOf(second)).toMatchObject({ result: 'fail', score: 50, comparedEvents: [first.id] });
      expect(evaluationOf(second).indicatorResults[0]?.status).toBe('warning');
      expect(evaluationOf(second).indicatorResults[0]?.value.comparedValue).toBe(400);

      // Without the first (invalidated) no evaluation passed before: the relative criterion has nothing to compare with and passes.
      await api.sendEvent({
        type: 'sh.keptn.event.evaluation.invalidated',
        source: 'test',
        shkeptncontext: first.shkeptncontext,
        triggeredid: first.triggeredid,
        data: { project: 'gates', stage: 'dev', service },
      });
      const third = await evaluate(service);
      expect(evaluationOf(third)).toMatchObject({ result: 'pass', comparedEvents: [] });
    });

    it('fails a value above every target, and a failed key SLI whatever the score', async () => {
      const service = await newService(KEPTN_SLO);
      answers.set(service, { values: [{ metric: 'response_time_p95', value: 900 }] });
      expect((await evaluate(service)).data).toMatchObject({ result: 'fail', status: 'succeeded' });

      const keySlo = `spec_version: "1.0"
objectives:
  - sli: error_rate
    key_sli: true
    pass:
      - criteria: ["<1"]
  - sli: a
    weight: 5
    pass:
      - criteria: ["<10"]
total_score:
  pass: "50%"
`;
      const keyed = await newService(keySlo);
      answers.set(keyed, {
        values: [
          { metric: 'error_rate', value: 3 },
          { metric: 'a', value: 1 },
        ],
      });
      const finished = await evaluate(keyed);
      expect(finished.data).toMatchObject({ result: 'fail' });
      expect(String(finished.data.message)).toMatch(/key_sli objective 'error_rate'/);
    });

    describe('fails closed', () => {
      it('when an SLI value is missing or failed', async () => {
        const service = await newService(KEPTN_SLO);
        answers.set(service, { values: [{ metric: 'response_time_p95', value: 0, success: false, message: 'no data for the query' }] });
        const failed = await evaluate(service);
        expect(failed.data).toMatchObject({ result: 'fail' });
        expect(String(failed.data.message)).toMatch(/response_time_p95.*no data for the query/);
        const missing = await newService(KEPTN_SLO);
        answers.set(missing, { values: [] });
        expect((await evaluate(missing)).data).toMatchObject({ result: 'fail' });
      });

      it('when the provider errors, naming it', async () => {
        const service = await newService(KEPTN_SLO);
        answers.set(service, { error: 'prometheus at http://p:9090 answered 503' });
        const finished = await evaluate(service);
        expect(finished.data).toMatchObject({ result: 'fail', status: 'errored' });
        expect(String(finished.data.message)).toMatch(
          /SLI provider 'testprovider' \(test-sli-provider\) failed to retrieve SLIs: prometheus at http:\/\/p:9090 answered 503/,
        );
      });

      it('when slo.yaml cannot be parsed, naming the line', async () => {
        const service = await newService(KEPTN_SLO.replace('"<600"', '"<=abc"'));
        const finished = await evaluate(service);
        expect(finished.data).toMatchObject({ result: 'fail', status: 'errored' });
        expect(String(finished.data.message)).toMatch(
          /invalid slo.yaml of service 'svc-\d+': slo.yaml line 14: criterion '<=abc' in pass of 'response_time_p95'/,
        );
      });

      it('when slo.yaml has no total_score', async () => {
        const service = await newService('objectives:\n  - sli: a\n    pass:\n      - criteria: ["<1"]\n');
        const finished = await evaluate(service);
        expect(finished.data).toMatchObject({ result: 'fail', status: 'errored' });
        expect(String(finished.data.message)).toMatch(/total_score/);
      });

      it('when the project has a provider but the service has no slo.yaml', async () => {
        const finished = await evaluate(await newService());
        expect(finished.data).toMatchObject({ result: 'fail' });
        expect(String(finished.data.message)).toMatch(/has SLI provider 'testprovider' configured but service 'svc-\d+' has no slo.yaml/);
      });
    });
  });

  it('fails closed when slo.yaml exists but no SLI provider is configured (stage-level setting removed)', async () => {
    const project = 'gates-noprovider';
    await api.createProject(project, SHIPYARD);
    await api.createService(project, 'carts');
    await api.putResource({ project, stage: 'dev', service: 'carts' }, 'slo.yaml', KEPTN_SLO);
    const response = await api.request<{ keptnContext: string }>(
      'POST',
      `/api/controlPlane/v1/project/${project}/stage/dev/service/carts/evaluation`,
      {
        timeframe: '5m',
      },
    );
    const finished = await waitFor('evaluation.finished', async () =>
      (await api.contextEvents(project, response.body.keptnContext)).find((e) => e.type === 'sh.keptn.event.evaluation.finished'),
    );
    expect(finished.data).toMatchObject({ result: 'fail', status: 'errored' });
    expect(String(finished.data.message)).toMatch(
      /no SLI provider is configured for project 'gates-noprovider': send sh.keptn.event.monitoring.configure/,
    );
  });
});
