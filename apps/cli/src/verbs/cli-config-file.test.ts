import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliConfigPath, readCliConfig, readableByOthers, writeCliConfig } from './cli-config-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shipmate-cli-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('cliConfigPath', () => {
  it('is below XDG_CONFIG_HOME, else ~/.config', () => {
    expect(cliConfigPath({ XDG_CONFIG_HOME: '/x/config' }, '/home/u')).toBe('/x/config/shipmate/config.yaml');
    expect(cliConfigPath({ XDG_CONFIG_HOME: '' }, '/home/u')).toBe('/home/u/.config/shipmate/config.yaml');
    expect(cliConfigPath({}, '/home/u')).toBe('/home/u/.config/shipmate/config.yaml');
  });
});

describe('writeCliConfig and readCliConfig', () => {
  it('writes the file with mode 0600 in a 0700 directory and reads it back', () => {
    const path = join(dir, 'shipmate', 'config.yaml');
    writeCliConfig(path, { endpoint: 'https://shipmate.example.com', apiToken: 's3cret' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'shipmate')).mode & 0o777).toBe(0o700);
    expect(readCliConfig(path)).toEqual({ endpoint: 'https://shipmate.example.com', apiToken: 's3cret' });
    expect(readableByOthers(path)).toBe(false);
  });

  it('tightens a file that was readable by others when it writes it again', () => {
    const path = join(dir, 'config.yaml');
    writeFileSync(path, 'endpoint: http://old\n', { mode: 0o644 });
    chmodSync(path, 0o644);
    expect(readableByOthers(path)).toBe(true);
    writeCliConfig(path, { endpoint: 'http://new', apiToken: 't' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toContain('endpoint: http://new');
  });

  it('reads no file as an empty config', () => {
    expect(readCliConfig(join(dir, 'absent.yaml'))).toEqual({});
  });

  it('names the file and the fix for broken YAML or wrong types', () => {
    const path = join(dir, 'config.yaml');
    writeFileSync(path, 'endpoint: [unclosed\n');
    expect(() => readCliConfig(path)).toThrow(`${path} is not readable YAML`);
    writeFileSync(path, 'apiToken: 42\n');
    expect(() => readCliConfig(path)).toThrow(`${path}: apiToken must be a string: write it again with \`shipmate auth\``);
    writeFileSync(path, '- a\n');
    expect(() => readCliConfig(path)).toThrow('must hold a mapping with endpoint and apiToken');
  });
});
