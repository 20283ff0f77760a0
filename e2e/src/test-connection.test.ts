/**
 * `shipmate agent test-connection` end to end: a real control plane process, the real CLI in a child
 * process, and for TLS a Node https server in this process with a self-signed certificate made by
 * the `openssl` CLI at test time, which proxies the control plane's API.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPMATE_BIN, createSelfSignedCertificate, freePort, opensslUnavailable, startServerProcess } from '@shipmate/testing';
import type { ServerProcess } from '@shipmate/testing';

/** Exit code and output of one CLI run. */
interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Variables the CLI reads; removed from the inherited environment so the host's settings cannot leak in. */
const AGENT_VARIABLES = ['KEPTN_API_ENDPOINT', 'KEPTN_API_TOKEN', 'HTTP_SSL_VERIFY', 'SHIPMATE_CA_FILE', 'HEARTBEAT_INTERVAL'];

function testConnection(env: Record<string, string>, args: string[] = []): Promise<CliRun> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !AGENT_VARIABLES.includes(key)));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SHIPMATE_BIN, 'agent', 'test-connection', '--timeout', '3s', ...args], {
      env: { ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('shipmate agent test-connection (real processes)', () => {
  let server: ServerProcess;
  const endpoint = () => `${server.url}/api`;

  beforeAll(async () => {
    server = await startServerProcess({ token: 'right-token' });
  });

  afterAll(async () => {
    await server.stop();
  });

  it('passes all six checks against a running control plane (exit 0)', async () => {
    const run = await testConnection({ KEPTN_API_ENDPOINT: endpoint(), KEPTN_API_TOKEN: 'right-token' });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout.match(/^✔ /gm)).toHaveLength(6);
    expect(run.stdout).toMatch(/API: Keptn-compatible \(shipyardversion \S+, keptnversion \S+, shipmateversion \S+\)/);
    expect(run.stdout).toContain('all 6 checks passed');
  });

  it('lets --endpoint and --token override the environment', async () => {
    const run = await testConnection({ KEPTN_API_ENDPOINT: 'http://127.0.0.1:1/api', KEPTN_API_TOKEN: 'wrong' }, [
      '--endpoint',
      `${endpoint()}/`,
      '--token',
      'right-token',
    ]);
    expect(run.code, run.stdout).toBe(0);
  });

  it('names a wrong token and where to copy the right one (exit 1)', async () => {
    const run = await testConnection({ KEPTN_API_ENDPOINT: endpoint(), KEPTN_API_TOKEN: 'wrong-token' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^✘ token: rejected \(POST .*\/api\/v1\/auth answered 401\)$/m);
    expect(run.stdout).toMatch(/fix: +KEPTN_API_TOKEN is wrong: copy the token of the control plane/);
    expect(run.stdout).not.toMatch(/API:/);
  });

  it('says the token is unset when it is empty', async () => {
    const run = await testConnection({ KEPTN_API_ENDPOINT: endpoint() });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/cause: KEPTN_API_TOKEN is empty/);
  });

  it('reports a closed port as refused, pointing at the port and remote mode (exit 1)', async () => {
    const closed = await freePort();
    const run = await testConnection({ KEPTN_API_ENDPOINT: `http://127.0.0.1:${closed}/api`, KEPTN_API_TOKEN: 'right-token' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^✔ DNS/m);
    expect(run.stdout).toMatch(new RegExp(`cause: nothing listens on 127\\.0\\.0\\.1:${closed} \\(connection refused\\)`));
    expect(run.stdout).toMatch(/fix: +check the port in KEPTN_API_ENDPOINT .*exposed to this network \(remote control plane mode/);
  });

  it('tells https:// against the plain-http control plane to use http:// (exit 1)', async () => {
    const run = await testConnection({ KEPTN_API_ENDPOINT: `https://127.0.0.1:${server.port}/api`, KEPTN_API_TOKEN: 'right-token' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^✘ TLS: 127\.0\.0\.1:\d+ does not speak TLS$/m);
    expect(run.stdout).toMatch(/cause: the server on .* answers plain HTTP, not TLS/);
    expect(run.stdout).toMatch(/fix: +wrong scheme: use http:\/\//);
  });

  it('catches /api appended twice before touching the network (exit 1)', async () => {
    const run = await testConnection({ KEPTN_API_ENDPOINT: `${endpoint()}/api`, KEPTN_API_TOKEN: 'right-token' });
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n')[0]).toMatch(/^✘ endpoint form/);
    expect(run.stdout).toMatch(/cause: .* has \/api twice/);
    expect(run.stdout).toContain(`fix:   give the hostname without /api`);
    expect(run.stdout).toContain(`KEPTN_API_ENDPOINT=${endpoint()}`);
  });

  it('asks for /api when the endpoint lacks it (exit 1)', async () => {
    const run = await testConnection({ KEPTN_API_ENDPOINT: server.url, KEPTN_API_TOKEN: 'right-token' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`fix:   KEPTN_API_ENDPOINT must end with /api, e.g. KEPTN_API_ENDPOINT=${endpoint()}`);
  });

  it('exits 2 on a configuration error', async () => {
    const run = await testConnection({ KEPTN_API_ENDPOINT: endpoint(), KEPTN_API_TOKEN: 'right-token', HTTP_SSL_VERIFY: 'maybe' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("HTTP_SSL_VERIFY='maybe' is not valid: give true or false");
  });

  const skipTls = opensslUnavailable();
  describe.skipIf(skipTls !== undefined)(`against a TLS control plane${skipTls ? ` (skipped: ${skipTls})` : ''}`, () => {
    let tls: Server;
    let tlsPort: number;
    let caFile: string;

    beforeAll(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'shipmate-tls-'));
      // Names only DNS:localhost, so https://127.0.0.1 is a hostname mismatch.
      const certificate = createSelfSignedCertificate(dir, 'localhost', 'DNS:localhost');
      caFile = certificate.certFile;
      // A TLS front for the control plane, as an ingress would be: forwards method, path and token.
      tls = createServer({ key: certificate.key, cert: certificate.cert }, (request, response) => {
        const token = request.headers['x-token'];
        fetch(`${server.url}${request.url ?? '/'}`, {
          method: request.method ?? 'GET',
          headers: typeof token === 'string' ? { 'x-token': token } : {},
        })
          .then(async (upstream) => {
            response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/plain' });
            response.end(Buffer.from(await upstream.arrayBuffer()));
          })
          .catch((error: unknown) => {
            response.writeHead(502);
            response.end(String(error));
          });
      });
      tlsPort = await freePort();
      await new Promise<void>((resolve) => tls.listen(tlsPort, '127.0.0.1', resolve));
    });

    afterAll(async () => {
      await new Promise<void>((resolve) => tls.close(() => resolve()));
    });

    it('tells http:// against the TLS port to use https:// (exit 1)', async () => {
      const run = await testConnection({ KEPTN_API_ENDPOINT: `http://localhost:${tlsPort}/api`, KEPTN_API_TOKEN: 'right-token' });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^✘ HTTP: localhost:\d+ speaks TLS$/m);
      expect(run.stdout).toMatch(/fix: +this port speaks TLS: use https:\/\//);
    });

    it('rejects the self-signed certificate without a CA file, naming SHIPMATE_CA_FILE (exit 1)', async () => {
      const run = await testConnection({ KEPTN_API_ENDPOINT: `https://localhost:${tlsPort}/api`, KEPTN_API_TOKEN: 'right-token' });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /cause: the control plane's certificate is self-signed or signed by a CA this machine does not trust \(DEPTH_ZERO_SELF_SIGNED_CERT\)/,
      );
      expect(run.stdout).toMatch(
        /fix: +give the control plane's CA certificate \(PEM\) in SHIPMATE_CA_FILE; only for tests, HTTP_SSL_VERIFY=false/,
      );
    });

    it('passes with SHIPMATE_CA_FILE (exit 0)', async () => {
      const run = await testConnection({
        KEPTN_API_ENDPOINT: `https://localhost:${tlsPort}/api`,
        KEPTN_API_TOKEN: 'right-token',
        SHIPMATE_CA_FILE: caFile,
      });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^✔ TLS: TLSv1\.[23] with localhost:\d+, certificate verified \(subject localhost/m);
      expect(run.stdout).toContain('all 6 checks passed');
    });

    it('passes with HTTP_SSL_VERIFY=false but warns (exit 0)', async () => {
      const run = await testConnection({
        KEPTN_API_ENDPOINT: `https://localhost:${tlsPort}/api`,
        KEPTN_API_TOKEN: 'right-token',
        HTTP_SSL_VERIFY: 'false',
      });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(/certificate NOT verified \(HTTP_SSL_VERIFY=false\)/);
      expect(run.stdout).toMatch(/⚠ verification would fail: .*self-signed/);
    });

    it('reports a hostname mismatch even with the CA file (exit 1)', async () => {
      const run = await testConnection({
        KEPTN_API_ENDPOINT: `https://127.0.0.1:${tlsPort}/api`,
        KEPTN_API_TOKEN: 'right-token',
        SHIPMATE_CA_FILE: caFile,
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/cause: the certificate is not valid for '127\.0\.0\.1' \(hostname mismatch; it names DNS:localhost\)/);
    });

    it('reports a wrong token through TLS as well (exit 1)', async () => {
      const run = await testConnection({
        KEPTN_API_ENDPOINT: `https://localhost:${tlsPort}/api`,
        KEPTN_API_TOKEN: 'nope',
        SHIPMATE_CA_FILE: caFile,
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/fix: +KEPTN_API_TOKEN is wrong/);
    });
  });
});
