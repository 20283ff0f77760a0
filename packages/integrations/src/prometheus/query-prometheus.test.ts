/**
 * One instant query against a real Prometheus (no series needed: PromQL makes every shape of
 * answer from constants), and against servers that are not Prometheus or do not answer.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Server as TcpServer, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, prometheusUnavailable, startPrometheus } from '@shipmate/testing';
import type { PrometheusServer } from '@shipmate/testing';
import { interpretQueryData, PrometheusUnavailableError, queryPrometheus } from './query-prometheus.js';
import type { PrometheusEndpoint } from './prometheus-config.js';

const NOW = new Date();
const OPTIONS = { timeoutMs: 5000 };

describe('interpretQueryData', () => {
  it.each<[string, unknown, { ok: true; value: number } | RegExp]>([
    ['a scalar', { resultType: 'scalar', result: [1, '2.5'] }, { ok: true, value: 2.5 }],
    ['one sample', { resultType: 'vector', result: [{ metric: {}, value: [1, '0.42'] }] }, { ok: true, value: 0.42 }],
    ['no sample', { resultType: 'vector', result: [] }, /^the query returned no data/],
    [
      'two series',
      {
        resultType: 'vector',
        result: [
          { metric: { job: 'a' }, value: [1, '1'] },
          { metric: { job: 'b' }, value: [1, '2'] },
        ],
      },
      /^the query returned 2 series, expected one \(e\.g\. \{job="a"\} and \{job="b"\}\); aggregate it/,
    ],
    ['NaN', { resultType: 'vector', result: [{ metric: {}, value: [1, 'NaN'] }] }, /returned NaN .*; no value was measured/],
    ['+Inf', { resultType: 'scalar', result: [1, '+Inf'] }, /returned \+Inf; only finite numbers/],
    ['a range vector', { resultType: 'matrix', result: [] }, /returned a range vector/],
    ['a string', { resultType: 'string', result: [1, 'x'] }, /returned a string; an SLI needs one number/],
    ['no data', undefined, /without data/],
  ])('%s', (_, data, expected) => {
    const outcome = interpretQueryData(data);
    if (expected instanceof RegExp) {
      expect(outcome.ok).toBe(false);
      expect(outcome.ok ? '' : outcome.message).toMatch(expected);
    } else expect(outcome).toEqual(expected);
  });
});

const unavailable = prometheusUnavailable();

describe.skipIf(unavailable !== undefined)(
  `queryPrometheus against a real Prometheus${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let prometheus: PrometheusServer;
    let endpoint: PrometheusEndpoint;
    beforeAll(async () => {
      prometheus = await startPrometheus();
      endpoint = { url: prometheus.url, source: 'the test' };
    }, 60_000);
    afterAll(async () => {
      await prometheus?.stop();
    });

    it.each<[string, string, { ok: true; value: number } | RegExp]>([
      ['a scalar', '1 + 1.5', { ok: true, value: 2.5 }],
      ['a vector of one sample', 'vector(42)', { ok: true, value: 42 }],
      ['a series that does not exist', 'sum(rate(does_not_exist_total[5m]))', /^the query returned no data/],
      [
        'several series',
        'label_replace(vector(1), "job", "a", "", "") or label_replace(vector(2), "job", "b", "", "")',
        /returned 2 series/,
      ],
      ['NaN', 'vector(0) / 0', /returned NaN/],
      ['+Inf', 'vector(1) / 0', /returned \+Inf; only finite/],
      ['a range vector', 'up[1m]', /returned a range vector/],
      ['a PromQL error', 'sum(rate(x[5m])', /^Prometheus rejected the query \(bad_data\): .*parse error/],
    ])('%s', async (_, query, expected) => {
      const outcome = await queryPrometheus(endpoint, query, NOW, OPTIONS);
      if (expected instanceof RegExp) {
        expect(outcome.ok).toBe(false);
        expect(outcome.ok ? '' : outcome.message).toMatch(expected);
      } else expect(outcome).toEqual(expected);
    });

    it('queries at the given time (Keptn: the end of the window)', async () => {
      const at = new Date('2024-01-01T10:00:00Z');
      expect(await queryPrometheus(endpoint, 'time()', at, OPTIONS)).toEqual({ ok: true, value: at.getTime() / 1000 });
    });

    it('reaches a Prometheus below a path through its base URL', async () => {
      const outcome = await queryPrometheus({ url: `${prometheus.url}/nope`, source: 'config' }, 'vector(1)', NOW, OPTIONS).catch(
        (e: unknown) => e,
      );
      expect(outcome).toBeInstanceOf(PrometheusUnavailableError);
      expect((outcome as Error).message).toMatch(
        /^Prometheus at http:\/\/127\.0\.0\.1:\d+\/nope \(from config\) answered 404 to GET \/api\/v1\/query without Prometheus' JSON; check the URL/,
      );
    });
  },
);

describe('queryPrometheus when Prometheus cannot answer', () => {
  const servers: Array<Server | TcpServer> = [];
  const sockets: Socket[] = [];
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });
  async function listen(server: Server | TcpServer): Promise<string> {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => new Error('expected a rejection'),
      (e: unknown) => e as Error,
    );

  it('throws unavailable for a closed port, naming the URL, where it came from and the cause', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const error = await failure(queryPrometheus({ url, source: 'prometheus/config.yaml (project level)' }, 'up', NOW, OPTIONS));
    expect(error).toBeInstanceOf(PrometheusUnavailableError);
    expect(error.message).toBe(
      `cannot reach Prometheus at ${url} (from prometheus/config.yaml (project level)): ECONNREFUSED; check that Prometheus runs and the URL is right`,
    );
  });

  it('throws unavailable when Prometheus does not answer in time', async () => {
    const url = await listen(createTcpServer((socket) => sockets.push(socket)));
    const error = await failure(queryPrometheus({ url, source: 'x' }, 'up', NOW, { timeoutMs: 200 }));
    expect(error.message).toMatch(/^Prometheus at .* \(from x\) did not answer within 0\.2 s/);
  });

  it('sends basic auth, and throws unavailable with the fix when the login is rejected', async () => {
    let authorization: string | undefined;
    const url = await listen(
      createServer((req, res) => {
        authorization = req.headers.authorization;
        res.writeHead(401).end('Unauthorized');
      }),
    );
    const error = await failure(queryPrometheus({ url, source: 'x', username: 'keptn', password: 's3cret' }, 'up', NOW, OPTIONS));
    expect(authorization).toBe(`Basic ${Buffer.from('keptn:s3cret').toString('base64')}`);
    expect(error.message).toMatch(/rejected the request with 401; check 'username' and 'passwordSecret' in prometheus\/config\.yaml/);
    expect(error.message).not.toContain('s3cret');
  });
});
