/**
 * The quality gate end to end: a real `shipmate server` with its built-in lighthouse-service and
 * prometheus-service, a real Prometheus scraping two versions of a sample service that export a
 * latency histogram with prom-client (fast ~20 ms, slow ~600 ms). A delivery sequence tests,
 * evaluates and releases: the fast version passes the gate and is released, the slow one fails it
 * and is not. Skipped only when the `prometheus` binary is absent (CI installs it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntegration, silentLogger } from '@shipmate/agent-sdk';
import type { Integration } from '@shipmate/agent-sdk';
import type { KeptnEvent } from '@shipmate/core';
import {
  KeptnApiClient,
  prometheusUnavailable,
  startPrometheus,
  startSampleServiceProcess,
  startServerProcess,
  waitFor,
  waitForScrapedWindow,
} from '@shipmate/testing';
import type { PrometheusServer, SampleService, ServerProcess } from '@shipmate/testing';

const SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: gate
spec:
  stages:
    - name: prod
      sequences:
        - name: delivery
          tasks:
            - name: test
            - name: evaluation
            - name: release
`;

const SLI_YAML = `spec_version: '1.0'
indicators:
  response_time_p95: histogram_quantile(0.95, sum by(le) (rate(http_request_duration_seconds_bucket{job="$SERVICE"}[$DURATION_SECONDS])))
`;

const SLO_YAML = `spec_version: "1.0"
comparison:
  compare_with: single_result
  include_result_with_score: pass
  aggregate_function: avg
objectives:
  - sli: response_time_p95
    displayName: Response time P95 (s)
    key_sli: true
    pass:
      - criteria:
          - "<=0.3"
total_score:
  pass: "90%"
  warning: "75%"
`;

const WINDOW_MS = 5000;
const unavailable = prometheusUnavailable();

describe.skipIf(unavailable !== undefined)(
  `quality gate against a real Prometheus${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let fast: SampleService | undefined;
    let slow: SampleService | undefined;
    let prometheus: PrometheusServer | undefined;
    let server: ServerProcess | undefined;
    let api: KeptnApiClient;
    let tester: Integration | undefined;
    const released: string[] = [];

    beforeAll(async () => {
      [fast, slow] = await Promise.all([startSampleServiceProcess({ latency: 'fast' }), startSampleServiceProcess({ latency: 'slow' })]);
      prometheus = await startPrometheus({
        jobs: [
          { name: 'carts-fast', targets: [fast.target] },
          { name: 'carts-slow', targets: [slow.target] },
        ],
      });
      server = await startServerProcess({
        env: { SHIPMATE_BUILT_IN_INTEGRATIONS: 'lighthouse-service,prometheus-service', SHIPMATE_PROMETHEUS_URL: prometheus.url },
      });
      api = new KeptnApiClient(server.url, server.token);
      await api.createProject('shop', SHIPYARD);
      await api.putResource({ project: 'shop' }, 'prometheus/sli.yaml', SLI_YAML);
      await api.sendEvent({
        type: 'sh.keptn.event.monitoring.configure',
        source: 'e2e',
        data: { project: 'shop', type: 'prometheus', service: 'carts-fast' },
      });
      for (const service of ['carts-fast', 'carts-slow']) {
        await api.createService('shop', service);
        await api.putResource({ project: 'shop', stage: 'prod', service }, 'slo.yaml', SLO_YAML);
      }
      // The test task reports the window it "ran" in: the last WINDOW_MS, in which Prometheus scraped the service.
      tester = createIntegration({
        name: 'e2e-tester',
        controlPlane: { endpoint: `${server.url}/api`, token: server.token },
        handleSignals: false,
        logger: silentLogger,
      })
        .onTask('test', () => {
          const end = new Date();
          return { test: { start: new Date(end.getTime() - WINDOW_MS).toISOString(), end: end.toISOString() } };
        })
        .onTask('release', (task) => {
          released.push(String(task.data.service));
        });
      await tester.start();
      await waitForScrapedWindow(prometheus, ['carts-fast', 'carts-slow'], WINDOW_MS);
    }, 120_000);

    afterAll(async () => {
      await tester?.stop();
      const code = await server?.stop();
      await prometheus?.stop();
      await fast?.stop();
      await slow?.stop();
      expect(code).toBe(0);
    });

    async function deliver(service: string): Promise<{ evaluation: KeptnEvent; finished: KeptnEvent }> {
      const context = await api.triggerSequence('shop', 'prod', 'delivery', service);
      const finished = await waitFor(
        `delivery of ${service} finished`,
        async () => (await api.contextEvents('shop', context)).find((e) => e.type === 'sh.keptn.event.prod.delivery.finished'),
        60_000,
      );
      const evaluation = (await api.contextEvents('shop', context)).find((e) => e.type === 'sh.keptn.event.evaluation.finished');
      if (!evaluation) throw new Error('no evaluation.finished');
      return { evaluation, finished };
    }

    type Indicator = { status: string; value: { metric: string; value: number; success: boolean } };

    it('passes the fast version and releases it', async () => {
      const { evaluation, finished } = await deliver('carts-fast');
      expect(evaluation.source).toBe('lighthouse-service');
      expect(evaluation.data).toMatchObject({ result: 'pass', status: 'succeeded', evaluation: { result: 'pass', score: 100 } });
      const [indicator] = (evaluation.data.evaluation as { indicatorResults: Indicator[] }).indicatorResults;
      expect(indicator?.value.success).toBe(true);
      expect(indicator?.value.value).toBeGreaterThan(0.005);
      expect(indicator?.value.value).toBeLessThan(0.1);
      expect(finished.data).toMatchObject({ result: 'pass', status: 'succeeded' });
      expect(released).toContain('carts-fast');
    });

    it('fails the slow version at the gate, so it is never released', async () => {
      const { evaluation, finished } = await deliver('carts-slow');
      expect(evaluation.data).toMatchObject({ result: 'fail', evaluation: { result: 'fail', score: 0 } });
      const [indicator] = (evaluation.data.evaluation as { indicatorResults: Indicator[] }).indicatorResults;
      expect(indicator).toMatchObject({ status: 'fail', value: { metric: 'response_time_p95', success: true } });
      expect(indicator?.value.value).toBeGreaterThan(0.4);
      expect(finished.data).toMatchObject({ result: 'fail' });
      expect(released).not.toContain('carts-slow');
      expect(await api.openTriggered('sh.keptn.event.release.triggered', { project: 'shop', service: 'carts-slow' })).toEqual([]);
    });
  },
);
