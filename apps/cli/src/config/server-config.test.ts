import { describe, expect, it } from 'vitest';
import { ConfigError, resolveServerConfig } from './server-config.js';

describe('resolveServerConfig', () => {
  it('applies defaults', () => {
    expect(resolveServerConfig({}, {})).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      dataDir: './.shipmate',
      store: { kind: 'sqlite' },
      apiToken: undefined,
      taskStartedWaitMs: 600_000,
      maxBodyBytes: 65_536,
      maxEventDepth: 64,
      validateEvents: true,
      eventRetentionMs: 720 * 3_600_000,
      logLevel: 'info',
      heartbeatIntervalMs: 5000,
      integrationTtlMs: 48 * 3_600_000,
      logTtlMs: 120 * 3_600_000,
      leaseMs: 30_000,
      maxResourceBytes: 10 * 1024 * 1024,
      gitAuthor: { name: 'keptn', email: 'keptn@keptn.sh' },
      secretKey: undefined,
      previousSecretKey: undefined,
      secretScopes: ['keptn-default', 'keptn-webhook-service', 'dynatrace-service', 'keptn-prometheus-service'],
      authFailureLimit: 20,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 65_000,
      maxConnections: 4096,
      trustProxy: false,
      metricsPublic: false,
      walMaxBytes: 64 * 1024 * 1024,
      tls: undefined,
      builtInIntegrations: ['approval-service', 'remediation-service', 'lighthouse-service', 'prometheus-service', 'webhook-service'],
    });
  });

  it('reads the built-in integrations to run, none, or refuses an unknown one naming the known ones', () => {
    expect(resolveServerConfig({ SHIPMATE_BUILT_IN_INTEGRATIONS: 'none' }, {}).builtInIntegrations).toEqual([]);
    expect(resolveServerConfig({ SHIPMATE_BUILT_IN_INTEGRATIONS: ' approval-service ' }, {}).builtInIntegrations).toEqual([
      'approval-service',
    ]);
    expect(() => resolveServerConfig({ SHIPMATE_BUILT_IN_INTEGRATIONS: 'approval-service,lighthouse' }, {})).toThrow(
      /SHIPMATE_BUILT_IN_INTEGRATIONS=.*'lighthouse' is not a built-in integration; give some of approval-service, remediation-service, lighthouse-service, prometheus-service, webhook-service, or none/,
    );
  });

  it('reads the Prometheus URL of the prometheus-service, or refuses one that is not http(s) naming the variable', () => {
    expect(resolveServerConfig({}, {}).prometheusUrl).toBeUndefined();
    expect(resolveServerConfig({ SHIPMATE_PROMETHEUS_URL: ' http://prom:9090/ ' }, {}).prometheusUrl).toBe('http://prom:9090/');
    expect(() => resolveServerConfig({ SHIPMATE_PROMETHEUS_URL: 'prom:9090' }, {})).toThrow(
      /^SHIPMATE_PROMETHEUS_URL='prom:9090' is not valid: Prometheus URL 'prom:9090' must start with http:\/\/ or https:\/\//,
    );
  });

  it('reads the connection limits, the failed-authentication limit and the trusted proxies', () => {
    const env = {
      SHIPMATE_AUTH_FAILURE_LIMIT: '5',
      SHIPMATE_HEADERS_TIMEOUT: '2s',
      SHIPMATE_REQUEST_TIMEOUT: '1m',
      SHIPMATE_KEEPALIVE_TIMEOUT: '5s',
      SHIPMATE_MAX_CONNECTIONS: '100',
      SHIPMATE_TRUST_PROXY: '10.0.0.0/8, fd00::/8',
    };
    expect(resolveServerConfig(env, {})).toMatchObject({
      authFailureLimit: 5,
      headersTimeoutMs: 2000,
      requestTimeoutMs: 60_000,
      keepAliveTimeoutMs: 5000,
      maxConnections: 100,
      trustProxy: ['10.0.0.0/8', 'fd00::/8'],
    });
    expect(resolveServerConfig({ SHIPMATE_TRUST_PROXY: 'true' }, {}).trustProxy).toBe(true);
  });

  it('reads whether /metrics is public', () => {
    expect(resolveServerConfig({ SHIPMATE_METRICS_PUBLIC: 'true' }, {}).metricsPublic).toBe(true);
    expect(resolveServerConfig({ SHIPMATE_METRICS_PUBLIC: 'false' }, {}).metricsPublic).toBe(false);
  });

  it('reads the WAL ceiling and rejects one under 1 MiB', () => {
    expect(resolveServerConfig({ SHIPMATE_WAL_MAX_BYTES: '8388608' }, {}).walMaxBytes).toBe(8 * 1024 * 1024);
    expect(() => resolveServerConfig({ SHIPMATE_WAL_MAX_BYTES: '1000' }, {})).toThrow(
      /SHIPMATE_WAL_MAX_BYTES='1000' is not valid: give a whole number from 1048576/,
    );
  });

  it('reads the resource limit and the commit author', () => {
    const config = resolveServerConfig(
      { SHIPMATE_MAX_RESOURCE_BYTES: '2048', GIT_KEPTN_USER: 'bot', GIT_KEPTN_EMAIL: 'bot@example.com' },
      {},
    );
    expect(resolveServerConfig({ SHIPMATE_MAX_EVENT_DEPTH: '128' }, {}).maxEventDepth).toBe(128);
    expect(config).toMatchObject({ maxResourceBytes: 2048, gitAuthor: { name: 'bot', email: 'bot@example.com' } });
  });

  it('reads the secret keys and scopes', () => {
    const key = Buffer.alloc(32, 1);
    const previous = Buffer.alloc(32, 2);
    const config = resolveServerConfig(
      {
        SHIPMATE_SECRET_KEY: key.toString('base64'),
        SHIPMATE_SECRET_KEY_PREVIOUS: previous.toString('hex'),
        SHIPMATE_SECRET_SCOPES: 'keptn-default, team-a ,team-b',
      },
      {},
    );
    expect(config.secretKey?.equals(key)).toBe(true);
    expect(config.previousSecretKey?.equals(previous)).toBe(true);
    expect(config.secretScopes).toEqual(['keptn-default', 'team-a', 'team-b']);
  });

  it('lets flags win over the environment', () => {
    const config = resolveServerConfig(
      { SHIPMATE_PORT: '9000', SHIPMATE_HOST: '127.0.0.1', TASK_STARTED_WAIT_DURATION: '3s' },
      { port: '9100' },
    );
    expect(config).toMatchObject({ port: 9100, host: '127.0.0.1', taskStartedWaitMs: 3000 });
  });

  it.each([
    [{ SHIPMATE_PORT: 'eighty' }, /SHIPMATE_PORT='eighty' is not valid/],
    [{ TASK_STARTED_WAIT_DURATION: '10 minutes' }, /TASK_STARTED_WAIT_DURATION/],
    [{ EVENT_VALIDATION_ENABLED: 'yes' }, /give true or false/],
    [{ SHIPMATE_LOG_LEVEL: 'loud' }, /SHIPMATE_LOG_LEVEL='loud'.*info/],
    [{ SHIPMATE_MAX_BODY_BYTES: '10' }, /SHIPMATE_MAX_BODY_BYTES/],
    [{ SHIPMATE_MAX_RESOURCE_BYTES: '10MiB' }, /SHIPMATE_MAX_RESOURCE_BYTES/],
    [{ SHIPMATE_MAX_EVENT_DEPTH: '2' }, /SHIPMATE_MAX_EVENT_DEPTH/],
    [{ UNIFORM_INTEGRATION_TTL: '2 days' }, /UNIFORM_INTEGRATION_TTL/],
    [{ SHIPMATE_TASK_LEASE: 'half a minute' }, /SHIPMATE_TASK_LEASE/],
    [{ SHIPMATE_SECRET_KEY: 'secret' }, /SHIPMATE_SECRET_KEY is not a 32-byte key.*openssl rand/],
    [{ SHIPMATE_SECRET_KEY_PREVIOUS: 'ab'.repeat(16) }, /SHIPMATE_SECRET_KEY_PREVIOUS is not a 32-byte key/],
    [{ SHIPMATE_SECRET_SCOPES: 'team-a' }, /SHIPMATE_SECRET_SCOPES='team-a' lacks keptn-default.*keptn-default,team-a/],
    [{ SHIPMATE_SECRET_SCOPES: 'keptn-default,Team_A' }, /SHIPMATE_SECRET_SCOPES=.*scope 'Team_A' is invalid/],
    [{ SHIPMATE_AUTH_FAILURE_LIMIT: '0' }, /SHIPMATE_AUTH_FAILURE_LIMIT='0' is not valid: give a whole number from 1/],
    [{ SHIPMATE_HEADERS_TIMEOUT: 'ten' }, /SHIPMATE_HEADERS_TIMEOUT/],
    [{ SHIPMATE_MAX_CONNECTIONS: 'many' }, /SHIPMATE_MAX_CONNECTIONS='many'/],
    [{ SHIPMATE_TRUST_PROXY: 'lb.example.com' }, /SHIPMATE_TRUST_PROXY=.*'lb.example.com' is not an address or CIDR/],
    [{ SHIPMATE_METRICS_PUBLIC: 'yes' }, /SHIPMATE_METRICS_PUBLIC='yes' is not valid: give true or false/],
  ])('rejects %o with a clear message', (env, message) => {
    expect(() => resolveServerConfig(env, {})).toThrow(ConfigError);
    expect(() => resolveServerConfig(env, {})).toThrow(message);
  });
  it('keeps the store in PostgreSQL for a postgres:// SHIPMATE_STORE_URL or --store, the flag first; empty is SQLite', () => {
    expect(resolveServerConfig({ SHIPMATE_STORE_URL: 'postgres://shipmate:pw@db:5432/shipmate' }, {}).store).toEqual({
      kind: 'postgres',
      url: 'postgres://shipmate:pw@db:5432/shipmate',
      redactedUrl: 'postgres://shipmate:***@db:5432/shipmate',
      source: 'SHIPMATE_STORE_URL',
    });
    expect(resolveServerConfig({ SHIPMATE_STORE_URL: 'postgres://a@db/x' }, { store: 'postgresql://b@db2/y' }).store).toMatchObject({
      url: 'postgresql://b@db2/y',
      source: '--store',
    });
    expect(resolveServerConfig({ SHIPMATE_STORE_URL: '' }, {}).store).toEqual({ kind: 'sqlite' });
  });

  it('carries notices between replicas over NATS for a nats:// SHIPMATE_BUS_URL or --bus, the flag first; unset or empty is none', () => {
    expect(resolveServerConfig({}, {}).bus).toBeUndefined();
    expect(resolveServerConfig({ SHIPMATE_BUS_URL: ' ' }, {}).bus).toBeUndefined();
    expect(resolveServerConfig({ SHIPMATE_BUS_URL: 'nats://shipmate:pw@nats:4222' }, {}).bus).toEqual({
      kind: 'nats',
      url: 'nats://shipmate:pw@nats:4222',
      redactedUrl: 'nats://shipmate:***@nats:4222',
      source: 'SHIPMATE_BUS_URL',
      taskStream: undefined,
    });
    expect(resolveServerConfig({ SHIPMATE_BUS_URL: 'nats://nats:4222', SHIPMATE_TASK_STREAM: 'shipmate-tasks' }, {}).bus).toMatchObject({
      taskStream: 'shipmate-tasks',
    });
    expect(resolveServerConfig({ SHIPMATE_BUS_URL: 'nats://a:4222' }, { bus: 'tls://b:4222' }).bus).toMatchObject({
      url: 'tls://b:4222',
      source: '--bus',
    });
  });

  it.each([
    [
      'another scheme',
      { SHIPMATE_BUS_URL: 'postgres://db/shipmate' },
      {},
      /^SHIPMATE_BUS_URL must be a NATS URL starting with nats:\/\/ or tls:\/\/, not postgres:.*leave SHIPMATE_BUS_URL unset/,
    ],
    ['a host without scheme', {}, { bus: 'nats.example:4222' }, /^--bus must be a NATS URL starting with nats:\/\/.*leave out --bus/],
    ['no host', {}, { bus: 'nats://' }, /^--bus 'nats:\/\/' names no host/],
    [
      'a task stream without a bus',
      { SHIPMATE_TASK_STREAM: 'shipmate-tasks' },
      {},
      /^SHIPMATE_TASK_STREAM='shipmate-tasks' needs a NATS server: set SHIPMATE_BUS_URL/,
    ],
    [
      'a task stream name JetStream refuses',
      { SHIPMATE_BUS_URL: 'nats://nats:4222', SHIPMATE_TASK_STREAM: 'shipmate.tasks' },
      {},
      /^SHIPMATE_TASK_STREAM 'shipmate\.tasks' is not a JetStream stream name: .*e\.g\. shipmate-tasks/,
    ],
  ])('refuses %s as the bus, naming the variable and the fix', (_case, env, flags, message) => {
    expect(() => resolveServerConfig(env, flags)).toThrow(ConfigError);
    expect(() => resolveServerConfig(env, flags)).toThrow(message);
  });

  it('never repeats the password of a refused bus URL', () => {
    expect(() => resolveServerConfig({ SHIPMATE_BUS_URL: 'nats://u:hunter2@ho st:4222' }, {})).toThrow(ConfigError);
    expect(() => resolveServerConfig({ SHIPMATE_BUS_URL: 'nats://u:hunter2@ho st:4222' }, {})).not.toThrow(/hunter2/);
  });

  it.each([
    [
      'another scheme',
      { SHIPMATE_STORE_URL: 'mysql://root:pw@db/shipmate' },
      {},
      /^SHIPMATE_STORE_URL is not valid: .*postgres:\/\/.*not mysql:.*leave SHIPMATE_STORE_URL unset/,
    ],
    [
      'a file path',
      { SHIPMATE_STORE_URL: './shipmate.db' },
      {},
      /^SHIPMATE_STORE_URL is not valid: PostgreSQL URL must start with postgres:\/\//,
    ],
    ['no host', {}, { store: 'postgres:///shipmate' }, /^--store is not valid: .*names no host.*leave out --store/],
  ])('refuses %s as the store, naming the variable and the fix', (_case, env, flags, message) => {
    expect(() => resolveServerConfig(env, flags)).toThrow(ConfigError);
    expect(() => resolveServerConfig(env, flags)).toThrow(message);
  });

  it('never repeats the password of a refused store URL', () => {
    expect(() => resolveServerConfig({ SHIPMATE_STORE_URL: 'postgres://u:hunter2@ho st/db' }, {})).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });
});
