/**
 * The integrations `shipmate server` runs itself, as Keptn's control plane ran its approval-service:
 * each is an ordinary integration written with `@shipmate/agent-sdk`, registered in the registry
 * under Keptn's name with its subscriptions and an instance at location `control-plane`, and it
 * receives its tasks over the same long poll as a remote agent. They call the API over loopback
 * with a token made for this process only (never stored or printed; built-in-token.ts).
 *
 * `shipmate agent --integration` loads this registry too, so nothing here may import the server,
 * its store or its configuration repositories (agent-imports.test.ts checks it).
 */
import { hostname } from 'node:os';
import { createIntegration, stderrLogger } from '@shipmate/agent-sdk';
import type { Integration } from '@shipmate/agent-sdk';
import {
  APPROVAL_SERVICE,
  DEPLOYMENT_SERVICE,
  HELM_SERVICE,
  HTTP_TEST_SERVICE,
  JOB_EXECUTOR_SERVICE,
  LIGHTHOUSE_SERVICE,
  PROMETHEUS_SERVICE,
  REMEDIATION_SERVICE,
  TEST_RESULTS_SERVICE,
  WEBHOOK_SERVICE,
  createProcessRuntime,
  resolvePrometheusOptions,
  withApproval,
  withDeployment,
  withHttpTest,
  withJob,
  withLighthouse,
  withPrometheus,
  withRemediation,
  withTestResults,
  withWebhook,
} from '@shipmate/integrations';
import { ConfigError } from '../config/config-error.js';
import { jobOptionsFromEnv } from './job-options.js';
import { webhookOptionsFromEnv } from './webhook-options.js';
import { helmRuntimeFromEnv } from './helm-options.js';
import { deploymentOptionsFromEnv } from './deployment-options.js';

/** What a built-in may read besides its integration: the environment (only apps read it) and where it runs. */
export interface BuiltInContext {
  readonly env: NodeJS.ProcessEnv;
  /** The control plane's API URL the integration talks to. */
  readonly endpoint: string;
  /** `control-plane` inside `shipmate server`, otherwise the agent's LOCATION. */
  readonly location: string;
}

/** How a built-in subscribes its tasks on an integration created under its name. */
type SubscribeBuiltIn = (integration: Integration, context: BuiltInContext) => Integration;

/** The control plane's built-in integrations by Keptn's name: `shipmate server` runs them. */
const BUILT_INS: Readonly<Record<string, SubscribeBuiltIn>> = Object.freeze({
  [APPROVAL_SERVICE]: withApproval,
  [REMEDIATION_SERVICE]: withRemediation,
  [LIGHTHOUSE_SERVICE]: (integration) => withLighthouse(integration),
  // In the server, SHIPMATE_PROMETHEUS_URL was checked by resolveServerConfig before it started.
  [PROMETHEUS_SERVICE]: (integration, context) =>
    withPrometheus(integration, {
      prometheusUrl: prometheusUrlOf(context.env.SHIPMATE_PROMETHEUS_URL),
      prometheusUrlSource: 'SHIPMATE_PROMETHEUS_URL',
    }),
  [WEBHOOK_SERVICE]: (integration, context) =>
    withWebhook(integration, webhookOptionsFromEnv(context.env, context.endpoint, context.location === 'control-plane')),
});

/**
 * The execution plane's built-in integrations (they do the work of a delivery on the machine they
 * run on): `shipmate up` runs them beside the control plane; `shipmate server` does not.
 */
const EXECUTION_PLANE_BUILT_INS: Readonly<Record<string, SubscribeBuiltIn>> = Object.freeze({
  [DEPLOYMENT_SERVICE]: (integration, context) => withDeployment(integration, createProcessRuntime(deploymentOptionsFromEnv(context.env))),
  [JOB_EXECUTOR_SERVICE]: (integration, context) => withJob(integration, jobOptionsFromEnv(context.env)),
  [HTTP_TEST_SERVICE]: (integration) => withHttpTest(integration),
  [TEST_RESULTS_SERVICE]: (integration) => withTestResults(integration),
  // The same deployment integration with the Helm runtime, under Keptn's name (a cluster's plane).
  [HELM_SERVICE]: (integration, context) => withDeployment(integration, helmRuntimeFromEnv(context.env)),
});

/** Every built-in, for `shipmate agent --integration`. */
const ALL_BUILT_INS: Readonly<Record<string, SubscribeBuiltIn>> = Object.freeze({ ...BUILT_INS, ...EXECUTION_PLANE_BUILT_INS });

/** Names of the control plane's built-in integrations (SHIPMATE_BUILT_IN_INTEGRATIONS). */
export const BUILT_IN_NAMES: readonly string[] = Object.freeze(Object.keys(BUILT_INS));

/** Names of the execution plane's built-in integrations. */
export const EXECUTION_PLANE_BUILT_IN_NAMES: readonly string[] = Object.freeze(Object.keys(EXECUTION_PLANE_BUILT_INS));

/**
 * What `shipmate up` runs on this machine: every execution-plane built-in but `helm-service`,
 * which answers the same deployment tasks as `deployment-service` and needs a cluster (run it with
 * `shipmate agent --integration helm-service` in the cluster's plane).
 */
export const LOCAL_PLANE_BUILT_IN_NAMES: readonly string[] = Object.freeze(
  EXECUTION_PLANE_BUILT_IN_NAMES.filter((name) => name !== HELM_SERVICE),
);

/** Names of every built-in integration. */
export const ALL_BUILT_IN_NAMES: readonly string[] = Object.freeze(Object.keys(ALL_BUILT_INS));

/**
 * Subscribes built-in `name` on `integration` (created under that name); a name that is not a
 * built-in is a ConfigError listing the names (`source` says where it came from).
 */
export function subscribeBuiltIn(name: string, integration: Integration, context: BuiltInContext, source: string): Integration {
  const subscribe = ALL_BUILT_INS[name];
  if (!subscribe) throw new ConfigError(`${source} '${name}' is not a built-in integration: give one of ${ALL_BUILT_IN_NAMES.join(', ')}`);
  return subscribe(integration, context);
}

/** SHIPMATE_BUILT_IN_INTEGRATIONS: a comma-separated list of built-in names, or `none`. */
export function parseBuiltIns(value: string | undefined): readonly string[] {
  if (value === undefined || value.trim() === '') return BUILT_IN_NAMES;
  if (value.trim() === 'none') return [];
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.find((name) => !(name in BUILT_INS));
  if (unknown !== undefined)
    throw new ConfigError(
      `SHIPMATE_BUILT_IN_INTEGRATIONS='${value}' is not valid: '${unknown}' is not a built-in integration; give some of ${BUILT_IN_NAMES.join(', ')}, or none`,
    );
  return Object.freeze([...new Set(names)]);
}

/** SHIPMATE_PROMETHEUS_URL: the prometheus-service's Prometheus for projects and stages without prometheus/config.yaml. */
export function prometheusUrlOf(value: string | undefined): string | undefined {
  try {
    return resolvePrometheusOptions({ prometheusUrl: value, prometheusUrlSource: 'SHIPMATE_PROMETHEUS_URL' }).prometheusUrl;
  } catch (error) {
    throw new ConfigError(
      `SHIPMATE_PROMETHEUS_URL='${value}' is not valid: ${error instanceof Error ? error.message.replace(/^SHIPMATE_PROMETHEUS_URL: /, '') : String(error)}`,
    );
  }
}

/** Running built-ins. */
export interface BuiltIns {
  /** Drains them and removes their instances from the registry. */
  stop(): Promise<void>;
}

/** Starts the named built-ins against the API at `endpoint` (e.g. `http://127.0.0.1:8080/api`). */
export async function startBuiltIns(options: {
  names: readonly string[];
  endpoint: string;
  token: string;
  namespace: string;
  version: string;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** @default 'control-plane' */
  location?: string;
  /**
   * Verify the certificate of an `https://` endpoint. The server's own built-ins call its TLS
   * listener on loopback, whose certificate names the public host, not 127.0.0.1: they pass false
   * (the listener is this process's own; their token is made per process). @default true
   */
  sslVerify?: boolean;
}): Promise<BuiltIns> {
  const started: Integration[] = [];
  const location = options.location ?? 'control-plane';
  for (const name of options.names) {
    const subscribe = ALL_BUILT_INS[name];
    if (!subscribe) continue;
    const integration = subscribe(
      createIntegration({
        name,
        namespace: options.namespace,
        controlPlane: { endpoint: options.endpoint, token: options.token, sslVerify: options.sslVerify ?? true },
        hostname: hostname(),
        podname: `${name}-${process.pid}`,
        location,
        version: options.version,
        handleSignals: false,
        logger: stderrLogger(name),
      }),
      { env: options.env ?? process.env, endpoint: options.endpoint, location },
    );
    await integration.start();
    started.push(integration);
  }
  return {
    async stop() {
      await Promise.all(started.map((integration) => integration.stop()));
    },
  };
}

/** The loopback URL of the API of a server listening at `url` (what `listen` returned). */
export function loopbackApi(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname === '0.0.0.0') parsed.hostname = '127.0.0.1';
  if (parsed.hostname === '[::]') parsed.hostname = '[::1]';
  return `${parsed.origin}/api`;
}
