/**
 * Configuration of `shipmate agent`, read from the variables of Keptn's distributor (remote/HTTP
 * mode) with Keptn's defaults, so an existing execution-plane chart carries over. Precedence:
 * defaults < environment < flags. Resolved once into a frozen object; an unusable value throws a
 * ConfigError naming the variable and the fix (the CLI exits 2).
 */
import { readFileSync } from 'node:fs';
import { MAX_WAIT_MS } from '@shipmate/core';
import { DEFAULT_POLL_WAIT_MS } from '@shipmate/agent-sdk';
import { ConfigError } from '../config/config-error.js';
import { booleanValue, durationValue, integerValue, listValue } from '../config/env-values.js';
import { parseApiEndpoint } from './api-endpoint.js';
import { parseNatsUrl } from '@shipmate/bus-nats/url';
import { DEFAULT_TASK_STREAM, checkStreamName } from '@shipmate/bus-nats/names';

/** Flags that override the environment (strings as commander gives them). */
export interface AgentFlags {
  /** Overrides KEPTN_API_ENDPOINT. */
  endpoint?: string;
  /** Overrides KEPTN_API_TOKEN. */
  token?: string;
}

/** How {@link resolveAgentConfig} treats the endpoint. */
export interface AgentConfigOptions {
  /**
   * When false, the endpoint is kept as given (trimmed) instead of being checked, so that
   * `agent test-connection` can report a malformed endpoint as its first check. @default true
   */
  checkEndpoint?: boolean;
}

/** Resolved agent configuration. */
export interface AgentConfig {
  /** KEPTN_API_ENDPOINT (`--endpoint`): the control plane's API URL ending in `/api`, no trailing slash. */
  readonly apiEndpoint: string;
  /** Which of KEPTN_API_ENDPOINT / `--endpoint` gave the endpoint, for messages. */
  readonly apiEndpointSource: string;
  /** KEPTN_API_TOKEN (`--token`), sent as `x-token`; empty when unset. */
  readonly apiToken: string;
  /** Which of KEPTN_API_TOKEN / `--token` gave the token, for messages. */
  readonly apiTokenSource: string;
  /** HTTP_SSL_VERIFY: verify the control plane's TLS certificate. @default true */
  readonly sslVerify: boolean;
  /** SHIPMATE_CA_FILE: path of a PEM bundle trusted in addition to the system CAs. */
  readonly caFile: string | undefined;
  /** Contents of {@link caFile}. */
  readonly caPem: string | undefined;
  /** PUBSUB_TOPIC: event types of the initial subscriptions (`*` and `>` wildcards allowed). */
  readonly topics: readonly string[];
  /** PUBSUB_RECIPIENT + PUBSUB_RECIPIENT_PORT + PUBSUB_RECIPIENT_PATH, as the distributor joins them. */
  readonly recipientUrl: string;
  /** PROJECT_FILTER. */
  readonly projectFilter: readonly string[];
  /** STAGE_FILTER. */
  readonly stageFilter: readonly string[];
  /** SERVICE_FILTER. */
  readonly serviceFilter: readonly string[];
  /** K8S_DEPLOYMENT_NAME: the integration's name (unique per execution plane). */
  readonly deploymentName: string;
  /** K8S_NAMESPACE. */
  readonly namespace: string;
  /** K8S_POD_NAME. */
  readonly podName: string;
  /** K8S_NODE_NAME, reported as the instance's hostname. @default 'keptn-node' (Keptn's default) */
  readonly nodeName: string;
  /** LOCATION. @default 'remote-execution-plane' (the distributor's default in HTTP mode) */
  readonly location: string;
  /** VERSION: the integration's version. */
  readonly version: string;
  /** API_PROXY_PORT: local port of the distributor surface (localhost only). @default 8081 */
  readonly apiProxyPort: number;
  /**
   * SHIPMATE_METRICS_PORT: a port on all interfaces serving only `GET /metrics` and `GET /health`,
   * for Prometheus and probes. Unset: no such port (the local surface still serves `/metrics`).
   */
  readonly metricsPort: number | undefined;
  /** HEARTBEAT_INTERVAL (Go duration). @default 5s (the Go SDK's interval; the distributor's is 10s) */
  readonly heartbeatIntervalMs: number;
  /** API_PROXY_MAX_PAYLOAD_BYTES_KB: body cap of the local endpoints, in bytes. @default 64 KiB (Keptn's) */
  readonly maxPayloadBytes: number;
  /**
   * SHIPMATE_FORWARD_RETRY (Go duration): how long a task is retried while the recipient is down.
   * Keep it below the control plane's SHIPMATE_TASK_LEASE, after which another replica may get the
   * task. @default 25s
   */
  readonly forwardRetryMs: number;
  /** SHIPMATE_DRAIN_TIMEOUT (Go duration): on SIGTERM, how long to wait for forwarded tasks to finish. @default 60s */
  readonly drainTimeoutMs: number;
  /**
   * SHIPMATE_POLL_WAIT (Go duration, 1s to 60s): how long each task long poll parks on the control
   * plane; keep it below the idle timeout of a proxy or load balancer in between. @default 55s
   */
  readonly pollWaitMs: number;
  /**
   * SHIPMATE_TASK_SOURCE: take tasks from the control plane's JetStream stream on this NATS server
   * instead of the long poll (docs/nats.md); undefined: the long poll.
   */
  readonly taskSource: TaskSourceConfig | undefined;
}

/** Where a JetStream task source reads (SHIPMATE_TASK_SOURCE, SHIPMATE_TASK_STREAM, SHIPMATE_TASK_ACK_WAIT). */
export interface TaskSourceConfig {
  /** The nats:// URL as given (it may hold a password: print `redactedUrl`). */
  readonly url: string;
  readonly redactedUrl: string;
  /** SHIPMATE_TASK_STREAM, the control plane's stream. @default shipmate-tasks */
  readonly stream: string;
  /** SHIPMATE_TASK_ACK_WAIT (Go duration): how long a task may stay without `.started` before another instance gets it. @default 30s */
  readonly ackWaitMs: number;
}

/** Resolves the agent configuration from the environment and flags. */
export function resolveAgentConfig(env: NodeJS.ProcessEnv, flags: AgentFlags = {}, options: AgentConfigOptions = {}): AgentConfig {
  const apiEndpointSource = flags.endpoint !== undefined ? '--endpoint' : 'KEPTN_API_ENDPOINT';
  const rawEndpoint = (flags.endpoint ?? env.KEPTN_API_ENDPOINT ?? '').trim();
  let apiEndpoint = rawEndpoint;
  if (options.checkEndpoint ?? true) {
    const parsed = parseApiEndpoint(rawEndpoint, apiEndpointSource);
    if (!parsed.ok) throw new ConfigError(`${parsed.cause}: ${parsed.fix}`);
    apiEndpoint = parsed.endpoint.base;
  }
  const caFile = env.SHIPMATE_CA_FILE || undefined;
  return Object.freeze({
    apiEndpoint,
    apiEndpointSource,
    apiToken: flags.token ?? env.KEPTN_API_TOKEN ?? '',
    apiTokenSource: flags.token !== undefined ? '--token' : 'KEPTN_API_TOKEN',
    sslVerify: booleanValue(env.HTTP_SSL_VERIFY, true, 'HTTP_SSL_VERIFY'),
    caFile,
    caPem: caFile === undefined ? undefined : readCaFile(caFile),
    topics: listValue(env.PUBSUB_TOPIC),
    recipientUrl: recipientUrl(env),
    projectFilter: listValue(env.PROJECT_FILTER),
    stageFilter: listValue(env.STAGE_FILTER),
    serviceFilter: listValue(env.SERVICE_FILTER),
    deploymentName: env.K8S_DEPLOYMENT_NAME ?? '',
    namespace: env.K8S_NAMESPACE ?? '',
    podName: env.K8S_POD_NAME ?? '',
    nodeName: env.K8S_NODE_NAME || 'keptn-node',
    location: env.LOCATION || 'remote-execution-plane',
    version: env.VERSION ?? '',
    apiProxyPort: integerValue(env.API_PROXY_PORT, 8081, 'API_PROXY_PORT', 1, 65535),
    metricsPort: env.SHIPMATE_METRICS_PORT?.trim()
      ? integerValue(env.SHIPMATE_METRICS_PORT, 0, 'SHIPMATE_METRICS_PORT', 1, 65535)
      : undefined,
    heartbeatIntervalMs: heartbeatInterval(env.HEARTBEAT_INTERVAL),
    maxPayloadBytes: integerValue(env.API_PROXY_MAX_PAYLOAD_BYTES_KB, 64, 'API_PROXY_MAX_PAYLOAD_BYTES_KB', 1, 1024 * 1024) * 1024,
    forwardRetryMs: durationValue(env.SHIPMATE_FORWARD_RETRY, '25s', 'SHIPMATE_FORWARD_RETRY'),
    drainTimeoutMs: durationValue(env.SHIPMATE_DRAIN_TIMEOUT, '60s', 'SHIPMATE_DRAIN_TIMEOUT'),
    pollWaitMs: pollWait(env.SHIPMATE_POLL_WAIT),
    taskSource: taskSource(env),
  });
}

/** SHIPMATE_TASK_SOURCE and its companions, or undefined (the long poll) when it is unset or empty. */
function taskSource(env: NodeJS.ProcessEnv): TaskSourceConfig | undefined {
  const url = env.SHIPMATE_TASK_SOURCE?.trim() ?? '';
  if (url === '') return undefined;
  try {
    const { redacted } = parseNatsUrl(url, 'SHIPMATE_TASK_SOURCE');
    const stream = checkStreamName(env.SHIPMATE_TASK_STREAM?.trim() || DEFAULT_TASK_STREAM, 'SHIPMATE_TASK_STREAM');
    const ackWaitMs = durationValue(env.SHIPMATE_TASK_ACK_WAIT, '30s', 'SHIPMATE_TASK_ACK_WAIT');
    if (ackWaitMs < 1000) throw new ConfigError(`SHIPMATE_TASK_ACK_WAIT='${env.SHIPMATE_TASK_ACK_WAIT}' is shorter than 1s; e.g. 30s`);
    return Object.freeze({ url, redactedUrl: redacted, stream, ackWaitMs });
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${(error as Error).message}; or leave SHIPMATE_TASK_SOURCE unset to take tasks from the long poll`);
  }
}

/** `<recipient>:<port>[/<path>]`, with `http://` prepended to a recipient without a scheme (as the distributor does). */
function recipientUrl(env: NodeJS.ProcessEnv): string {
  const raw = env.PUBSUB_RECIPIENT || '127.0.0.1';
  const recipient = (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`).replace(/\/+$/, '');
  const port = integerValue(env.PUBSUB_RECIPIENT_PORT, 8080, 'PUBSUB_RECIPIENT_PORT', 1, 65535);
  const path = env.PUBSUB_RECIPIENT_PATH ?? '';
  const url = `${recipient}:${port}${path === '' || path.startsWith('/') ? path : `/${path}`}`;
  try {
    new URL(url);
  } catch {
    throw new ConfigError(
      `PUBSUB_RECIPIENT='${raw}' does not form a URL ('${url}'): give the integration's host, e.g. PUBSUB_RECIPIENT=http://127.0.0.1`,
    );
  }
  return url;
}

function heartbeatInterval(value: string | undefined): number {
  const ms = durationValue(value, '5s', 'HEARTBEAT_INTERVAL');
  if (ms < 100) throw new ConfigError(`HEARTBEAT_INTERVAL='${value}' is too short: give at least 100ms, e.g. HEARTBEAT_INTERVAL=5s`);
  return ms;
}

function pollWait(value: string | undefined): number {
  const ms = durationValue(value, `${DEFAULT_POLL_WAIT_MS}ms`, 'SHIPMATE_POLL_WAIT');
  if (ms < 1000 || ms > MAX_WAIT_MS) {
    throw new ConfigError(
      `SHIPMATE_POLL_WAIT='${value}' is out of range: give 1s to ${MAX_WAIT_MS / 1000}s (the longest the control plane holds a poll), below the idle timeout of any proxy in between, e.g. SHIPMATE_POLL_WAIT=25s`,
    );
  }
  return ms;
}

function readCaFile(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError(
      `SHIPMATE_CA_FILE='${path}' cannot be read (${code}): give the path of a PEM file with the control plane's CA certificate`,
    );
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError(
      `SHIPMATE_CA_FILE='${path}' holds no PEM certificate: give a file with '-----BEGIN CERTIFICATE-----' blocks (the control plane's CA)`,
    );
  }
  return pem;
}
