/**
 * `shipmate up` and the server's log, in real processes (built by `npm test` first): up prints
 * where it runs, a token that works and the next command, notes its address so that a verb beside
 * it finds it on any port, keeps that token across restarts and
 * runs the execution plane's built-ins at `local-execution-plane`; the log has one line per
 * sequence and task step and no access lines at info.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { KeptnApiClient, SHIPMATE_BIN, shipyardYaml, startServerProcess, waitFor } from '@shipmate/testing';
import { LOCAL_PLANE_BUILT_IN_NAMES } from '../builtins/built-in-integrations.js';

describe('shipmate up', () => {
  it('prints the URL, a working token and the next command, keeps the token across restarts, and runs the local plane', async () => {
    const first = await startServerProcess({ command: 'up', generatedToken: true });
    let token: string;
    try {
      const banner = await waitFor('the banner', async () => (/API token: (\S+)/.exec(first.output()) ? first.output() : undefined));
      expect(banner).toContain(`Shipmate is up: ${first.url}`);
      expect(banner).toContain('Next, in another terminal: npx shipmate demo');
      token = /API token: (\S+)/.exec(banner)?.[1] ?? '';
      const api = new KeptnApiClient(first.url, token);
      expect((await api.request('GET', '/api/v1/metadata')).status).toBe(200);
      // A verb run beside it finds it on its port (not 8080) with its token, from the data dir alone.
      const status = JSON.parse(
        execFileSync(process.execPath, [SHIPMATE_BIN, 'status', '-o', 'json'], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '', HOME: first.dataDir, XDG_CONFIG_HOME: first.dataDir, SHIPMATE_DATA_DIR: first.dataDir },
        }),
      ) as { endpoint: string; endpointFrom: string; authenticated: boolean };
      expect(status).toMatchObject({ endpoint: first.url, authenticated: true });
      expect(status.endpointFrom).toContain('the address `shipmate up` noted in');
      const registered = await waitFor('the local plane registered', async () => {
        const list = (
          await api.request<Array<{ name: string; instances: Array<{ location: string }> }>>(
            'GET',
            '/api/controlPlane/v1/uniform/registration',
          )
        ).body;
        return LOCAL_PLANE_BUILT_IN_NAMES.every((name) => list.some((i) => i.name === name)) ? list : undefined;
      });
      for (const name of LOCAL_PLANE_BUILT_IN_NAMES) {
        expect(registered.find((i) => i.name === name)?.instances, name).toEqual([
          expect.objectContaining({ location: 'local-execution-plane' }),
        ]);
      }
      expect(registered.find((i) => i.name === 'approval-service')?.instances).toEqual([
        expect.objectContaining({ location: 'control-plane' }),
      ]);
    } finally {
      expect(await first.stop()).toBe(0);
    }
    const again = await startServerProcess({ command: 'up', generatedToken: true, dataDir: first.dataDir });
    try {
      await waitFor('the banner', async () => (again.output().includes('API token:') ? true : undefined));
      expect(again.output()).toContain(`API token: ${token}`);
    } finally {
      expect(await again.stop()).toBe(0);
    }
  });
});

describe('the server log', () => {
  it('has one line per sequence and task step, in text on request, and no access lines at info', async () => {
    const server = await startServerProcess({
      args: ['--log-format', 'text'],
      env: { SHIPMATE_LOG_LEVEL: 'info', SHIPMATE_BUILT_IN_INTEGRATIONS: 'none' },
    });
    try {
      const api = new KeptnApiClient(server.url, server.token);
      await api.createProject('logs', shipyardYaml({ dev: ['deployment'] }));
      await api.createService('logs', 'carts');
      const context = await api.triggerSequence('logs', 'dev', 'delivery', 'carts');
      const task = await waitFor('deployment.triggered', async () =>
        (await api.openTriggered('sh.keptn.event.deployment.triggered', { project: 'logs' })).find((e) => e.shkeptncontext === context),
      );
      await api.answerTask(task, { result: 'fail', data: { message: 'image not found' } });
      await waitFor('the sequence finished line', async () =>
        server.output().includes('sequence dev.delivery finished') ? true : undefined,
      );
      const lines = server.output().split('\n');
      const expected = [
        /INFO {2}sequence dev\.delivery triggered logs\/dev\/carts .*keptnContext=/,
        /INFO {2}task deployment triggered logs\/dev\/carts/,
        /INFO {2}task deployment finished: fail logs\/dev\/carts - image not found .*result=fail/,
        /INFO {2}sequence dev\.delivery finished: fail logs\/dev\/carts - image not found/,
      ];
      for (const pattern of expected)
        expect(
          lines.some((line) => pattern.test(line)),
          String(pattern),
        ).toBe(true);
      expect(lines.filter((line) => line.includes(context)).length).toBeGreaterThanOrEqual(4);
      expect(lines.some((line) => /incoming request|request completed/.test(line))).toBe(false);
      expect(lines.some((line) => line.startsWith('{"level"'))).toBe(false);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});

describe('a stop right after /health answers', () => {
  it('shuts down cleanly (exit code 0) even while the integrations are still starting', async () => {
    for (const command of ['up', 'server'] as const) {
      const process = await startServerProcess({ command, generatedToken: true });
      const code = await process.stop();
      expect(code, `${command}:\n${process.output()}`).toBe(0);
    }
  });
});
