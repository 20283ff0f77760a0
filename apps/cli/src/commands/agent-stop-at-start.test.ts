/**
 * `shipmate agent` stopped as soon as its local surface listens, in real processes (built by
 * `npm test` first): the surface answers `/health` before the agent has started its metrics port
 * and installed its shutdown handler, and a SIGTERM in between must still drain and exit 0, not end
 * the process by the signal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, spawnAgentProcess, startServerProcess } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';

let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess({ env: { SHIPMATE_BUILT_IN_INTEGRATIONS: 'none' } });
});

afterAll(async () => {
  expect(await server.stop()).toBe(0);
});

describe('a stop of shipmate agent as soon as its local surface listens', () => {
  it('drains and exits 0', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const agent = await spawnAgentProcess({
        endpoint: `${server.url}/api`,
        token: server.token,
        name: `stop-at-start-${attempt}`,
        topics: ['sh.keptn.event.deployment.triggered'],
        recipientPort: await freePort(),
        env: { SHIPMATE_METRICS_PORT: String(await freePort()) },
      });
      // The agent logs this line right after the surface listens, before its metrics port.
      agent.child.stderr?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('local surface on')) agent.child.kill('SIGTERM');
      });
      const code = await new Promise<number | null>((resolve) => agent.child.once('exit', (exitCode) => resolve(exitCode)));
      expect(code, agent.output()).toBe(0);
    }
  });
});
