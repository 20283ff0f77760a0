/**
 * Parses the workload file of the http-test-service: Shipmate's `test/workloads.yaml` or Keptn's
 * `jmeter/jmeter.conf.yaml` (jmeter-service §6.3), one schema for both. Pure: no I/O.
 *
 * Keptn's keys keep their meaning: `teststrategy`, `vuser` (concurrent connections), `loopcount`
 * (passes through the request list per connection), `thinktime` (ms between a connection's
 * requests), `acceptederrorrate` (a fraction, 0.1 = 10 %), `avgrtvalidation` (ms, 0 = off); `script`
 * and `properties` are accepted and not used (Shipmate sends HTTP requests itself, it runs no
 * JMeter). Shipmate adds `duration` (a Go duration: run for that long instead of `loopcount`
 * passes), `requests` (`{method, path, headers, body, checks}`) and `checks`.
 *
 * Keptn's Go decoder dropped what it could not read, so a typo (`vusers: 50`) silently ran the
 * defaults. This parser fails closed: an unknown key or an impossible value is a
 * {@link WorkloadParseError} naming the file, the line, the field and the fix.
 */
import { ErrorCode, InputError, parseGoDuration } from '@shipmate/core';
import { isMap, isScalar, isSeq } from 'yaml';
import { fieldNode, parseLocatedYaml } from '../config-file/parse-located-yaml.js';
import type { Node, YAMLMap } from 'yaml';

/** Shipmate's workload file. */
export const WORKLOADS_URI = 'test/workloads.yaml';
/** Keptn's jmeter-service workload file, read when there is no {@link WORKLOADS_URI}. */
export const JMETER_CONF_URI = 'jmeter/jmeter.conf.yaml';

/** The kinds of check a request's responses can be held to. */
export const CheckKind = {
  /** The status code is one of these (default: below 400). */
  status: 'status',
  /** The body contains this text. */
  bodyContains: 'bodyContains',
  /** The response arrived within this many milliseconds. */
  maxLatencyMs: 'maxLatencyMs',
} as const;
/** One of {@link CheckKind}. */
export type CheckKind = (typeof CheckKind)[keyof typeof CheckKind];
const CHECK_KINDS: readonly string[] = Object.values(CheckKind);

/** One check of a response. */
export type Check =
  | { readonly kind: typeof CheckKind.status; readonly statuses: readonly number[] }
  | { readonly kind: typeof CheckKind.bodyContains; readonly text: string }
  | { readonly kind: typeof CheckKind.maxLatencyMs; readonly ms: number };

/** The HTTP methods a request may use. */
// HEAD is left out: the load generator's response parser would wait for a body that never comes.
export const HTTP_METHODS: readonly string[] = Object.freeze(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** One request of a workload. */
export interface WorkloadRequest {
  readonly method: string;
  /** Resolved against the deployment URI; undefined: the URI itself. */
  readonly path: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  /** Undefined: no body. */
  readonly body: string | undefined;
  /** Checks of this request's responses, besides the workload's. */
  readonly checks: readonly Check[];
}

/** One workload: how a test strategy loads the service and what makes it fail. */
export interface Workload {
  readonly teststrategy: string;
  /** Concurrent connections (Keptn's virtual users). */
  readonly vuser: number;
  /** Passes through the request list per connection (unless {@link durationMs} is set). */
  readonly loopcount: number;
  /** Pause between a connection's requests, ms (0: none). */
  readonly thinktimeMs: number;
  /** The failed fraction of requests allowed (0..1). */
  readonly acceptedErrorRate: number;
  /** The highest average response time allowed, ms (0: no limit). */
  readonly avgRtValidationMs: number;
  /** Run for this long instead of `loopcount` passes. */
  readonly durationMs: number | undefined;
  /** Keptn's JMeter script; kept to say it is not run. */
  readonly script: string | undefined;
  /** Empty: one GET of the deployment URI. */
  readonly requests: readonly WorkloadRequest[];
  /** Checks of every response. */
  readonly checks: readonly Check[];
}

/** A workload file that cannot be used; the http-test-service fails the `test` task with this message. */
export class WorkloadParseError extends InputError {
  /** 1-based line of the offending node, when known. */
  readonly line: number | undefined;
  constructor(file: string, line: number | undefined, reason: string) {
    super(ErrorCode.invalidWorkload, line === undefined ? `${file}: ${reason}` : `${file} line ${line}: ${reason}`);
    this.line = line;
  }
}

const TOP_KEYS: readonly string[] = ['spec_version', 'workloads'];
const WORKLOAD_KEYS: readonly string[] = [
  'teststrategy',
  'vuser',
  'loopcount',
  'thinktime',
  'acceptederrorrate',
  'avgrtvalidation',
  'duration',
  'requests',
  'checks',
  'script',
  'properties',
];
const REQUEST_KEYS: readonly string[] = ['method', 'path', 'headers', 'body', 'checks'];

const EXAMPLE = `e.g. 'workloads: [{teststrategy: performance, vuser: 10, loopcount: 50, requests: [{path: /health}]}]'`;

/** A workload with Keptn's meaning of absent fields where Shipmate has a sensible one. */
function workload(teststrategy: string, fields: Partial<Omit<Workload, 'teststrategy'>> = {}): Workload {
  return Object.freeze({
    teststrategy,
    vuser: 1,
    loopcount: 1,
    thinktimeMs: 0,
    acceptedErrorRate: 0,
    avgRtValidationMs: 0,
    durationMs: undefined,
    script: undefined,
    requests: [],
    checks: [],
    ...fields,
  });
}

/** Keptn's built-in default workloads (jmeter-service `model.go`), used for strategies the file lacks or when there is no file. */
export const DEFAULT_WORKLOADS: readonly Workload[] = Object.freeze([
  workload('healthcheck', { thinktimeMs: 250, script: 'jmeter/basiccheck.jmx' }),
  workload('performance', { vuser: 10, loopcount: 500, thinktimeMs: 250, acceptedErrorRate: 0.1, script: 'jmeter/load.jmx' }),
  workload('functional', { thinktimeMs: 250, acceptedErrorRate: 0.1, script: 'jmeter/load.jmx' }),
]);

/** Parses a workload file's text; `file` names it in messages (e.g. `test/workloads.yaml (service level)`). */
export function parseWorkloads(text: string, file: string): readonly Workload[] {
  const { doc, lineOf } = parseLocatedYaml(text, (line, reason) => new WorkloadParseError(file, line, reason));
  const fail = (node: Node | null | undefined, reason: string): never => {
    throw new WorkloadParseError(file, lineOf(node), reason);
  };
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return [];
  if (!isMap(root)) return fail(root, `the document must be a mapping with a 'workloads' list, ${EXAMPLE}`);

  const get = fieldNode;
  const onlyKeys = (map: YAMLMap, known: readonly string[], where: string): void => {
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (!known.includes(key)) {
        const lower = key.toLowerCase();
        const near = known.find(
          (k) => k.toLowerCase() === lower.replace(/s$/, '') || (lower.length >= 3 && k.toLowerCase().startsWith(lower)),
        );
        fail(
          pair.key as Node,
          `${where} has unknown key '${key}'${near === undefined ? '' : ` (did you mean '${near}'?)`}; the keys are ${known.join(', ')}`,
        );
      }
    }
  };
  const string = (node: Node, field: string, fix: string): string => {
    if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')) return String(node.value);
    return fail(node, `${field} must be text; ${fix}`);
  };
  const number = (node: Node | undefined, field: string, check: (n: number) => boolean, fix: string): number | undefined => {
    if (node === undefined) return undefined;
    const value = isScalar(node) ? node.value : undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || !check(value))
      return fail(node, `${field} ${isScalar(node) ? `'${String(node.value)}'` : 'value'} is not valid: ${fix}`);
    return value;
  };

  onlyKeys(root, TOP_KEYS, 'the file');
  const list = get(root, 'workloads');
  if (list === undefined) return [];
  if (!isSeq(list)) return fail(list, `workloads must be a list of workloads, ${EXAMPLE}`);

  const checksOf = (node: Node | undefined, where: string): Check[] => {
    if (node === undefined) return [];
    if (!isSeq(node))
      return fail(node, `${where}.checks must be a list such as '[{status: 200}, {bodyContains: ok}, {maxLatencyMs: 500}]'`);
    return node.items.map((item, i): Check => {
      const at = `${where}.checks[${i}]`;
      const entry = item as Node;
      if (!isMap(entry) || entry.items.length !== 1)
        return fail(entry, `${at} must be a mapping with one of ${CHECK_KINDS.join(', ')}, e.g. '- status: 200'`);
      const pair = entry.items[0]!;
      const kind = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const value = pair.value as Node;
      switch (kind) {
        case CheckKind.status: {
          const items = isSeq(value) ? (value.items as Node[]) : [value];
          const statuses = items.map((n) =>
            number(
              n,
              `${at}.status`,
              (s) => Number.isInteger(s) && s >= 100 && s <= 599,
              'give an HTTP status code (100-599) or a list of them, e.g. [200, 204]',
            ),
          ) as number[];
          if (statuses.length === 0) return fail(value, `${at}.status is an empty list; give the status codes that pass, e.g. [200, 204]`);
          return { kind, statuses };
        }
        case CheckKind.bodyContains: {
          const text = string(value, `${at}.bodyContains`, "give the text the body must contain, e.g. 'bodyContains: ok'");
          if (text === '') return fail(value, `${at}.bodyContains is empty; give the text the body must contain`);
          return { kind, text };
        }
        case CheckKind.maxLatencyMs: {
          const ms = number(
            value,
            `${at}.maxLatencyMs`,
            (n) => n > 0,
            'give the longest time a response may take in milliseconds, e.g. 500',
          );
          return { kind, ms: ms! };
        }
        default:
          return fail(pair.key as Node, `${at} has unknown check kind '${kind}'; the kinds are ${CHECK_KINDS.join(', ')}`);
      }
    });
  };

  const requestsOf = (node: Node | undefined, where: string): WorkloadRequest[] => {
    if (node === undefined) return [];
    if (!isSeq(node)) return fail(node, `${where}.requests must be a list such as '[{method: GET, path: /health}]'`);
    return node.items.map((item, i): WorkloadRequest => {
      const at = `${where}.requests[${i}]`;
      const entry = item as Node;
      if (!isMap(entry)) return fail(entry, `${at} must be a mapping with method, path, headers, body, checks`);
      onlyKeys(entry, REQUEST_KEYS, at);
      const methodNode = get(entry, 'method');
      const method =
        methodNode === undefined ? 'GET' : string(methodNode, `${at}.method`, `use one of ${HTTP_METHODS.join(', ')}`).toUpperCase();
      if (!HTTP_METHODS.includes(method))
        return fail(methodNode, `${at}.method '${method}' is not supported; use one of ${HTTP_METHODS.join(', ')}`);
      const pathNode = get(entry, 'path');
      const path = pathNode === undefined ? undefined : string(pathNode, `${at}.path`, "give a path such as '/health'");
      if (path !== undefined && !path.startsWith('/'))
        return fail(pathNode, `${at}.path '${path}' must start with '/' (it is resolved against the deployment URI), e.g. '/health'`);
      const headersNode = get(entry, 'headers');
      const headers: Record<string, string> = {};
      if (headersNode !== undefined) {
        if (!isMap(headersNode))
          return fail(headersNode, `${at}.headers must be a mapping of name to value, e.g. '{accept: application/json}'`);
        for (const pair of headersNode.items) {
          const name = isScalar(pair.key) ? String(pair.key.value) : '';
          if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
            return fail(pair.key as Node, `${at}.headers has a name '${name}' that is not an HTTP header name`);
          headers[name] = string(pair.value as Node, `${at}.headers.${name}`, 'give the header value as text');
        }
      }
      const bodyNode = get(entry, 'body');
      const body = bodyNode === undefined ? undefined : string(bodyNode, `${at}.body`, 'give the body as text, e.g. body: \'{"a": 1}\'');
      return { method, path, headers, body, checks: checksOf(get(entry, 'checks'), at) };
    });
  };

  const seen = new Set<string>();
  return list.items.map((item, i): Workload => {
    const entry = item as Node;
    const at = `workloads[${i}]`;
    if (!isMap(entry)) return fail(entry, `${at} must be a mapping with teststrategy and its settings, ${EXAMPLE}`);
    const strategyNode = get(entry, 'teststrategy');
    if (strategyNode === undefined)
      return fail(entry, `${at}.teststrategy is missing; name the strategy it runs, e.g. 'teststrategy: performance'`);
    const teststrategy = string(strategyNode, `${at}.teststrategy`, "name the strategy, e.g. 'teststrategy: performance'").trim();
    if (teststrategy === '') return fail(strategyNode, `${at}.teststrategy is empty; name the strategy, e.g. 'teststrategy: performance'`);
    if (seen.has(teststrategy.toLowerCase()))
      return fail(strategyNode, `${at}.teststrategy '${teststrategy}' is defined twice; keep one workload per strategy`);
    seen.add(teststrategy.toLowerCase());
    const where = `${at} (teststrategy '${teststrategy}')`;
    onlyKeys(entry, WORKLOAD_KEYS, where);

    const int = (key: string, min: number, fix: string) =>
      number(get(entry, key), `${where}.${key}`, (n) => Number.isInteger(n) && n >= min, fix);
    const vuser = int('vuser', 1, 'it is the number of concurrent connections: a whole number of at least 1, e.g. 10');
    const loopcount = int(
      'loopcount',
      1,
      'it is how often each connection goes through the requests: a whole number of at least 1, e.g. 50',
    );
    const thinktime = int('thinktime', 0, 'it is the pause between requests in milliseconds: a whole number of at least 0, e.g. 250');
    const acceptederrorrate = number(
      get(entry, 'acceptederrorrate'),
      `${where}.acceptederrorrate`,
      (n) => n >= 0 && n <= 1,
      'it is the fraction of requests allowed to fail, from 0 to 1 (0.1 = 10 %)',
    );
    const avgrtvalidation = number(
      get(entry, 'avgrtvalidation'),
      `${where}.avgrtvalidation`,
      (n) => n >= 0,
      'it is the highest average response time in milliseconds (0: no limit), e.g. 500',
    );
    const durationNode = get(entry, 'duration');
    let durationMs: number | undefined;
    if (durationNode !== undefined) {
      const text = string(durationNode, `${where}.duration`, "give a Go duration such as '30s' or '2m'");
      try {
        durationMs = parseGoDuration(text, `${where}.duration`);
      } catch (error) {
        return fail(durationNode, error instanceof Error ? error.message : String(error));
      }
      if (durationMs < 1000) return fail(durationNode, `${where}.duration '${text}' is shorter than 1s; give at least '1s', e.g. '30s'`);
    }
    const scriptNode = get(entry, 'script');
    const propertiesNode = get(entry, 'properties');
    if (propertiesNode !== undefined && !isMap(propertiesNode))
      return fail(propertiesNode, `${where}.properties must be a mapping (it is not used)`);
    return workload(teststrategy, {
      ...(vuser === undefined ? {} : { vuser }),
      ...(loopcount === undefined ? {} : { loopcount }),
      ...(thinktime === undefined ? {} : { thinktimeMs: thinktime }),
      ...(acceptederrorrate === undefined ? {} : { acceptedErrorRate: acceptederrorrate }),
      ...(avgrtvalidation === undefined ? {} : { avgRtValidationMs: avgrtvalidation }),
      durationMs,
      script: scriptNode === undefined ? undefined : string(scriptNode, `${where}.script`, 'give the script path (it is not run)'),
      requests: requestsOf(get(entry, 'requests'), where),
      checks: checksOf(get(entry, 'checks'), where),
    });
  });
}

/** The workload for `strategy` (case-insensitive): the file's, else Keptn's default; undefined when neither has it. */
export function findWorkload(strategy: string, fromFile: readonly Workload[]): Workload | undefined {
  const wanted = strategy.toLowerCase();
  return (
    fromFile.find((w) => w.teststrategy.toLowerCase() === wanted) ?? DEFAULT_WORKLOADS.find((w) => w.teststrategy.toLowerCase() === wanted)
  );
}

/** Every strategy `findWorkload` knows: the file's and the defaults. */
export function knownStrategies(fromFile: readonly Workload[]): string[] {
  return [...new Set([...fromFile, ...DEFAULT_WORKLOADS].map((w) => w.teststrategy))];
}
