/**
 * NATS (issue 13 point 4), with real server processes and the machine's NATS with JetStream
 * (SHIPMATE_TEST_NATS_URL, see @shipmate/testing): `shipmate server --bus nats://…` connects its
 * replica notice bus at start and closes it on SIGTERM; a bus URL that cannot be used exits 2
 * naming SHIPMATE_BUS_URL or --bus.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { exitOf, freePort, spawnShipmate, startCuttableNatsProxy, startServerProcess, testNatsUrl, waitFor } from '@shipmate/testing';

const running: Array<{ stop(): Promise<unknown> }> = [];
const dataDirs = new Set<string>();

afterEach(async () => {
  for (const process of running.splice(0).reverse()) await process.stop();
});

afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

describe('shipmate server --bus', () => {
  it('connects the notice bus at start, says so, and closes it on SIGTERM', async () => {
    // Through a proxy, so the test sees the server's own connection to NATS open and close.
    const proxy = await startCuttableNatsProxy(testNatsUrl());
    running.push({ stop: () => proxy.close() });
    const server = await startServerProcess({ env: { SHIPMATE_BUS_URL: proxy.url } });
    dataDirs.add(server.dataDir);
    expect(server.output()).toContain(`bus NATS ${proxy.url}`);
    expect(proxy.openConnections).toBe(1);
    await server.stop();
    await waitFor('the bus connection to close', async () => (proxy.openConnections === 0 ? true : undefined), 5000);
  });

  describe('exits 2 naming the variable and the fix for a bus that cannot be used', () => {
    it.each([
      ['another scheme', async () => ({ SHIPMATE_BUS_URL: 'redis://cache:6379' }), [], /SHIPMATE_BUS_URL must be a NATS URL starting with nats:\/\/ or tls:\/\/, not redis:/],
      [
        'a server that does not listen',
        async () => ({ SHIPMATE_BUS_URL: `nats://shipmate:hunter2@127.0.0.1:${await freePort()}` }),
        [],
        /SHIPMATE_BUS_URL: cannot connect to NATS at nats:\/\/shipmate:\*\*\*@127\.0\.0\.1:\d+: .*leave SHIPMATE_BUS_URL unset/,
      ],
      ['--bus without a scheme', async () => ({}), ['--bus', 'nats-0:4222'], /--bus must be a NATS URL starting with nats:\/\/.*leave out --bus/],
    ])('%s', async (_case, env, args, message) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'shipmate-e2e-'));
      dataDirs.add(dataDir);
      const process = spawnShipmate(['server', '--host', '127.0.0.1', '--port', String(await freePort()), '--data-dir', dataDir, ...args], {
        ...(await env()),
        SHIPMATE_API_TOKEN: 'e2e-token',
      });
      running.push(process);
      expect(await exitOf(process, 20_000)).toBe(2);
      expect(process.output()).toMatch(message);
      expect(process.output()).not.toContain('hunter2');
    });
  });
});
