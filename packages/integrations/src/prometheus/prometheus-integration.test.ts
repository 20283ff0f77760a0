/**
 * The built-in prometheus-service in a real `shipmate server` process (built by `npm test` first)
 * against a real Prometheus scraping two sample services, a fast (~20 ms) and a slow (~600 ms)
 * one: a sequence with a `get-sli` task, triggered with the `get-sli` block Keptn's lighthouse
 * sends, is answered with the p95 latency each service really had. Skipped only when the
 * `prometheus` binary is absent (CI installs it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import {
  KeptnApiClient,
  freePort,
  prometheusUnavailable,
  shipyardYaml,
  startPrometheus,
  startSampleServiceProcess,
  startServerProcess,
  waitFor,
  waitForScrapedWindow,
} from '@shipmate/testing';
import type { PrometheusServer, SampleService, ServerProcess } from '@shipmate/testing';

const SLI_YAML = `spec_version: '1.0'
indicators:
  response_time_p95: histogram_quantile(0.95, sum by(le) (rate(http_request_duration_seconds_bucket{job="$SERVICE-$PROJECT-$STAGE"}[$DURATION_SECONDS])))
  throughput: sum(rate(http_request_duration_seconds_count{job="$SERVICE-$PROJECT-$STAGE"}[$DURATION_SECONDS]))
  no_data: sum(rate(http_request_duration_seconds_count{job="$SERVICE-$PROJECT-$STAGE",code="500"}[$DURATION_SECONDS]))
`;
const WINDOW_MS = 5000;

const unavailable = prometheusUnavailable();

describe.skipIf(unavailable !== undefined)(
  `prometheus-service built into shipmate server, against a real Prometheus${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let fast: SampleService | undefined;
    let slow: SampleService | undefined;
    let prometheus: PrometheusServer | undefined;
    let server: ServerProcess | undefined;
    let api: KeptnApiClient;

    beforeAll(async () => {
      [fast, slow] = await Promise.all([startSampleServiceProcess({ latency: 'fast' }), startSampleServiceProcess({ latency: 'slow' })]);
      prometheus = await startPrometheus({
        jobs: [
          { name: 'fast-shop-dev', targets: [fast.target] },
          { name: 'slow-shop-dev', targets: [slow.target] },
          { name: 'fast-auth-dev', targets: [fast.target] },
        ],
      });
      server = await startServerProcess({ env: { SHIPMATE_PROMETHEUS_URL: prometheus.url } });
      api = new KeptnApiClient(server.url, server.token);
      const shipyard = shipyardYaml({ dev: ['get-sli'] }, { sequence: 'quality' });
      for (const project of ['shop', 'down', 'auth']) {
        await api.createProject(project, shipyard);
        await api.putResource({ project }, 'prometheus/sli.yaml', SLI_YAML);
      }
      await api.createService('shop', 'fast');
      await api.createService('shop', 'slow');
      await api.createService('down', 'fast');
      await api.createService('auth', 'fast');
      await api.putResource({ project: 'down' }, 'prometheus/config.yaml', `url: http://127.0.0.1:${await freePort()}\n`);
      await api.putResource(
        { project: 'auth', stage: 'dev' },
        'prometheus/config.yaml',
        `url: ${prometheus.url}\nusername: keptn\npasswordSecret: {name: prometheus-auth, key: password}\n`,
      );
      const secret = await api.request('POST', '/api/secrets/v1/secret', {
        name: 'prometheus-auth',
        scope: 'keptn-prometheus-service',
        data: { password: 'not-checked-by-this-prometheus' },
      });
      expect(secret.status).toBe(201);
      // Every service scraped for a whole window, so rate() over it has samples.
      await waitForScrapedWindow(prometheus, ['fast-shop-dev', 'slow-shop-dev', 'fast-auth-dev'], WINDOW_MS);
    }, 120_000);

    afterAll(async () => {
      const code = await server?.stop();
      await prometheus?.stop();
      await fast?.stop();
      await slow?.stop();
      expect(code).toBe(0);
    });

    /** Runs the `quality` sequence for `service` with the `get-sli` block and returns prometheus-service's `get-sli.finished`. */
    async function getSli(project: string, service: string, indicators: string[]): Promise<KeptnEvent> {
      const end = new Date();
      const start = new Date(end.getTime() - WINDOW_MS);
      const keptnContext = await api.triggerSequence(project, 'dev', 'quality', service, {
        'get-sli': { sliProvider: 'prometheus', start: start.toISOString(), end: end.toISOString(), indicators },
      });
      return waitFor(
        `get-sli.finished of ${project}/${service}`,
        async () =>
          (await api.contextEvents(project, keptnContext)).find(
            (e) => e.type === 'sh.keptn.event.get-sli.finished' && e.source === 'prometheus-service',
          ),
        30_000,
      );
    }

    const valuesOf = (finished: KeptnEvent) =>
      (finished.data['get-sli'] as { indicatorValues: Array<{ metric: string; value: number; success: boolean; message: string }> })
        .indicatorValues;

    it('is registered under its Keptn name, subscribed to get-sli tasks', async () => {
      const list = await api.request<Array<{ name: string; subscriptions: Array<{ event: string }> }>>(
        'GET',
        '/api/controlPlane/v1/uniform/registration?name=prometheus-service',
      );
      expect(list.body.map((i) => i.subscriptions.map((s) => s.event))).toEqual([['sh.keptn.event.get-sli.triggered']]);
    });

    it('answers the p95 latency each service had: ~20 ms for the fast one, ~600 ms for the slow one', async () => {
      const [fastSli, slowSli] = await Promise.all([
        getSli('shop', 'fast', ['response_time_p95', 'throughput']),
        getSli('shop', 'slow', ['response_time_p95', 'throughput']),
      ]);
      for (const finished of [fastSli, slowSli]) {
        expect(finished.data).toMatchObject({ status: 'succeeded', result: 'pass', 'get-sli': { sliProvider: 'prometheus' } });
        expect(valuesOf(finished).map((v) => [v.metric, v.success])).toEqual([
          ['response_time_p95', true],
          ['throughput', true],
        ]);
        // The sample services send themselves 20 requests a second.
        expect(valuesOf(finished)[1]!.value).toBeGreaterThan(5);
      }
      const fastP95 = valuesOf(fastSli)[0]!.value;
      const slowP95 = valuesOf(slowSli)[0]!.value;
      expect(fastP95).toBeGreaterThan(0.01);
      expect(fastP95).toBeLessThan(0.1);
      expect(slowP95).toBeGreaterThan(0.5);
      expect(slowP95).toBeLessThan(1);
    }, 60_000);

    it('gives an indicator without data success false with the query, and still measures the others', async () => {
      const finished = await getSli('shop', 'fast', ['no_data', 'response_time_p95']);
      expect(finished.data).toMatchObject({ status: 'succeeded', result: 'warning' });
      const [noData, p95] = valuesOf(finished);
      expect(noData).toEqual({
        metric: 'no_data',
        value: 0,
        success: false,
        message: expect.stringMatching(
          /^the query returned no data: .*; query: sum\(rate\(http_request_duration_seconds_count\{job="fast-shop-dev",code="500"\}\[5s\]\)\)$/,
        ) as string,
      });
      expect(p95).toMatchObject({ metric: 'response_time_p95', success: true });
    }, 60_000);

    it('reads the password of prometheus/config.yaml from a secret while it holds the task', async () => {
      const finished = await getSli('auth', 'fast', ['throughput']);
      expect(finished.data).toMatchObject({ status: 'succeeded', result: 'pass' });
      expect(valuesOf(finished)).toEqual([{ metric: 'throughput', value: expect.any(Number) as number, success: true, message: '' }]);
    }, 60_000);

    it('ends the task errored, naming the URL and its source, when Prometheus is down', async () => {
      const finished = await getSli('down', 'fast', ['response_time_p95']);
      expect(finished.data).toMatchObject({ status: 'errored', result: 'fail', 'get-sli': { indicatorValues: [] } });
      expect(finished.data.message).toMatch(
        /^cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+ \(from prometheus\/config\.yaml \(project level\)\): ECONNREFUSED; check that Prometheus runs and the URL is right$/,
      );
    }, 60_000);
  },
);
