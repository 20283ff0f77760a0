/** Test helper for the upstream mirror: a {@link GitUpstream} plus a store and mirror over a data dir beside it. */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createSecretCipher } from '@shipmate/core';
import { GitUpstream, LOCAL_TEST_UPSTREAMS } from '@shipmate/testing';
import { createGitResourceStore } from '../git-resource-store.js';
import type { GitResourceStore } from '../git-resource-store.js';
import { createUpstreamMirror } from './upstream-mirror.js';
import type { UpstreamMirror, UpstreamMirrorOptions } from './upstream-mirror.js';

export class UpstreamFixture extends GitUpstream {
  readonly dataDir = join(this.root, 'data');
  readonly key = randomBytes(32);
  /** Every mirror {@link open} made, closed by {@link close}. */
  private readonly mirrors: UpstreamMirror[] = [];

  /**
   * A store and a mirror over `dataDir` (a second call sees the same repositories), with fast
   * retries; the upstreams of these tests are local, so the mirror opts in to file:// and loopback.
   */
  open(
    options: Partial<UpstreamMirrorOptions> = {},
    storeOptions: { shared?: boolean } = {},
  ): { store: GitResourceStore; mirror: UpstreamMirror } {
    const store = createGitResourceStore({ rootDir: this.dataDir, ...storeOptions });
    const mirror = createUpstreamMirror({
      store,
      rootDir: this.dataDir,
      cipher: createSecretCipher(this.key),
      retryMinMs: 100,
      retryMaxMs: 400,
      pollIntervalMs: 0,
      hosts: LOCAL_TEST_UPSTREAMS,
      ...options,
    });
    this.mirrors.push(mirror);
    return { store, mirror };
  }

  /**
   * Closes every mirror this fixture opened (their running git commands finish first; a mirror the
   * test closed already closes again at once), then removes the directories. Without it a sync
   * still writing into the upstream could outlast the removal's retries (ENOTEMPTY in CI).
   */
  async close(): Promise<void> {
    await Promise.all(this.mirrors.splice(0).map((mirror) => mirror.close()));
    this.cleanup();
  }
}
