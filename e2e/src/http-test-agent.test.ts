/**
 * The test built-ins as a remote execution plane: `shipmate agent --integration http-test-service`
 * and `--integration test-results-service`, each a process of its own, with the server's built-in
 * lighthouse: a delivery (`test` → `evaluation`) of a service with a known delay gets its quality
 * gate from the figures of its own test, with no monitoring system.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KeptnApiClient, createSampleService, spawnShipmate, startServerProcess, waitFor } from '@shipmate/testing';
import type { SampleService, ServerProcess, ShipmateProcess } from '@shipmate/testing';

const REGISTRATION = '/api/controlPlane/v1/uniform/registration';

const SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: tested
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
`;

const SLO = `spec_version: "1.0"
objectives:
  - sli: response_time_p95
    pass:
      - criteria: ["<300"]
  - sli: error_rate
    pass:
      - criteria: ["<=0.05"]
total_score:
  pass: "90%"
  warning: "75%"
`;

let server: ServerProcess;
let client: KeptnApiClient;
let service: SampleService;
const agents: ShipmateProcess[] = [];

beforeAll(async () => {
  [server, service] = await Promise.all([startServerProcess(), createSampleService({ latency: 20, requestsPerSecond: 0 })]);
  client = new KeptnApiClient(server.url, server.token);
  await client.createProject('tested', SHIPYARD);
  await client.createService('tested', 'carts');
  await client.putResource({ project: 'tested', stage: 'dev', service: 'carts' }, 'slo.yaml', SLO);
  await client.putResource(
    { project: 'tested', stage: 'dev', service: 'carts' },
    'test/workloads.yaml',
    'workloads:\n  - teststrategy: performance\n    vuser: 2\n    loopcount: 10\n    checks:\n      - bodyContains: done\n',
  );
  await client.sendEvent({
    type: 'sh.keptn.event.monitoring.configure',
    source: 'e2e',
    data: { project: 'tested', type: 'test-results', service: 'carts' },
  });
});

afterAll(async () => {
  for (const agent of agents) expect(await agent.stop()).toBe(0);
  await service.stop();
  expect(await server.stop()).toBe(0);
});

it('runs http-test-service and test-results-service as agents: the delivery is tested and its quality gate passes on the figures', async () => {
  for (const name of ['http-test-service', 'test-results-service']) {
    agents.push(
      spawnShipmate(['agent', '--integration', name], { KEPTN_API_ENDPOINT: `${server.url}/api`, KEPTN_API_TOKEN: server.token }),
    );
  }
  for (const name of ['http-test-service', 'test-results-service']) {
    const registration = await waitFor(`${name} registered`, async () => {
      const list = await client.request<Array<{ instances: Array<{ location: string }> }>>('GET', `${REGISTRATION}?name=${name}`);
      return list.body[0]?.instances.length ? list.body[0] : undefined;
    });
    expect(registration.instances.map((i) => i.location)).toEqual(['remote-execution-plane']);
  }
  const context = await client.triggerSequence('tested', 'dev', 'delivery', 'carts', {
    deployment: { deploymentURIsLocal: [`${service.url}/work`] },
  });
  const events = await waitFor(
    'evaluation.finished',
    async () => {
      const all = await client.contextEvents('tested', context);
      return all.some((e) => e.type === 'sh.keptn.event.evaluation.finished') ? all : undefined;
    },
    60_000,
  );
  const test = events.find((e) => e.type === 'sh.keptn.event.test.finished');
  expect(test).toMatchObject({ source: 'http-test-service', data: { result: 'pass', test: { requests: 20, errorRate: 0 } } });
  expect(events.find((e) => e.type === 'sh.keptn.event.get-sli.finished')?.source).toBe('test-results-service');
  const evaluation = events.find((e) => e.type === 'sh.keptn.event.evaluation.finished');
  expect(evaluation).toMatchObject({ source: 'lighthouse-service', data: { result: 'pass' } });
});
