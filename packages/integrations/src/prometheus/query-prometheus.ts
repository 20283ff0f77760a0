/**
 * One instant query against Prometheus' HTTP API (`GET /api/v1/query?query=..&time=..`), reduced to
 * the one number an SLI needs. What is wrong with one query (no data, several series, NaN, a PromQL
 * error) is a {@link SliMeasurement} failure, so the other indicators still get values; what is
 * wrong with Prometheus itself (unreachable, timeout, login rejected, not Prometheus' API) throws
 * {@link PrometheusUnavailableError}, which fails the whole `get-sli` task.
 */
import { ErrorCode, UnavailableError } from '@shipmate/core';
import type { PrometheusEndpoint } from './prometheus-config.js';

/** The outcome of one query: a measured value, or why there is none. */
export type SliMeasurement = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly message: string };

/** Prometheus cannot be queried at all. */
export class PrometheusUnavailableError extends UnavailableError {
  constructor(message: string) {
    super(ErrorCode.prometheusUnavailable, message);
  }
}

/** Options of {@link queryPrometheus}. */
export interface QueryOptions {
  /** How long one query may take. */
  readonly timeoutMs: number;
  /** Aborts the query (the task was aborted). */
  readonly signal?: AbortSignal;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function numberOf(sample: unknown): SliMeasurement {
  const text = Array.isArray(sample) ? (sample[1] as unknown) : undefined;
  if (typeof text !== 'string') return { ok: false, message: 'Prometheus answered a sample without a value' };
  // Go formats infinities as +Inf/-Inf, which Number() does not read.
  if (/^[+-]?Inf$/.test(text)) return { ok: false, message: `the query returned ${text}; only finite numbers can be evaluated` };
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (Number.isNaN(value))
    return {
      ok: false,
      message: 'the query returned NaN (e.g. histogram_quantile or a division over a window without samples); no value was measured',
    };
  return { ok: true, value };
}

function labelsOf(series: unknown): string {
  const metric = isRecord(series) && isRecord(series.metric) ? series.metric : {};
  return `{${Object.entries(metric)
    .map(([k, v]) => `${k}="${String(v)}"`)
    .join(', ')}}`;
}

/** Reduces the `data` of a successful `/api/v1/query` answer to one value (Keptn: one sample, or fail). */
export function interpretQueryData(data: unknown): SliMeasurement {
  if (!isRecord(data)) return { ok: false, message: 'Prometheus answered without data' };
  const { resultType, result } = data;
  switch (resultType) {
    case 'scalar':
      return numberOf(result);
    case 'vector': {
      const series = Array.isArray(result) ? result : [];
      if (series.length === 0)
        return {
          ok: false,
          message:
            'the query returned no data: no series matched in the window; check the metric name and labels, and that the service was scraped',
        };
      if (series.length > 1)
        return {
          ok: false,
          message:
            `the query returned ${series.length} series, expected one (e.g. ${series.slice(0, 2).map(labelsOf).join(' and ')}); ` +
            'aggregate it, e.g. sum(...) or sum by(le) (...) inside histogram_quantile',
        };
      return numberOf(isRecord(series[0]) ? series[0].value : undefined);
    }
    case 'matrix':
      return {
        ok: false,
        message:
          'the query returned a range vector; an SLI needs one number: wrap it, e.g. in rate(...) or avg_over_time(...), and aggregate',
      };
    default:
      return {
        ok: false,
        message: `the query returned a ${String(resultType)}; an SLI needs one number (a scalar or a vector of one sample)`,
      };
  }
}

function describeCause(error: unknown): string {
  const cause = isRecord(error) && 'cause' in error ? error.cause : undefined;
  if (isRecord(cause) && typeof cause.code === 'string') return cause.code;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** Runs `query` at `time`; see the module comment for what throws and what fails the indicator only. */
export async function queryPrometheus(
  endpoint: PrometheusEndpoint,
  query: string,
  time: Date,
  options: QueryOptions,
): Promise<SliMeasurement> {
  const url = `${endpoint.url}/api/v1/query?${new URLSearchParams({ query, time: (time.getTime() / 1000).toFixed(3) }).toString()}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (endpoint.username !== undefined)
    headers.authorization = `Basic ${Buffer.from(`${endpoint.username}:${endpoint.password ?? ''}`).toString('base64')}`;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const where = `Prometheus at ${endpoint.url} (from ${endpoint.source})`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { headers, signal });
    text = await response.text();
  } catch (error) {
    if (options.signal?.aborted) throw error;
    if (timeout.aborted)
      throw new PrometheusUnavailableError(
        `${where} did not answer within ${options.timeoutMs / 1000} s; check that it runs and is reachable from the prometheus-service`,
      );
    throw new PrometheusUnavailableError(`cannot reach ${where}: ${describeCause(error)}; check that Prometheus runs and the URL is right`);
  }
  if (response.status === 401 || response.status === 403)
    throw new PrometheusUnavailableError(
      `${where} rejected the request with ${response.status}; check 'username' and 'passwordSecret' in prometheus/config.yaml`,
    );
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!isRecord(body) || (body.status !== 'success' && body.status !== 'error'))
    throw new PrometheusUnavailableError(
      `${where} answered ${response.status} to GET /api/v1/query without Prometheus' JSON; check the URL (it is the base URL, e.g. http://prometheus:9090)`,
    );
  if (body.status === 'error') {
    const type = typeof body.errorType === 'string' ? body.errorType : 'error';
    const reason = typeof body.error === 'string' ? body.error : `status ${response.status}`;
    return { ok: false, message: `Prometheus rejected the query (${type}): ${reason}` };
  }
  return interpretQueryData(body.data);
}
