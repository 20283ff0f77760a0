/**
 * HTTPS of `shipmate server` (docs/configuration.md): SHIPMATE_TLS_CERT_FILE and
 * SHIPMATE_TLS_KEY_FILE name a PEM certificate (chain) and its private key. Both or neither; each
 * file must be readable, and the pair must fit. Any fault stops the start (exit 2) naming the
 * variable and the fix.
 */
import { readFileSync } from 'node:fs';
import { checkServerTls } from '@shipmate/server';
import type { ServerTls } from '@shipmate/server';
import { ConfigError } from './config-error.js';

const CERT = 'SHIPMATE_TLS_CERT_FILE';
const KEY = 'SHIPMATE_TLS_KEY_FILE';

/** The certificate and key to serve HTTPS with, or undefined (plain HTTP) when neither variable is set. */
export function resolveTlsFiles(env: NodeJS.ProcessEnv): ServerTls | undefined {
  const certFile = env[CERT]?.trim() || undefined;
  const keyFile = env[KEY]?.trim() || undefined;
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) {
    const [set, missing] = certFile === undefined ? [KEY, CERT] : [CERT, KEY];
    throw new ConfigError(
      `${set} is set but ${missing} is not: HTTPS needs both, the certificate (PEM) in ${CERT} and its private key in ${KEY}; unset ${set} to serve plain HTTP`,
    );
  }
  const tls = { cert: readPem(certFile, CERT), key: readPem(keyFile, KEY) };
  try {
    return checkServerTls(tls, `${CERT} (${certFile})`, `${KEY} (${keyFile})`);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

function readPem(file: string, variable: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(`${variable}='${file}' cannot be read (${code}): give the path of a PEM file the server's user can read`);
  }
}
