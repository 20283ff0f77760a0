import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { measureRoundTripFloor } from './round-trip-floor.js';

const servers: Array<ReturnType<typeof createServer>> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(status: number): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.writeHead(status).end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

describe('measureRoundTripFloor', () => {
  it('times the asked number of round trips, after the unmeasured warm-up', async () => {
    const target = await serve(200);
    const floor = await measureRoundTripFloor(target.url, 20);
    expect(floor.count).toBe(20);
    expect(floor.p99).toBeGreaterThanOrEqual(floor.p50);
    expect(target.requests()).toBe(120);
  });

  it('fails naming the status when the server does not answer 200', async () => {
    const target = await serve(503);
    await expect(measureRoundTripFloor(target.url, 5)).rejects.toThrow(/\/health answered 503/);
  });
});
