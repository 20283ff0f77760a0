/**
 * An in-process server whose configuration repositories are mirrored to git upstreams: a
 * `GitUpstream` workspace (a temp dir for the server's repositories and for upstream
 * repositories), the upstream mirror with short retries and no background fetch, and the server
 * wired to it. Test-only.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createGitResourceStore, createUpstreamMirror, withUpstream } from '@shipmate/config-git';
import type { UpstreamMirror } from '@shipmate/config-git';
import { createSecretCipher } from '@shipmate/core';
import type { ResolveHost, UpstreamHostPolicy } from '@shipmate/core';
import { GitUpstream } from '@shipmate/testing';
import { startInProcessServer } from './in-process-server.js';
import type { InProcessServer } from './in-process-server.js';
import type { ServerOptions } from '../server-options.js';

/** Settings of {@link startMirroredServer}. */
export interface MirroredServerOptions {
  /** Which upstream hosts are allowed (mirror and API). @default the server's defaults (strict) */
  readonly hosts?: UpstreamHostPolicy;
  /** Name resolution of the host checks. @default the system resolver */
  readonly resolveHost?: ResolveHost;
  /** Further server options. */
  readonly server?: Partial<ServerOptions>;
}

/** A running mirrored server. */
export interface MirroredServer {
  readonly api: InProcessServer;
  readonly mirror: UpstreamMirror;
  /** The workspace of upstream repositories (call `cleanup()` after `api.close()`). */
  readonly upstream: GitUpstream;
}

/** Starts a server mirrored to upstreams in a fresh `GitUpstream` workspace. */
export async function startMirroredServer(options: MirroredServerOptions = {}): Promise<MirroredServer> {
  const upstream = new GitUpstream();
  const rootDir = join(upstream.root, 'data');
  const repositories = createGitResourceStore({ rootDir });
  const key = randomBytes(32);
  const mirror = createUpstreamMirror({
    store: repositories,
    rootDir,
    cipher: createSecretCipher(key),
    retryMinMs: 100,
    retryMaxMs: 400,
    pollIntervalMs: 0,
    ...(options.hosts ? { hosts: options.hosts } : {}),
    ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}),
  });
  const api = await startInProcessServer({
    ...options.server,
    ...(options.hosts ? { upstreamHosts: options.hosts } : {}),
    ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}),
    resources: withUpstream(repositories, mirror),
    upstream: mirror,
    secretKey: key,
  });
  return { api, mirror, upstream };
}
