import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { entrypointNodeFlags } from './server-node-flags.js';

const repoFile = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('entrypointNodeFlags', () => {
  it('takes the flags between node and the launcher', () => {
    const file = 'FROM scratch\nENTRYPOINT ["node", "--a=1", "--b", "/opt/shipmate/apps/cli/bin/shipmate.js"]\nCMD ["server"]\n';
    expect(entrypointNodeFlags(file)).toEqual(['--a=1', '--b']);
    expect(entrypointNodeFlags('ENTRYPOINT ["node", "/x/shipmate.js"]')).toEqual([]);
  });

  it('refuses an ENTRYPOINT it cannot read, saying what it expects', () => {
    expect(() => entrypointNodeFlags('FROM scratch\n')).toThrow(/no ENTRYPOINT/);
    expect(() => entrypointNodeFlags('ENTRYPOINT node /x/shipmate.js')).toThrow(/exec form/);
    expect(() => entrypointNodeFlags('ENTRYPOINT [1]')).toThrow(/array of strings/);
    expect(() => entrypointNodeFlags('ENTRYPOINT ["sh", "/x/shipmate.js"]')).toThrow(/\["node", …flags/);
  });

  it('npm start runs the server with the flags of the shipmate image', () => {
    const flags = entrypointNodeFlags(repoFile('images/shipmate/Containerfile'));
    const start = (JSON.parse(repoFile('package.json')) as { scripts: Record<string, string> }).scripts.start;
    expect(start).toBe(['node', ...flags, 'apps/cli/dist/main.js', 'up'].join(' '));
  });
});
