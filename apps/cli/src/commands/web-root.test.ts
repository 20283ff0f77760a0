/** The CLI finds the web UI's build beside it (apps/web/dist), the layout the image keeps too. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtWebRoot, webUiLine } from './web-root.js';

describe('builtWebRoot', () => {
  it('is apps/web/dist of this repository', () => {
    const root = builtWebRoot();
    expect(root.replaceAll('\\', '/')).toMatch(/\/apps\/web\/dist$/);
    // apps/web's manifest sits beside the build directory.
    const manifest = JSON.parse(readFileSync(join(root, '..', 'package.json'), 'utf8')) as { name: string };
    expect(manifest.name).toBe('@shipmate/web');
  });

  it('says where the UI is when it is built, and how to build it when it is not', () => {
    expect(webUiLine('http://127.0.0.1:8080', join(builtWebRoot(), 'no-such-build'))).toContain('not built');
    if (existsSync(join(builtWebRoot(), 'index.html'))) {
      expect(webUiLine('http://127.0.0.1:8080', builtWebRoot())).toBe(
        'web UI: http://127.0.0.1:8080/bridge/ (log in with the API token)\n',
      );
    }
  });
});
