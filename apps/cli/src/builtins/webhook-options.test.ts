import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { webhookOptionsFromEnv } from './webhook-options.js';

describe('webhookOptionsFromEnv', () => {
  it('reads the allow list and the timeout, and names the control plane host', () => {
    const options = webhookOptionsFromEnv(
      { SHIPMATE_WEBHOOK_ALLOW: '127.0.0.1/32, hooks.internal ,', SHIPMATE_WEBHOOK_TIMEOUT: '5s' },
      'https://cp.example.com/api',
      false,
    );
    expect(options).toMatchObject({
      allow: ['127.0.0.1/32', 'hooks.internal'],
      requestTimeoutMs: 5000,
      controlPlaneHosts: ['cp.example.com'],
    });
    expect(webhookOptionsFromEnv({}, 'http://127.0.0.1:8080/api', false)).toMatchObject({ allow: [], requestTimeoutMs: 30_000 });
  });

  it("adds this machine's addresses inside the server (it may listen on all of them)", () => {
    const hosts = webhookOptionsFromEnv({}, 'http://127.0.0.1:8080/api', true).controlPlaneHosts ?? [];
    expect(hosts[0]).toBe('127.0.0.1');
    expect(hosts.length).toBeGreaterThan(1);
  });

  // [env, message]
  const bad: Array<[Record<string, string>, string]> = [
    [{ SHIPMATE_WEBHOOK_ALLOW: '10.0.0.0/40' }, "SHIPMATE_WEBHOOK_ALLOW entry '10.0.0.0/40' is neither a CIDR block"],
    [{ SHIPMATE_WEBHOOK_ALLOW: 'http://hooks' }, "SHIPMATE_WEBHOOK_ALLOW entry 'http://hooks' is neither"],
    [{ SHIPMATE_WEBHOOK_TIMEOUT: '10m' }, "SHIPMATE_WEBHOOK_TIMEOUT='10m' is out of range: give 1s to 5m per request"],
    [{ SHIPMATE_WEBHOOK_TIMEOUT: '10ms' }, 'is out of range'],
    [{ SHIPMATE_WEBHOOK_TIMEOUT: 'soon' }, 'SHIPMATE_WEBHOOK_TIMEOUT'],
  ];
  it.each(bad)('refuses %j', (env, message) => {
    let caught: unknown;
    try {
      webhookOptionsFromEnv(env, 'http://127.0.0.1:8080/api', false);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message).toContain(message);
  });
});
