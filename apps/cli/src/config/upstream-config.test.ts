import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { resolveUpstreamConfig } from './upstream-config.js';

const dir = mkdtempSync(join(tmpdir(), 'shipmate-upstream-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveUpstreamConfig', () => {
  it('applies defaults', () => {
    expect(resolveUpstreamConfig({})).toEqual({
      remoteUrlDenylist: [],
      pullTimeoutMs: 5000,
      retryMaxMs: 60_000,
      pollIntervalMs: 60_000,
      hosts: { allowFile: false, allowLoopback: false },
    });
  });

  it('reads the opt-ins for local and loopback upstreams', () => {
    expect(resolveUpstreamConfig({ SHIPMATE_UPSTREAM_ALLOW_FILE: 'true' }).hosts).toEqual({ allowFile: true, allowLoopback: false });
    expect(resolveUpstreamConfig({ SHIPMATE_UPSTREAM_ALLOW_LOOPBACK: '1' }).hosts).toEqual({ allowFile: false, allowLoopback: true });
  });

  it('reads the durations, 0 turning the background poll off', () => {
    expect(
      resolveUpstreamConfig({
        SHIPMATE_UPSTREAM_PULL_TIMEOUT: '2s',
        SHIPMATE_UPSTREAM_RETRY_MAX: '5m',
        SHIPMATE_UPSTREAM_POLL_INTERVAL: '0',
      }),
    ).toMatchObject({ pullTimeoutMs: 2000, retryMaxMs: 300_000, pollIntervalMs: 0 });
  });

  it('reads the deny list file: one expression per line, blank lines and comments skipped', () => {
    const file = join(dir, 'denylist');
    writeFileSync(file, '# internal hosts\n^https?://10\\.\n\n.*\\.svc\\.cluster\\.local\n');
    const { remoteUrlDenylist } = resolveUpstreamConfig({ SHIPMATE_GIT_REMOTE_URL_DENYLIST_FILE: file });
    expect(remoteUrlDenylist.map((pattern) => pattern.source)).toEqual(['^https?:\\/\\/10\\.', '.*\\.svc\\.cluster\\.local']);
  });

  it.each([
    [
      { SHIPMATE_GIT_REMOTE_URL_DENYLIST_FILE: '/nonexistent/denylist' },
      /SHIPMATE_GIT_REMOTE_URL_DENYLIST_FILE='\/nonexistent\/denylist' cannot be read \(ENOENT\)/,
    ],
    [{ SHIPMATE_UPSTREAM_PULL_TIMEOUT: '0' }, /SHIPMATE_UPSTREAM_PULL_TIMEOUT must be longer than 0/],
    [{ SHIPMATE_UPSTREAM_RETRY_MAX: 'soon' }, /SHIPMATE_UPSTREAM_RETRY_MAX/],
    [{ SHIPMATE_UPSTREAM_ALLOW_LOOPBACK: 'yes' }, /SHIPMATE_UPSTREAM_ALLOW_LOOPBACK='yes' is not valid: give true or false/],
  ])('refuses %j with a ConfigError', (env, message) => {
    expect(() => resolveUpstreamConfig(env)).toThrow(ConfigError);
    expect(() => resolveUpstreamConfig(env)).toThrow(message);
  });

  it('names the line of an invalid expression', () => {
    const file = join(dir, 'broken');
    writeFileSync(file, 'fine\n(unclosed\n');
    expect(() => resolveUpstreamConfig({ SHIPMATE_GIT_REMOTE_URL_DENYLIST_FILE: file })).toThrow(
      /line 2: '\(unclosed' is not a valid regular expression/,
    );
  });
});
