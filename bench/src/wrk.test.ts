import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { wrkRunProblems } from './wrk-output.js';
import { requireWrk, runWrk } from './wrk.js';

// These run the real wrk (`apt-get install wrk`; .ci/run installs it) against a node:http server in this process.
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '../wrk/post-body.lua');

let server: Server | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A server that answers `status` and records the last request's token and body. */
async function serve(status: number) {
  const seen = { token: '', body: '', method: '' };
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.token = String(req.headers['x-token']);
      seen.method = req.method ?? '';
      seen.body = Buffer.concat(chunks).toString();
      res.writeHead(status, { 'content-length': 2 }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/event`, seen };
}

const options = { script: SCRIPT, threads: 1, connections: 2, durationSeconds: 1 };

describe('runWrk', () => {
  it('POSTs the body with the headers and reports throughput and its own CPU', async () => {
    const { url, seen } = await serve(200);
    const run = await runWrk({ ...options, url, env: { WRK_BODY: '{"type":"x"}' }, headers: { 'x-token': 'secret' } });
    expect(seen).toEqual({ token: 'secret', body: '{"type":"x"}', method: 'POST' });
    expect(run.report.requests).toBeGreaterThan(0);
    expect(run.report.connections).toBe(2);
    expect(wrkRunProblems(run.report)).toEqual([]);
    expect(run.cpuPercent).toBeGreaterThan(0);
  });

  it('reports the non-2xx answers of a run', async () => {
    const { url } = await serve(500);
    const run = await runWrk({ ...options, url, env: { WRK_BODY: '{}' } });
    expect(run.report.non2xxOr3xx).toBe(run.report.requests);
    expect(wrkRunProblems(run.report)[0]).toMatch(/responses were not 2xx\/3xx/);
  });

  it("fails with wrk's own message when nothing listens", async () => {
    const { url } = await serve(200);
    server!.close();
    await expect(runWrk({ ...options, url, env: { WRK_BODY: '{}' } })).rejects.toThrow(/exited with 1: unable to connect/);
  });

  it('fails when the script has no body to send', async () => {
    const { url } = await serve(200);
    await expect(runWrk({ ...options, url, env: { WRK_BODY: '' } })).rejects.toThrow(/WRK_BODY is not set/);
  });

  it('refuses fractions of a second', async () => {
    await expect(runWrk({ ...options, url: 'http://127.0.0.1:1/', durationSeconds: 0.5 })).rejects.toThrow(
      'wrk runs whole seconds: got a duration of 0.5 s',
    );
  });
});

describe('requireWrk', () => {
  it('names the package to install when wrk is not on the PATH', () => {
    vi.stubEnv('PATH', '/nonexistent');
    expect(() => requireWrk()).toThrow(/wrk is not installed .*apt-get install wrk/);
  });
});
