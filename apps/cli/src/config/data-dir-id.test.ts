import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DATA_DIR_ID_FILE, checkSharedDataDir, dataDirId } from './data-dir-id.js';

const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'shipmate-data-dir-id-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('dataDirId', () => {
  it('writes a random id once, private, and reads the same one afterwards', () => {
    const dir = dataDir();
    const id = dataDirId(dir);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(dataDirId(dir)).toBe(id);
    expect(statSync(join(dir, DATA_DIR_ID_FILE)).mode & 0o777).toBe(0o600);
    expect(dataDirId(dataDir())).not.toBe(id);
  });

  it('refuses an empty id file, saying to remove it', () => {
    const dir = dataDir();
    writeFileSync(join(dir, DATA_DIR_ID_FILE), '\n');
    expect(() => dataDirId(dir)).toThrow(/data-dir\.id is empty: remove it/);
  });
});

describe('checkSharedDataDir', () => {
  it('accepts the id the database recorded', () => {
    expect(() => checkSharedDataDir('/data', 'id-1', 'id-1', 'postgres://db/shipmate')).not.toThrow();
  });

  it('refuses another data dir, naming both ids, the database and the two ways out', () => {
    const dir = dataDir();
    const id = dataDirId(dir);
    expect(() => checkSharedDataDir(dir, id, 'id-of-the-others', 'postgres://***@db/shipmate')).toThrow(
      new RegExp(
        `the replicas on postgres://\\*\\*\\*@db/shipmate use another data dir \\(id id-of-the-others\\) than ${dir} \\(id ${id}.*` +
          'must share one data dir.*--data-dir.*another database.*write id-of-the-others into',
      ),
    );
    expect(readFileSync(join(dir, DATA_DIR_ID_FILE), 'utf8').trim()).toBe(id);
  });
});
