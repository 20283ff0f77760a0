import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { deploymentOptionsFromEnv } from './deployment-options.js';

describe('deploymentOptionsFromEnv', () => {
  it('defaults the deploy dir to .shipmate-plane/deployments under the working directory and the public host to the hostname', () => {
    const options = deploymentOptionsFromEnv({ PATH: '/usr/bin', SHIPMATE_API_TOKEN: 'secret' }, '/srv/plane');
    expect(options.deployDir).toBe(resolve('/srv/plane/.shipmate-plane/deployments'));
    expect(options.publicHost).toBeUndefined();
    // Deployed versions inherit a few variables, never the plane's tokens.
    expect(options.childEnv).toEqual({ PATH: '/usr/bin' });
  });

  // [env, deployDir, publicHost]
  const good: Array<[Record<string, string>, string, string | undefined]> = [
    [{ SHIPMATE_DEPLOY_DIR: '/var/lib/shipmate' }, '/var/lib/shipmate', undefined],
    [{ SHIPMATE_DEPLOY_DIR: 'deploy' }, '/srv/plane/deploy', undefined],
    [{ SHIPMATE_DEPLOY_DIR: ' ' }, '/srv/plane/.shipmate-plane/deployments', undefined],
    [{ SHIPMATE_PUBLIC_HOST: 'plane.example.com' }, '/srv/plane/.shipmate-plane/deployments', 'plane.example.com'],
    [{ SHIPMATE_PUBLIC_HOST: '10.0.0.7' }, '/srv/plane/.shipmate-plane/deployments', '10.0.0.7'],
    [{ SHIPMATE_PUBLIC_HOST: 'fd00::7' }, '/srv/plane/.shipmate-plane/deployments', '[fd00::7]'],
    [{ SHIPMATE_PUBLIC_HOST: '[fd00::7]' }, '/srv/plane/.shipmate-plane/deployments', '[fd00::7]'],
  ];
  it.each(good)('reads %j', (env, deployDir, publicHost) => {
    const options = deploymentOptionsFromEnv(env, '/srv/plane');
    expect(options.deployDir).toBe(resolve(deployDir));
    expect(options.publicHost).toBe(publicHost);
  });

  const bad = ['http://plane.example.com', 'plane.example.com:8080', 'plane example', 'plane/x'];
  it.each(bad)('refuses SHIPMATE_PUBLIC_HOST=%s, naming the fix', (host) => {
    let caught: unknown;
    try {
      deploymentOptionsFromEnv({ SHIPMATE_PUBLIC_HOST: host }, '/srv/plane');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message).toContain(
      `SHIPMATE_PUBLIC_HOST='${host}' is not a host name or address: give the host only, without scheme or port`,
    );
  });
});
