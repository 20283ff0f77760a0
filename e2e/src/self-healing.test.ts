/**
 * Keptn's self-healing end to end, with nothing but Shipmate's built-ins doing the work: a real
 * `shipmate server` runs remediation-service, webhook-service, lighthouse-service and
 * prometheus-service; a real Prometheus scrapes a sample service that has become slow. A problem
 * starts `production.remediation`: get-action takes the first action of remediation.yaml, the
 * webhook carries it out by calling the service, the evaluation measures the service again. The
 * first action does not help, so the failed evaluation repeats the remediation, which takes the
 * second action; that one makes the service fast, and the evaluation passes.
 * Skipped only when the `prometheus` binary is absent (CI installs it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import {
  KeptnApiClient,
  createSampleService,
  prometheusUnavailable,
  startPrometheus,
  startServerProcess,
  waitFor,
  waitForScrapedWindow,
} from '@shipmate/testing';
import type { PrometheusServer, SampleService, ServerProcess } from '@shipmate/testing';

// Keptn's remediation shipyard with short waits: the evaluation measures the 4 s after the action.
const SHIPYARD = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: self-healing
spec:
  stages:
    - name: production
      sequences:
        - name: remediation
          triggeredOn:
            - event: production.remediation.finished
              selector:
                match:
                  evaluation.result: fail
          tasks:
            - name: get-action
            - name: action
            - name: evaluation
              triggeredAfter: 5s
              properties:
                timeframe: 4s
`;

const REMEDIATION = `apiVersion: spec.keptn.sh/0.1.4
kind: Remediation
metadata:
  name: carts-remediation
spec:
  remediations:
    - problemType: Response time degradation
      actionsOnOpen:
        - action: toggle-feature
          name: Turn off the promotion banner
          value:
            latencyMs: 600
        - action: scaling
          name: Scale up
          value:
            latencyMs: 20
`;

const SLI_YAML = `spec_version: '1.0'
indicators:
  response_time_p95: histogram_quantile(0.95, sum by(le) (rate(http_request_duration_seconds_bucket{job="$SERVICE"}[$DURATION_SECONDS])))
`;

const SLO_YAML = `spec_version: "1.0"
objectives:
  - sli: response_time_p95
    pass:
      - criteria:
          - "<=0.3"
total_score:
  pass: "90%"
`;

const REGISTRATION = '/api/controlPlane/v1/uniform/registration';
const unavailable = prometheusUnavailable();

describe.skipIf(unavailable !== undefined)(`self-healing with the built-ins only${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let carts: SampleService | undefined;
  let prometheus: PrometheusServer | undefined;
  let server: ServerProcess | undefined;
  let api: KeptnApiClient;

  beforeAll(async () => {
    carts = await createSampleService({ latency: 'slow' });
    prometheus = await startPrometheus({ jobs: [{ name: 'carts', targets: [carts.target] }] });
    server = await startServerProcess({
      env: {
        SHIPMATE_BUILT_IN_INTEGRATIONS: 'remediation-service,webhook-service,lighthouse-service,prometheus-service',
        SHIPMATE_PROMETHEUS_URL: prometheus.url,
        SHIPMATE_WEBHOOK_ALLOW: '127.0.0.1/32',
      },
    });
    api = new KeptnApiClient(server.url, server.token);
    await api.createProject('shop', SHIPYARD);
    await api.createService('shop', 'carts');
    await api.sendEvent({
      type: 'sh.keptn.event.monitoring.configure',
      source: 'e2e',
      data: { project: 'shop', type: 'prometheus', service: 'carts' },
    });
    const level = { project: 'shop', stage: 'production', service: 'carts' };
    await api.putResource({ project: 'shop' }, 'prometheus/sli.yaml', SLI_YAML);
    await api.putResource(level, 'slo.yaml', SLO_YAML);
    await api.putResource(level, 'remediation.yaml', REMEDIATION);
    // The operator subscribes the webhook-service to the action task and says what it calls.
    const webhook = await api.request<Array<{ id: string }>>('GET', `${REGISTRATION}?name=webhook-service`);
    const added = await api.request<{ id: string }>('POST', `${REGISTRATION}/${webhook.body[0]?.id ?? ''}/subscription`, {
      event: 'sh.keptn.event.action.triggered',
      filter: { projects: ['shop'] },
    });
    expect(added.status).toBe(201);
    await api.putResource(
      level,
      'webhook/webhook.yaml',
      `apiVersion: webhookconfig.keptn.sh/v1beta1
kind: WebhookConfig
metadata:
  name: webhook-configuration
spec:
  webhooks:
    - type: sh.keptn.event.action.triggered
      subscriptionID: ${added.body.id}
      sendFinished: true
      requests:
        - url: ${carts.url}/latency
          method: POST
          headers:
            - key: Content-Type
              value: application/json
          payload: '{"latencyMs": {{.data.action.value.latencyMs}}}'
`,
    );
    await waitForScrapedWindow(prometheus, ['carts'], 4000);
  }, 120_000);

  afterAll(async () => {
    const code = await server?.stop();
    await prometheus?.stop();
    await carts?.stop();
    expect(code).toBe(0);
  });

  it('takes the first action, measures that it did not help, takes the second, and passes', async () => {
    const context = await api.sendEvent({
      type: 'sh.keptn.event.production.remediation.triggered',
      source: 'e2e-monitoring',
      data: {
        project: 'shop',
        stage: 'production',
        service: 'carts',
        problem: { problemTitle: 'Response time degradation', rootCause: '' },
      },
    });
    const events = await waitFor(
      'the second remediation passed',
      async () => {
        const all = await api.contextEvents('shop', context);
        const ends = all.filter((e) => e.type === 'sh.keptn.event.production.remediation.finished');
        return ends.length === 2 ? all : undefined;
      },
      90_000,
      200,
    );
    const ofType = (type: string): KeptnEvent[] => events.filter((e) => e.type === `sh.keptn.event.${type}`);
    expect(ofType('get-action.finished').map((e) => (e.data.action as { action: string }).action)).toEqual(['toggle-feature', 'scaling']);
    expect(ofType('action.finished').map((e) => e.source)).toEqual(['webhook-service', 'webhook-service']);
    expect(ofType('action.finished').map((e) => (e.data.action as { responses: unknown[] }).responses)).toEqual([
      [{ latencyMs: 600 }],
      [{ latencyMs: 20 }],
    ]);
    const evaluations = ofType('evaluation.finished');
    expect(evaluations.map((e) => [e.source, e.data.result])).toEqual([
      ['lighthouse-service', 'fail'],
      ['lighthouse-service', 'pass'],
    ]);
    const p95 = evaluations.map(
      (e) => (e.data.evaluation as { indicatorResults: Array<{ value: { value: number } }> }).indicatorResults[0]?.value.value ?? NaN,
    );
    expect(p95[0]).toBeGreaterThan(0.4);
    expect(p95[1]).toBeLessThan(0.1);
    expect(ofType('get-sli.finished').map((e) => e.source)).toEqual(['prometheus-service', 'prometheus-service']);
    expect(ofType('production.remediation.finished').map((e) => e.data.result)).toEqual(['fail', 'pass']);
    expect(carts?.latencyMs).toBe(20);
  });
});
