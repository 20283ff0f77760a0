/**
 * Disk full (issue 9 point 4d): with the configuration repositories on a full file system (a real
 * 2 MiB tmpfs, mounted as root), a resource write and a project create answer 503 naming the
 * cause and the fix instead of 500; once space is freed the same write is stored.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitResourceStore } from '@shipmate/config-git';
import { shipyardYaml } from '@shipmate/testing';
import { base64, startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';

const CP = '/api/controlPlane/v1';
const RS = '/api/resource-service/v1/project/shop/stage/dev/service/carts/resource';
const SHIPYARD = base64(shipyardYaml({ dev: ['deployment'] }, { name: 'disk' }));

const mountPoint = mkdtempSync(join(tmpdir(), 'shipmate-disk-full-'));
const filler = join(mountPoint, 'filler');

/** Mounts the tmpfs; the reason when that is not possible here. */
function mountTmpfs(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `mount -t tmpfs failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}
const skipReason = mountTmpfs();

/** Writes zeros until the file system refuses (ENOSPC). */
function fill(): void {
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) {
      try {
        writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
        throw error;
      }
    }
    // The last bytes that fit in a partial chunk.
    for (;;) {
      try {
        writeSync(fd, Buffer.alloc(512));
      } catch {
        break;
      }
    }
  } finally {
    closeSync(fd);
  }
}

const write = (content: string) => api.call('POST', RS, { resources: [{ resourceURI: 'values.yaml', resourceContent: base64(content) }] });

let api: InProcessServer;

describe.skipIf(skipReason !== undefined)(
  `a full disk under the configuration repositories${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    beforeAll(async () => {
      api = await startInProcessServer({ resources: createGitResourceStore({ rootDir: join(mountPoint, 'git') }) });
      expect((await api.call('POST', `${CP}/project`, { name: 'shop', shipyard: SHIPYARD })).status).toBe(201);
      expect((await api.call('POST', `${CP}/project/shop/service`, { serviceName: 'carts' })).status).toBe(200);
    });

    afterAll(async () => {
      await api?.close();
      try {
        execFileSync('umount', [mountPoint], { stdio: 'pipe' });
      } catch {
        execFileSync('umount', ['-l', mountPoint], { stdio: 'pipe' });
      }
      rmSync(mountPoint, { recursive: true, force: true });
    });

    it('answers a resource write and a project create with 503 naming the cause, and writes again once space is freed', async () => {
      fill();
      const refused = await write('replicas: 2\n');
      expect(refused.status, JSON.stringify(refused.body)).toBe(503);
      expect(refused.body.errorCode).toBe('ERR_STORE_UNAVAILABLE');
      expect(refused.body.message).toContain('no space left on device (ENOSPC)');
      expect(refused.body.message).toContain('free disk space in the data dir');

      const project = await api.call('POST', `${CP}/project`, { name: 'other', shipyard: SHIPYARD });
      expect(project.status, JSON.stringify(project.body)).toBe(503);
      expect(project.body.message).toContain('no space left on device (ENOSPC)');
      expect((await api.call('GET', `${CP}/project/other`)).status).toBe(404);

      unlinkSync(filler);
      const written = await write('replicas: 3\n');
      expect(written.status, JSON.stringify(written.body)).toBe(201);
      const read = await api.call<{ resourceContent: string }>('GET', `${RS}/values.yaml`);
      expect(Buffer.from(read.body.resourceContent, 'base64').toString('utf8')).toBe('replicas: 3\n');
      expect((await api.call('POST', `${CP}/project`, { name: 'other', shipyard: SHIPYARD })).status).toBe(201);
    });
  },
);
