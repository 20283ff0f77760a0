/**
 * The floor under figures (c) and (d): one HTTP round trip, with the bench's own client, to a bare
 * `node:http` server that does nothing (`GET /health`), one request at a time, on the same machine
 * in the same run. Whatever this p99 shows (the scheduler, the loopback, the client) is in every
 * latency the bench measures; (c) is two such round trips and a commit.
 */
import { performance } from 'node:perf_hooks';
import { createHttpClient } from './http-client.js';
import { summarize } from './stats.js';

/** Round trips before timing starts (connection set-up, JIT). */
const WARM_UP = 100;

/** Times `count` sequential `GET /health` round trips to `baseUrl`, in ms. */
export async function measureRoundTripFloor(baseUrl: string, count: number): Promise<ReturnType<typeof summarize>> {
  const client = createHttpClient({ baseUrl, maxSockets: 1 });
  try {
    const times: number[] = [];
    for (let i = 0; i < WARM_UP + count; i++) {
      const startedAt = performance.now();
      const response = await client.send('GET', '/health');
      if (response.status !== 200) throw new Error(`GET ${baseUrl}/health answered ${response.status}`);
      if (i >= WARM_UP) times.push(performance.now() - startedAt);
    }
    return summarize(times);
  } finally {
    client.close();
  }
}
