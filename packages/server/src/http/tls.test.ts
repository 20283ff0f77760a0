/**
 * The control plane serving HTTPS itself: a real listening server with a certificate signed by a
 * private CA (made by the openssl CLI), real TLS clients, and the refusals of unusable pairs.
 */
import { mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueServerCertificate, opensslUnavailable } from '@shipmate/testing';
import type { CertificateAuthority, SelfSignedCertificate } from '@shipmate/testing';
import { startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import type { ServerOptions } from '../server-options.js';
import { checkServerTls } from './tls.js';

const skip = opensslUnavailable();

describe.skipIf(skip !== undefined)(`the server over TLS${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let ca: CertificateAuthority;
  let leaf: SelfSignedCertificate;
  let other: SelfSignedCertificate;
  let api: InProcessServer | undefined;

  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'shipmate-server-tls-'));
    ca = createCertificateAuthority(dir, 'shipmate-test-ca');
    leaf = issueServerCertificate(ca, dir, 'cp.test', 'IP:127.0.0.1,DNS:cp.test');
    other = issueServerCertificate(ca, dir, 'other.test', 'DNS:other.test');
  });

  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  async function listen(options: Partial<ServerOptions> = {}): Promise<{ url: string; port: number }> {
    api = await startInProcessServer({ tls: { cert: leaf.cert, key: leaf.key }, ...options });
    const url = await api.server.listen('127.0.0.1', 0);
    return { url, port: (api.server.app.server.address() as { port: number }).port };
  }

  /** One TLS connection trusting only the test CA. */
  function open(port: number): Promise<TLSSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, ca: ca.cert, servername: 'cp.test' }, () => resolve(socket));
      socket.once('error', reject);
    });
  }

  /** Sends `GET /health` on `socket` and resolves with the raw answer's status line. */
  function health(socket: TLSSocket): Promise<string> {
    return new Promise((resolve, reject) => {
      socket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1').split('\r\n')[0] ?? ''));
      socket.once('error', reject);
      socket.write('GET /health HTTP/1.1\r\nHost: cp.test\r\n\r\n');
    });
  }

  it('listens on https:// and answers a client that trusts its CA, certificate verified', async () => {
    const { url, port } = await listen();
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const socket = await open(port);
    expect(socket.authorized).toBe(true);
    expect(await health(socket)).toBe('HTTP/1.1 200 OK');
    socket.destroy();
  });

  it('a client that does not trust the CA fails verification', async () => {
    const { port } = await listen();
    const refused = new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, servername: 'cp.test' });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    expect(await refused).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('does not answer plain HTTP on the TLS port', async () => {
    const { port } = await listen();
    const answer = await new Promise<string>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/health' }, (res) => resolve(`status ${res.statusCode}`));
      req.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      req.end();
    });
    expect(answer).not.toBe('status 200');
  });

  it('keeps an idle kept-alive TLS connection open past the headers timeout (the reaper watches the TLS socket)', async () => {
    const { port } = await listen({ headersTimeoutMs: 300, requestTimeoutMs: 5000, keepAliveTimeoutMs: 10_000 });
    const socket = await open(port);
    expect(await health(socket)).toBe('HTTP/1.1 200 OK');
    // Longer than the headers timeout, well inside the keep-alive timeout.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(socket.destroyed).toBe(false);
    expect(await health(socket)).toBe('HTTP/1.1 200 OK');
    socket.destroy();
  });

  it('closes a TLS connection that never sends a request head', async () => {
    const { port } = await listen({ headersTimeoutMs: 300, requestTimeoutMs: 5000 });
    const socket = await open(port);
    await new Promise((resolve) => socket.once('close', resolve));
    expect(socket.destroyed).toBe(true);
  });

  it('refuses a key that is not the certificate’s, naming both settings', () => {
    expect(() => checkServerTls({ cert: leaf.cert, key: other.key }, 'SHIPMATE_TLS_CERT_FILE', 'SHIPMATE_TLS_KEY_FILE')).toThrow(
      /SHIPMATE_TLS_KEY_FILE is not the private key of the certificate in SHIPMATE_TLS_CERT_FILE/,
    );
  });

  it('refuses text that is not PEM, saying what to give', () => {
    expect(() => checkServerTls({ cert: 'not a certificate', key: leaf.key }, 'SHIPMATE_TLS_CERT_FILE', 'SHIPMATE_TLS_KEY_FILE')).toThrow(
      /give SHIPMATE_TLS_CERT_FILE a PEM certificate \(-----BEGIN CERTIFICATE-----\) and SHIPMATE_TLS_KEY_FILE its unencrypted PEM private key/,
    );
  });

  it('refuses an unusable pair when the server is built', async () => {
    await expect(startInProcessServer({ tls: { cert: leaf.cert, key: other.key } })).rejects.toThrow(/tls\.key is not the private key/);
  });
});
