/**
 * The Prometheus SLI provider (Keptn's `prometheus-service`): answers `get-sli` tasks whose
 * `data["get-sli"].sliProvider` is `prometheus` (others are declined without a word, so another
 * provider can take them). For each requested indicator it takes the query from
 * `prometheus/sli.yaml` (project, then stage, then service level; a later level overrides an
 * indicator of an earlier one, as in Keptn), replaces the placeholders, and runs it as an instant
 * query at the window's end.
 *
 * The `.finished` data is Keptn's: `get-sli: {start, end, indicatorValues: [{metric, value,
 * success, message}]}` (plus `sliProvider` and `indicators` from the request). An indicator
 * without a value has `success: false`, `value: 0` (Keptn's wire format; the lighthouse never
 * scores it) and a message; the result is `pass` when all succeeded, `warning` when some did and
 * `fail` when none did (Keptn). What makes every indicator impossible (no or a bad sli.yaml, no
 * Prometheus URL, Prometheus unreachable, a request without a window) ends the task `errored`/`fail`
 * with a message naming the cause and the fix.
 */
import type { Integration, TaskContext, TaskHandler } from '@shipmate/agent-sdk';
import type { KeptnEvent } from '@shipmate/core';
import { ShipmateError } from '@shipmate/core';
import { getSliBlock, readGetSliRequest } from './get-sli-request.js';
import type { GetSliRequest } from './get-sli-request.js';
import { parseSliConfig, SLI_RESOURCE_URI, SliConfigError } from './parse-sli-config.js';
import type { SliQueries } from './parse-sli-config.js';
import {
  endpointFromUrl,
  noPrometheusUrl,
  parsePrometheusConfig,
  PROMETHEUS_CONFIG_URI,
  PrometheusConfigError,
} from './prometheus-config.js';
import type { PrometheusEndpoint } from './prometheus-config.js';
import { queryPrometheus } from './query-prometheus.js';
import { substitutePlaceholders } from './substitute-placeholders.js';

/** Keptn's name of the integration. */
export const PROMETHEUS_SERVICE = 'prometheus-service';

/** The `sliProvider` this integration answers for. */
export const PROMETHEUS_SLI_PROVIDER = 'prometheus';

/** Options of the prometheus-service. */
export interface PrometheusOptions {
  /** Prometheus' base URL for projects and stages without `prometheus/config.yaml`. @default none */
  prometheusUrl?: string | undefined;
  /** How messages name where `prometheusUrl` came from. @default 'the prometheusUrl option' */
  prometheusUrlSource?: string;
  /** How long one query may take. @default 30000 */
  queryTimeoutMs?: number;
}

/** {@link PrometheusOptions} resolved. */
export interface ResolvedPrometheusOptions {
  readonly prometheusUrl: string | undefined;
  readonly prometheusUrlSource: string;
  readonly queryTimeoutMs: number;
}

/** One SLI value as Keptn's `SLIResult`. */
export interface SliResult {
  readonly metric: string;
  readonly value: number;
  readonly success: boolean;
  readonly message: string;
}

/** Resolves and checks options once (an unusable `prometheusUrl` throws, naming it). */
export function resolvePrometheusOptions(options: PrometheusOptions = {}): ResolvedPrometheusOptions {
  const url = options.prometheusUrl?.trim() ? options.prometheusUrl.trim() : undefined;
  const prometheusUrlSource = options.prometheusUrlSource ?? 'the prometheusUrl option';
  if (url !== undefined) endpointFromUrl(url, prometheusUrlSource);
  const queryTimeoutMs = options.queryTimeoutMs ?? 30_000;
  if (!Number.isFinite(queryTimeoutMs) || queryTimeoutMs <= 0)
    throw new PrometheusConfigError(`queryTimeoutMs ${queryTimeoutMs} must be a positive number of milliseconds`);
  return Object.freeze({ prometheusUrl: url, prometheusUrlSource, queryTimeoutMs });
}

/** Whether a `get-sli` task asks for this provider (Keptn's prometheusSLIProviderFilter). */
export function acceptsPrometheus(event: KeptnEvent): boolean {
  return getSliBlock(event.data)?.sliProvider === PROMETHEUS_SLI_PROVIDER;
}

/** The queries of `prometheus/sli.yaml`, merged project < stage < service; undefined when no level has it. */
async function loadQueries(task: TaskContext): Promise<SliQueries | undefined> {
  let merged: Record<string, string> | undefined;
  for (const level of ['project', 'stage', 'service'] as const) {
    const file = await task.resource(SLI_RESOURCE_URI, { levels: [level] });
    if (!file) continue;
    merged = { ...merged, ...parseSliConfig(file.content.toString('utf8'), `${SLI_RESOURCE_URI} (${level} level)`) };
  }
  return merged;
}

/** Prometheus for the task's stage: `prometheus/config.yaml` at stage, then project level, then the option. */
async function resolveEndpoint(task: TaskContext, request: GetSliRequest, options: ResolvedPrometheusOptions): Promise<PrometheusEndpoint> {
  const file = await task.resource(PROMETHEUS_CONFIG_URI, { levels: ['stage', 'project'] });
  if (!file) {
    if (options.prometheusUrl === undefined) throw noPrometheusUrl(request.project, request.stage);
    return endpointFromUrl(options.prometheusUrl, options.prometheusUrlSource);
  }
  const where = `${PROMETHEUS_CONFIG_URI} (${file.level} level)`;
  const config = parsePrometheusConfig(file.content.toString('utf8'), where);
  if (!config.passwordSecret) return endpointFromUrl(config.url, where);
  const { name, key, scope } = config.passwordSecret;
  let values: Readonly<Record<string, string>>;
  try {
    values = await task.secret(name, scope);
  } catch (error) {
    throw new PrometheusConfigError(
      `${where}: cannot read passwordSecret '${name}' in scope ${scope}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const password = values[key];
  if (password === undefined)
    throw new PrometheusConfigError(
      `${where}: secret '${name}' (scope ${scope}) has no key '${key}'; its keys: ${Object.keys(values).join(', ') || 'none'}`,
    );
  return endpointFromUrl(config.url, where, { ...(config.username === undefined ? {} : { username: config.username }), password });
}

function errored(request: GetSliRequest | undefined, data: TaskContext['data'], message: string): Record<string, unknown> {
  const block = getSliBlock(data) ?? {};
  return {
    status: 'errored',
    result: 'fail',
    message,
    'get-sli': {
      sliProvider: request?.sliProvider ?? block.sliProvider,
      start: request?.startText ?? block.start,
      end: request?.endText ?? block.end,
      indicators: request?.indicators ?? block.indicators,
      indicatorValues: [],
    },
  };
}

/** Measures every requested indicator; throws for what fails them all. */
async function measure(task: TaskContext, request: GetSliRequest, options: ResolvedPrometheusOptions): Promise<SliResult[]> {
  const queries = await loadQueries(task);
  if (queries === undefined)
    throw new SliConfigError(
      `no ${SLI_RESOURCE_URI} for service '${request.service}' in stage '${request.stage}' of project '${request.project}'`,
      undefined,
      `add it at the service, stage or project level (PUT .../resource with resourceURI ${SLI_RESOURCE_URI}) with an 'indicators' mapping of name to PromQL query`,
    );
  const endpoint = await resolveEndpoint(task, request, options);
  await task.progress(`querying ${request.indicators.length} indicator(s) from Prometheus at ${endpoint.url} (from ${endpoint.source})`);
  const results: SliResult[] = [];
  for (const metric of request.indicators) {
    const template = queries[metric];
    if (template === undefined) {
      results.push({
        metric,
        value: 0,
        success: false,
        message: `indicator '${metric}' is not in ${SLI_RESOURCE_URI} (it has ${Object.keys(queries).join(', ')}); add its query there`,
      });
      continue;
    }
    const query = substitutePlaceholders(template, request);
    const measured = await queryPrometheus(endpoint, query, request.end, { timeoutMs: options.queryTimeoutMs, signal: task.signal });
    results.push(
      measured.ok
        ? { metric, value: measured.value, success: true, message: '' }
        : { metric, value: 0, success: false, message: `${measured.message}; query: ${query}` },
    );
  }
  return results;
}

/** The handler of `get-sli` tasks, with resolved options. */
export function createPrometheusHandler(options: PrometheusOptions = {}): TaskHandler {
  const resolved = resolvePrometheusOptions(options);
  return async (task) => {
    let request: GetSliRequest | undefined;
    let values: SliResult[];
    try {
      request = readGetSliRequest(task.data);
      values = await measure(task, request, resolved);
    } catch (error) {
      if (task.signal.aborted) throw error;
      // Expected causes carry a message with the fix; anything else still ends the task, named.
      const message =
        error instanceof ShipmateError
          ? error.message
          : `prometheus-service failed: ${error instanceof Error ? error.message : String(error)}`;
      return errored(request, task.data, message);
    }
    const failed = values.filter((v) => !v.success).length;
    const result = failed === 0 ? 'pass' : failed < values.length ? 'warning' : 'fail';
    return {
      status: 'succeeded',
      result,
      ...(result === 'pass'
        ? {}
        : { message: failed < values.length ? `${failed} of ${values.length} indicator(s) have no value` : 'unable to retrieve metrics' }),
      'get-sli': {
        sliProvider: request.sliProvider,
        start: request.startText,
        end: request.endText,
        indicators: request.indicators,
        indicatorValues: values,
      },
    };
  };
}

/** Subscribes the Prometheus SLI provider on `integration` (named {@link PROMETHEUS_SERVICE}). */
export function withPrometheus(integration: Integration, options: PrometheusOptions = {}): Integration {
  return integration.onTask('get-sli', createPrometheusHandler(options), { accepts: acceptsPrometheus });
}
