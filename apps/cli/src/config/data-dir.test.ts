import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareDataDir } from './data-dir.js';

let parent: string | undefined;
afterEach(() => {
  if (parent) rmSync(parent, { recursive: true, force: true });
});

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('prepareDataDir', () => {
  it('creates a missing data dir (and its missing parents) with mode 0700, silently', () => {
    parent = mkdtempSync(join(tmpdir(), 'shipmate-dir-'));
    const lines: string[] = [];
    const dir = prepareDataDir(join(parent, 'a', 'data'), (line) => lines.push(line));
    expect(dir).toBe(join(parent, 'a', 'data'));
    expect(modeOf(dir)).toBe(0o700);
    expect(lines).toEqual([]);
  });

  it('changes an existing data dir that others can enter to 0700, and says so', () => {
    parent = mkdtempSync(join(tmpdir(), 'shipmate-dir-'));
    chmodSync(parent, 0o755);
    const lines: string[] = [];
    prepareDataDir(parent, (line) => lines.push(line));
    expect(modeOf(parent)).toBe(0o700);
    expect(lines).toEqual([expect.stringMatching(/data dir '.*' had mode 0755, so other users could reach .*; changed it to 0700/)]);
  });

  it('stops with a ConfigError naming the path when it is a file', () => {
    parent = mkdtempSync(join(tmpdir(), 'shipmate-dir-'));
    const file = join(parent, 'not-a-dir');
    writeFileSync(file, '');
    expect(() => prepareDataDir(file, () => undefined)).toThrow(
      expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining(`data dir '${file}'`) }),
    );
  });

  it('leaves a private data dir alone', () => {
    parent = mkdtempSync(join(tmpdir(), 'shipmate-dir-'));
    chmodSync(parent, 0o700);
    const lines: string[] = [];
    prepareDataDir(parent, (line) => lines.push(line));
    expect(modeOf(parent)).toBe(0o700);
    expect(lines).toEqual([]);
  });
});
