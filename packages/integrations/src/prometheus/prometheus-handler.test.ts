/**
 * The get-sli handler with a hand-made task (configuration files and secrets by level) against a
 * real Prometheus; PromQL constants stand for measured values. The end-to-end path through a real
 * server is in prometheus-integration.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResourceLevelName, TaskContext } from '@shipmate/agent-sdk';
import type { KeptnEvent } from '@shipmate/core';
import { freePort, prometheusUnavailable, startPrometheus } from '@shipmate/testing';
import type { PrometheusServer } from '@shipmate/testing';
import { acceptsPrometheus, createPrometheusHandler } from './prometheus-integration.js';
import type { PrometheusOptions } from './prometheus-integration.js';

type Files = Partial<Record<ResourceLevelName, Record<string, string>>>;

const GET_SLI = { sliProvider: 'prometheus', start: '2024-01-01T10:00:00Z', end: '2024-01-01T10:05:00Z' };

function event(data: Record<string, unknown>): KeptnEvent {
  return {
    id: 'triggered-1',
    type: 'sh.keptn.event.get-sli.triggered',
    source: 'test',
    specversion: '1.0',
    shkeptncontext: 'ctx-1',
    time: '2024-01-01T10:05:01Z',
    data: { project: 'shop', stage: 'dev', service: 'carts', ...data },
  };
}

function task(data: Record<string, unknown>, files: Files, secrets: Record<string, Record<string, string>> = {}): TaskContext {
  const e = event(data);
  return {
    event: e,
    task: 'get-sli',
    data: e.data,
    signal: new AbortController().signal,
    progress: async () => undefined,
    resource: async (uri, options = {}) => {
      for (const level of options.levels ?? (['service', 'stage', 'project'] as const)) {
        const content = files[level]?.[uri];
        if (content !== undefined) return { content: Buffer.from(content), level };
      }
      return undefined;
    },
    secret: async (name, scope = 'keptn-default') => {
      const values = secrets[`${scope}/${name}`];
      if (!values) throw new Error(`GET .../secret answered 404: secret '${name}' not found in scope ${scope}`);
      return values;
    },
    api: () => Promise.reject(new Error('the prometheus handler reads no other API path')),
    subtask: () => Promise.reject(new Error('the prometheus handler starts no sub-task')),
    started: async () => undefined,
  };
}

async function run(
  data: Record<string, unknown>,
  files: Files,
  options: PrometheusOptions = {},
  secrets = {},
): Promise<Record<string, unknown>> {
  return (await createPrometheusHandler(options)(task(data, files, secrets))) as Record<string, unknown>;
}

const sli = (indicators: Record<string, string>) =>
  `indicators:\n${Object.entries(indicators)
    .map(([k, v]) => `  ${k}: '${v}'`)
    .join('\n')}\n`;

describe('acceptsPrometheus (Keptn prometheusSLIProviderFilter)', () => {
  it.each([
    [{ 'get-sli': { sliProvider: 'prometheus' } }, true],
    [{ 'get-sli': { sliProvider: 'dynatrace' } }, false],
    [{ 'get-sli': {} }, false],
    [{}, false],
  ])('%j → %s', (data, accepted) => {
    expect(acceptsPrometheus(event(data))).toBe(accepted);
  });
});

describe('get-sli handler: whole-task failures', () => {
  it.each<[string, Record<string, unknown>, Files, PrometheusOptions, RegExp]>([
    [
      'no sli.yaml anywhere',
      { 'get-sli': { ...GET_SLI, indicators: ['p95'] } },
      {},
      { prometheusUrl: 'http://127.0.0.1:1' },
      /^no prometheus\/sli\.yaml for service 'carts' in stage 'dev' of project 'shop': add it at the service, stage or project level/,
    ],
    [
      'an unparsable sli.yaml',
      { 'get-sli': { ...GET_SLI, indicators: ['p95'] } },
      { project: { 'prometheus/sli.yaml': sli({ a: 'up' }) }, stage: { 'prometheus/sli.yaml': 'indicators:\n  p95: [\n' } },
      { prometheusUrl: 'http://127.0.0.1:1' },
      /^prometheus\/sli\.yaml \(stage level\) line 3: not valid YAML/,
    ],
    [
      'no Prometheus URL',
      { 'get-sli': { ...GET_SLI, indicators: ['p95'] } },
      { service: { 'prometheus/sli.yaml': sli({ p95: 'up' }) } },
      {},
      /^no Prometheus URL for stage 'dev' of project 'shop': add prometheus\/config\.yaml .* or .*SHIPMATE_PROMETHEUS_URL/,
    ],
    [
      'a config.yaml without url',
      { 'get-sli': { ...GET_SLI, indicators: ['p95'] } },
      { service: { 'prometheus/sli.yaml': sli({ p95: 'up' }) }, project: { 'prometheus/config.yaml': 'username: x\n' } },
      { prometheusUrl: 'http://127.0.0.1:1' },
      /^prometheus\/config\.yaml \(project level\) line 1: missing required field 'url'/,
    ],
    [
      'a password secret that cannot be read',
      { 'get-sli': { ...GET_SLI, indicators: ['p95'] } },
      {
        service: { 'prometheus/sli.yaml': sli({ p95: 'up' }) },
        stage: { 'prometheus/config.yaml': 'url: http://127.0.0.1:1\nusername: u\npasswordSecret: {name: prom, key: password}\n' },
      },
      {},
      /^prometheus\/config\.yaml \(stage level\): cannot read passwordSecret 'prom' in scope keptn-prometheus-service: .*not found/,
    ],
    [
      'a request without a window',
      { 'get-sli': { sliProvider: 'prometheus', indicators: ['p95'] } },
      { service: { 'prometheus/sli.yaml': sli({ p95: 'up' }) } },
      { prometheusUrl: 'http://127.0.0.1:1' },
      /^get-sli\.triggered has no data\["get-sli"\]\.start/,
    ],
  ])('%s: errored with the cause and the fix, no value', async (_, data, files, options, message) => {
    const finished = await run(data, files, options);
    expect(finished).toMatchObject({ status: 'errored', result: 'fail', 'get-sli': { sliProvider: 'prometheus', indicatorValues: [] } });
    expect(finished.message).toMatch(message);
  });

  it('a secret without the key named: errored, listing the keys it has', async () => {
    const finished = await run(
      { 'get-sli': { ...GET_SLI, indicators: ['p95'] } },
      {
        service: { 'prometheus/sli.yaml': sli({ p95: 'up' }) },
        project: { 'prometheus/config.yaml': 'url: http://127.0.0.1:1\nusername: u\npasswordSecret: {name: prom, key: password}\n' },
      },
      {},
      { 'keptn-prometheus-service/prom': { pass: 'x' } },
    );
    expect(finished.message).toBe(
      "prometheus/config.yaml (project level): secret 'prom' (scope keptn-prometheus-service) has no key 'password'; its keys: pass",
    );
  });

  it('Prometheus down: errored naming the URL and where it came from', async () => {
    const port = await freePort();
    const finished = await run(
      { 'get-sli': { ...GET_SLI, indicators: ['p95'] } },
      { service: { 'prometheus/sli.yaml': sli({ p95: 'up' }) } },
      { prometheusUrl: `http://127.0.0.1:${port}` },
    );
    expect(finished).toMatchObject({ status: 'errored', result: 'fail' });
    expect(finished.message).toBe(
      `cannot reach Prometheus at http://127.0.0.1:${port} (from the prometheusUrl option): ECONNREFUSED; check that Prometheus runs and the URL is right`,
    );
  });
});

const unavailable = prometheusUnavailable();

describe.skipIf(unavailable !== undefined)(
  `get-sli handler against a real Prometheus${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let prometheus: PrometheusServer;
    beforeAll(async () => {
      prometheus = await startPrometheus();
    }, 60_000);
    afterAll(async () => {
      await prometheus?.stop();
    });

    it('measures every indicator; one it cannot measure fails alone (result warning), one missing from sli.yaml too', async () => {
      const finished = await run(
        { labels: { n: '5' }, 'get-sli': { ...GET_SLI, indicators: ['a', 'b', 'labelled', 'nodata', 'missing'] } },
        {
          project: { 'prometheus/sli.yaml': sli({ a: 'vector(1)', b: 'vector(2)', nodata: 'sum(rate(nope_total[$DURATION_SECONDS]))' }) },
          service: { 'prometheus/sli.yaml': sli({ b: 'vector(20)', labelled: 'vector($LABEL.n)' }) },
        },
        { prometheusUrl: prometheus.url },
      );
      expect(finished).toEqual({
        status: 'succeeded',
        result: 'warning',
        message: '2 of 5 indicator(s) have no value',
        'get-sli': {
          sliProvider: 'prometheus',
          start: GET_SLI.start,
          end: GET_SLI.end,
          indicators: ['a', 'b', 'labelled', 'nodata', 'missing'],
          indicatorValues: [
            { metric: 'a', value: 1, success: true, message: '' },
            { metric: 'b', value: 20, success: true, message: '' },
            { metric: 'labelled', value: 5, success: true, message: '' },
            {
              metric: 'nodata',
              value: 0,
              success: false,
              message: expect.stringMatching(/^the query returned no data: .*; query: sum\(rate\(nope_total\[300s\]\)\)$/) as string,
            },
            {
              metric: 'missing',
              value: 0,
              success: false,
              message: "indicator 'missing' is not in prometheus/sli.yaml (it has a, b, nodata, labelled); add its query there",
            },
          ],
        },
      });
    });

    it('fails when no indicator has a value (Keptn: unable to retrieve metrics), passes when all have one', async () => {
      const files = { project: { 'prometheus/sli.yaml': sli({ bad: 'sum(', nan: 'vector(0)/0', ok: 'vector(3)' }) } };
      const failed = await run({ 'get-sli': { ...GET_SLI, indicators: ['bad', 'nan'] } }, files, { prometheusUrl: prometheus.url });
      expect(failed).toMatchObject({ status: 'succeeded', result: 'fail', message: 'unable to retrieve metrics' });
      const passed = await run({ 'get-sli': { ...GET_SLI, indicators: ['ok'] } }, files, { prometheusUrl: prometheus.url });
      expect(passed).toMatchObject({
        status: 'succeeded',
        result: 'pass',
        'get-sli': { indicatorValues: [{ metric: 'ok', value: 3, success: true }] },
      });
      expect(passed).not.toHaveProperty('message');
    });

    it('takes the URL from prometheus/config.yaml at the stage before the project level and before the option', async () => {
      const closed = `http://127.0.0.1:${await freePort()}`;
      const files: Files = {
        project: { 'prometheus/sli.yaml': sli({ ok: 'vector(3)' }), 'prometheus/config.yaml': `url: ${closed}\n` },
        stage: { 'prometheus/config.yaml': `url: ${prometheus.url}/\n` },
      };
      const finished = await run({ 'get-sli': { ...GET_SLI, indicators: ['ok'] } }, files, { prometheusUrl: closed });
      expect(finished).toMatchObject({ result: 'pass', 'get-sli': { indicatorValues: [{ value: 3, success: true }] } });
    });
  },
);
