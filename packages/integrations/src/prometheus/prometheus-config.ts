/**
 * Where the prometheus-service finds Prometheus. Keptn read a Kubernetes secret
 * `prometheus-credentials-<project>` (`PROMETHEUS_URL`, `PROMETHEUS_USER`, `PROMETHEUS_PASSWORD`)
 * and fell back to the service's `PROMETHEUS_ENDPOINT`. Shipmate has no Kubernetes: the URL is
 * configuration in git, `prometheus/config.yaml` at the stage or project level,
 *
 *     url: http://prometheus.example:9090
 *     username: keptn                      # optional, for basic auth
 *     passwordSecret: {name: prometheus-shop, key: password}   # a Shipmate secret, scope keptn-prometheus-service
 *
 * falling back to the integration's `prometheusUrl` option. Pure: no I/O.
 */
import { ErrorCode, InputError } from '@shipmate/core';
import { isMap, isScalar } from 'yaml';
import { parseLocatedYaml } from '../config-file/parse-located-yaml.js';
import type { Node, YAMLMap } from 'yaml';

/** Where the provider reads its Prometheus URL (stage level, then project level). */
export const PROMETHEUS_CONFIG_URI = 'prometheus/config.yaml';

/** The scope a `passwordSecret` is read from unless it names one (Keptn's scope of this service). */
export const PROMETHEUS_SECRET_SCOPE = 'keptn-prometheus-service';

/** A Shipmate secret holding the password. */
export interface PasswordSecret {
  readonly name: string;
  readonly key: string;
  readonly scope: string;
}

/** A parsed `prometheus/config.yaml`. */
export interface PrometheusConfig {
  readonly url: string;
  readonly username?: string;
  readonly passwordSecret?: PasswordSecret;
}

/** Prometheus as the provider calls it. */
export interface PrometheusEndpoint {
  /** The base URL without credentials and without a trailing slash, e.g. `http://prom:9090/prometheus`. */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** Where the URL came from, for messages (e.g. `prometheus/config.yaml (stage level)`). */
  readonly source: string;
}

/** A bad Prometheus configuration, or none at all. */
export class PrometheusConfigError extends InputError {
  constructor(message: string) {
    super(ErrorCode.invalidPrometheusConfig, message);
  }
}

const CONFIG_EXAMPLE = 'e.g. "url: http://prometheus.example:9090"';

/**
 * Checks a Prometheus base URL and moves credentials written into it (`http://user:pass@host`)
 * into `username`/`password` (fetch refuses URLs with credentials).
 */
export function endpointFromUrl(raw: string, source: string, auth: { username?: string; password?: string } = {}): PrometheusEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(raw.trim());
  } catch {
    throw new PrometheusConfigError(`${source}: Prometheus URL '${raw}' is not a URL; ${CONFIG_EXAMPLE}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new PrometheusConfigError(`${source}: Prometheus URL '${raw}' must start with http:// or https://; ${CONFIG_EXAMPLE}`);
  const username = auth.username ?? (parsed.username ? decodeURIComponent(parsed.username) : undefined);
  const password = auth.password ?? (parsed.password ? decodeURIComponent(parsed.password) : undefined);
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  return {
    url: parsed.toString().replace(/\/+$/, ''),
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    source,
  };
}

/** Parses `prometheus/config.yaml`; `where` names it in messages. Throws {@link PrometheusConfigError}. */
export function parsePrometheusConfig(text: string, where: string = PROMETHEUS_CONFIG_URI): PrometheusConfig {
  const { doc, lineOf } = parseLocatedYaml(text, (line, reason) => new PrometheusConfigError(`${where} line ${line}: ${reason}`));
  const at = (node: Node | null | undefined): string => {
    const line = lineOf(node);
    return line === undefined ? where : `${where} line ${line}`;
  };
  const root = doc.contents;
  if (!isMap(root)) throw new PrometheusConfigError(`${at(root)}: the file must be a mapping with 'url'; ${CONFIG_EXAMPLE}`);
  const str = (map: YAMLMap, key: string, field: string): string | undefined => {
    const node = map.get(key, true) as Node | null | undefined;
    if (node === undefined || node === null || (isScalar(node) && node.value === null)) return undefined;
    if (isScalar(node) && typeof node.value === 'string' && node.value.trim() !== '') return node.value.trim();
    throw new PrometheusConfigError(`${at(node)}: '${field}' must be a non-empty string`);
  };
  const url = str(root, 'url', 'url');
  if (url === undefined) throw new PrometheusConfigError(`${at(root)}: missing required field 'url'; ${CONFIG_EXAMPLE}`);
  endpointFromUrl(url, at(root.get('url', true)));
  const username = str(root, 'username', 'username');
  const secretNode = root.get('passwordSecret', true) as Node | null | undefined;
  let passwordSecret: PasswordSecret | undefined;
  if (secretNode !== undefined && secretNode !== null && !(isScalar(secretNode) && secretNode.value === null)) {
    if (!isMap(secretNode))
      throw new PrometheusConfigError(`${at(secretNode)}: 'passwordSecret' must be a mapping {name: <secret>, key: <key in it>}`);
    const name = str(secretNode, 'name', 'passwordSecret.name');
    const key = str(secretNode, 'key', 'passwordSecret.key');
    if (name === undefined || key === undefined)
      throw new PrometheusConfigError(
        `${at(secretNode)}: 'passwordSecret' needs both 'name' (the secret) and 'key' (the key holding the password)`,
      );
    passwordSecret = { name, key, scope: str(secretNode, 'scope', 'passwordSecret.scope') ?? PROMETHEUS_SECRET_SCOPE };
  }
  if (passwordSecret !== undefined && username === undefined)
    throw new PrometheusConfigError(`${at(root)}: 'passwordSecret' is set without 'username'; add the user name for basic auth`);
  if (username !== undefined && passwordSecret === undefined)
    throw new PrometheusConfigError(
      `${at(root)}: 'username' is set without 'passwordSecret'; add passwordSecret: {name: <secret>, key: <key>} (a secret in scope ${PROMETHEUS_SECRET_SCOPE})`,
    );
  return { url, ...(username === undefined ? {} : { username }), ...(passwordSecret === undefined ? {} : { passwordSecret }) };
}

/** The error when no URL is configured anywhere; names both ways to set one. */
export function noPrometheusUrl(project: string, stage: string): PrometheusConfigError {
  return new PrometheusConfigError(
    `no Prometheus URL for stage '${stage}' of project '${project}': add ${PROMETHEUS_CONFIG_URI} with ${CONFIG_EXAMPLE} ` +
      `at the stage or project level, or give the prometheus-service a default URL (SHIPMATE_PROMETHEUS_URL for the one built into shipmate server)`,
  );
}
