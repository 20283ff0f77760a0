import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { resolveAgentConfig } from './agent-config.js';

const ENDPOINT = { KEPTN_API_ENDPOINT: 'https://cp.example.com/api/' };

describe('resolveAgentConfig', () => {
  it("applies Keptn's distributor defaults", () => {
    expect(resolveAgentConfig(ENDPOINT)).toEqual({
      apiEndpoint: 'https://cp.example.com/api',
      apiEndpointSource: 'KEPTN_API_ENDPOINT',
      apiToken: '',
      apiTokenSource: 'KEPTN_API_TOKEN',
      sslVerify: true,
      caFile: undefined,
      caPem: undefined,
      topics: [],
      recipientUrl: 'http://127.0.0.1:8080',
      projectFilter: [],
      stageFilter: [],
      serviceFilter: [],
      deploymentName: '',
      namespace: '',
      podName: '',
      nodeName: 'keptn-node',
      location: 'remote-execution-plane',
      version: '',
      apiProxyPort: 8081,
      metricsPort: undefined,
      heartbeatIntervalMs: 5000,
      maxPayloadBytes: 65536,
      forwardRetryMs: 25000,
      drainTimeoutMs: 60000,
      pollWaitMs: 55000,
      taskSource: undefined,
    });
  });

  it('takes tasks from JetStream with SHIPMATE_TASK_SOURCE, with the stream and ack wait of SHIPMATE_TASK_STREAM and SHIPMATE_TASK_ACK_WAIT', () => {
    expect(resolveAgentConfig({ ...ENDPOINT, SHIPMATE_TASK_SOURCE: 'nats://agent:pw@nats:4222' }).taskSource).toEqual({
      url: 'nats://agent:pw@nats:4222',
      redactedUrl: 'nats://agent:***@nats:4222',
      stream: 'shipmate-tasks',
      ackWaitMs: 30_000,
    });
    expect(
      resolveAgentConfig({
        ...ENDPOINT,
        SHIPMATE_TASK_SOURCE: 'nats://nats:4222',
        SHIPMATE_TASK_STREAM: 'tasks-prod',
        SHIPMATE_TASK_ACK_WAIT: '2m',
      }).taskSource,
    ).toMatchObject({ stream: 'tasks-prod', ackWaitMs: 120_000 });
    expect(resolveAgentConfig({ ...ENDPOINT, SHIPMATE_TASK_SOURCE: ' ' }).taskSource).toBeUndefined();
  });

  it('reads every distributor variable', () => {
    const config = resolveAgentConfig({
      ...ENDPOINT,
      KEPTN_API_TOKEN: 'secret',
      HTTP_SSL_VERIFY: 'false',
      PUBSUB_TOPIC: 'sh.keptn.event.deployment.triggered, sh.keptn.event.>',
      PUBSUB_RECIPIENT: 'helm-service',
      PUBSUB_RECIPIENT_PORT: '9090',
      PUBSUB_RECIPIENT_PATH: 'events',
      PROJECT_FILTER: 'shop',
      STAGE_FILTER: 'hardening,production',
      SERVICE_FILTER: '',
      K8S_DEPLOYMENT_NAME: 'helm-service-prod',
      K8S_NAMESPACE: 'keptn-exec',
      K8S_POD_NAME: 'helm-service-abc',
      K8S_NODE_NAME: 'node-7',
      LOCATION: 'eu-prod',
      VERSION: '0.18.1',
      API_PROXY_PORT: '18081',
      SHIPMATE_METRICS_PORT: '9464',
      HEARTBEAT_INTERVAL: '10s',
      API_PROXY_MAX_PAYLOAD_BYTES_KB: '128',
      SHIPMATE_FORWARD_RETRY: '10s',
      SHIPMATE_DRAIN_TIMEOUT: '2m',
      SHIPMATE_POLL_WAIT: '25s',
    });
    expect(config).toMatchObject({
      apiToken: 'secret',
      sslVerify: false,
      topics: ['sh.keptn.event.deployment.triggered', 'sh.keptn.event.>'],
      recipientUrl: 'http://helm-service:9090/events',
      projectFilter: ['shop'],
      stageFilter: ['hardening', 'production'],
      serviceFilter: [],
      deploymentName: 'helm-service-prod',
      namespace: 'keptn-exec',
      podName: 'helm-service-abc',
      nodeName: 'node-7',
      location: 'eu-prod',
      version: '0.18.1',
      apiProxyPort: 18081,
      metricsPort: 9464,
      heartbeatIntervalMs: 10_000,
      maxPayloadBytes: 131_072,
      forwardRetryMs: 10_000,
      drainTimeoutMs: 120_000,
      pollWaitMs: 25_000,
    });
  });

  it('is frozen, lists included', () => {
    const config = resolveAgentConfig({ ...ENDPOINT, STAGE_FILTER: 'dev' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.stageFilter)).toBe(true);
  });

  it('lets flags win over the environment', () => {
    const config = resolveAgentConfig({ ...ENDPOINT, KEPTN_API_TOKEN: 'env' }, { endpoint: 'http://127.0.0.1:8080/api', token: 'flag' });
    expect(config).toMatchObject({
      apiEndpoint: 'http://127.0.0.1:8080/api',
      apiEndpointSource: '--endpoint',
      apiToken: 'flag',
      apiTokenSource: '--token',
    });
  });

  it('keeps a recipient path with its slash and a recipient scheme', () => {
    expect(resolveAgentConfig({ ...ENDPOINT, PUBSUB_RECIPIENT: 'https://10.0.0.5/', PUBSUB_RECIPIENT_PATH: '/hook' }).recipientUrl).toBe(
      'https://10.0.0.5:8080/hook',
    );
  });

  it('reads the CA bundle from SHIPMATE_CA_FILE', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'agent-config-')), 'ca.pem');
    writeFileSync(file, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    expect(resolveAgentConfig({ ...ENDPOINT, SHIPMATE_CA_FILE: file })).toMatchObject({
      caFile: file,
      caPem: expect.stringContaining('BEGIN CERTIFICATE'),
    });
  });

  it('keeps a malformed endpoint as given when asked not to check it (test-connection reports it)', () => {
    expect(resolveAgentConfig({ KEPTN_API_ENDPOINT: ' http://x ' }, {}, { checkEndpoint: false }).apiEndpoint).toBe('http://x');
  });

  it.each([
    [{}, /KEPTN_API_ENDPOINT is not set/],
    [
      { KEPTN_API_ENDPOINT: 'https://cp.example.com' },
      /KEPTN_API_ENDPOINT must end with \/api, e\.g\. KEPTN_API_ENDPOINT=https:\/\/cp\.example\.com\/api/,
    ],
    [{ KEPTN_API_ENDPOINT: 'https://cp.example.com/api/api' }, /has \/api twice/],
    [{ ...ENDPOINT, HTTP_SSL_VERIFY: 'no' }, /HTTP_SSL_VERIFY='no' is not valid: give true or false/],
    [{ ...ENDPOINT, API_PROXY_PORT: '80808' }, /API_PROXY_PORT='80808'/],
    [{ ...ENDPOINT, SHIPMATE_METRICS_PORT: '0' }, /SHIPMATE_METRICS_PORT='0' is not valid: give a whole number from 1 to 65535/],
    [{ ...ENDPOINT, SHIPMATE_METRICS_PORT: 'metrics' }, /SHIPMATE_METRICS_PORT='metrics'/],
    [{ ...ENDPOINT, PUBSUB_RECIPIENT_PORT: 'http' }, /PUBSUB_RECIPIENT_PORT='http'/],
    [{ ...ENDPOINT, HEARTBEAT_INTERVAL: '5' }, /HEARTBEAT_INTERVAL/],
    [{ ...ENDPOINT, HEARTBEAT_INTERVAL: '1ms' }, /HEARTBEAT_INTERVAL='1ms' is too short: give at least 100ms/],
    [{ ...ENDPOINT, API_PROXY_MAX_PAYLOAD_BYTES_KB: '0' }, /API_PROXY_MAX_PAYLOAD_BYTES_KB='0'/],
    [{ ...ENDPOINT, SHIPMATE_FORWARD_RETRY: 'soon' }, /SHIPMATE_FORWARD_RETRY/],
    [{ ...ENDPOINT, SHIPMATE_DRAIN_TIMEOUT: '-1s' }, /SHIPMATE_DRAIN_TIMEOUT/],
    [{ ...ENDPOINT, SHIPMATE_POLL_WAIT: '90s' }, /SHIPMATE_POLL_WAIT='90s' is out of range: give 1s to 60s/],
    [{ ...ENDPOINT, SHIPMATE_POLL_WAIT: '500ms' }, /SHIPMATE_POLL_WAIT='500ms' is out of range/],
    [
      { ...ENDPOINT, SHIPMATE_TASK_SOURCE: 'https://nats:4222' },
      /^SHIPMATE_TASK_SOURCE must be a NATS URL starting with nats:\/\/ or tls:\/\/, not https:.*leave SHIPMATE_TASK_SOURCE unset/,
    ],
    [
      { ...ENDPOINT, SHIPMATE_TASK_SOURCE: 'nats://nats:4222', SHIPMATE_TASK_STREAM: 'tasks.prod' },
      /^SHIPMATE_TASK_STREAM 'tasks\.prod' is not a JetStream stream name/,
    ],
    [
      { ...ENDPOINT, SHIPMATE_TASK_SOURCE: 'nats://nats:4222', SHIPMATE_TASK_ACK_WAIT: '100ms' },
      /^SHIPMATE_TASK_ACK_WAIT='100ms' is shorter than 1s/,
    ],
    [
      { ...ENDPOINT, SHIPMATE_CA_FILE: '/no/such/ca.pem' },
      /SHIPMATE_CA_FILE='\/no\/such\/ca\.pem' cannot be read \(ENOENT\): give the path of a PEM file/,
    ],
    [{ ...ENDPOINT, SHIPMATE_CA_FILE: '/etc/hostname' }, /SHIPMATE_CA_FILE='\/etc\/hostname' (holds no PEM certificate|cannot be read)/],
  ])('rejects %o with a ConfigError naming the variable and fix', (env, message) => {
    expect(() => resolveAgentConfig(env)).toThrow(ConfigError);
    expect(() => resolveAgentConfig(env)).toThrow(message);
  });
});
