/** One request to the control plane's API with the agent's token and TLS settings. */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AgentConfig } from './agent-config.js';
import { tlsConnectionOptions } from '@shipmate/agent-sdk';

/** The parts of the configuration a request needs. */
export type ApiConnection = Pick<AgentConfig, 'apiEndpoint' | 'apiToken' | 'sslVerify' | 'caPem'>;

/** A response, body read as text (capped at {@link MAX_BODY_BYTES}). */
export interface ApiResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** Larger bodies are cut: the checks only look at small JSON answers. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Sends `method <endpoint><path>` with `x-token` (when set); rejects on network errors and after `timeoutMs`. */
export function apiRequest(connection: ApiConnection, method: string, path: string, timeoutMs: number): Promise<ApiResponse> {
  const url = new URL(`${connection.apiEndpoint}${path}`);
  const secure = url.protocol === 'https:';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (connection.apiToken !== '') headers['x-token'] = connection.apiToken;
  if (method !== 'GET') headers['content-length'] = '0';
  return new Promise((resolve, reject) => {
    const options = { method, headers, timeout: timeoutMs, ...(secure ? tlsConnectionOptions(connection) : {}) };
    const req = (secure ? httpsRequest : httpRequest)(url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_BODY_BYTES) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'] ?? '',
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
