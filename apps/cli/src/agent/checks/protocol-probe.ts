/**
 * Low-level probes of what a port speaks: a TLS handshake (never rejecting, so the verification
 * result can be explained) and a plain HTTP request. The TLS and HTTP checks use both to tell a
 * wrong scheme from other failures.
 */
import { connect as connectTcp, isIP } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { PeerCertificate } from 'node:tls';

/** Result of {@link probeTls}. */
export type TlsProbe =
  | {
      readonly handshake: true;
      readonly authorizationError: string | undefined;
      readonly certificate: PeerCertificate;
      readonly protocol: string;
    }
  | { readonly handshake: false; readonly error: string };

/**
 * Handshakes with `address:port`, sending `host` as SNI (unless it is an IP address); Node checks
 * the certificate against the SNI name, so against the endpoint's host, not the resolved address; trusts `ca` when given (else the system CAs). Verification
 * problems come back as `authorizationError` (an OpenSSL/Node code) instead of failing.
 */
export function probeTls(
  address: string,
  port: number,
  host: string,
  ca: readonly string[] | undefined,
  timeoutMs: number,
): Promise<TlsProbe> {
  return new Promise((resolve) => {
    const socket = connectTls({
      host: address,
      port,
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ...(ca === undefined ? {} : { ca: [...ca] }),
      // Never reject here: the caller explains the verification result or, with HTTP_SSL_VERIFY=false, warns.
      rejectUnauthorized: false,
    });
    const finish = (probe: TlsProbe) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(probe);
    };
    const timer = setTimeout(() => finish({ handshake: false, error: `no TLS answer within ${timeoutMs} ms` }), timeoutMs);
    socket.once('secureConnect', () => {
      const authorizationError = socket.authorized ? undefined : errorCode(socket.authorizationError);
      finish({ handshake: true, authorizationError, certificate: socket.getPeerCertificate(), protocol: socket.getProtocol() ?? 'TLS' });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => finish({ handshake: false, error: error.code ?? error.message }));
    socket.once('close', () => finish({ handshake: false, error: 'the server closed the connection during the handshake' }));
  });
}

/** What a plain HTTP request to a port got back. */
export type PlainHttpProbe = 'http' | 'http-to-tls-port' | 'no-http';

/** Sends `HEAD /` over plain TCP and looks at the first bytes of the answer. */
export function probePlainHttp(address: string, port: number, host: string, timeoutMs: number): Promise<PlainHttpProbe> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: address, port });
    let received = '';
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      // nginx and others answer 400 "The plain HTTP request was sent to HTTPS port".
      if (/plain HTTP request was sent to HTTPS port/i.test(received)) resolve('http-to-tls-port');
      else resolve(received.startsWith('HTTP/') ? 'http' : 'no-http');
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.once('connect', () => socket.write(`HEAD / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.length > 4096) finish();
    });
    socket.once('end', finish);
    socket.once('error', finish);
  });
}

function errorCode(error: unknown): string {
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ?? error.message;
  return String(error);
}
