#!/usr/bin/env node
/**
 * Builds native/wal-coalesce.c, the SQLite extension that writes a transaction's WAL frames with
 * one system call per 124 KiB (src/wal-coalescing.ts), into dist/native/wal-coalesce.so, against the
 * SQLite headers that better-sqlite3 ships. Run by `npm run build` (and so by `npm ci`).
 *
 * Needs a C compiler (`cc`, or the one in $CC). Without one it says so and exits 0: the store then
 * runs without the extension (the same data, written with two system calls per WAL page). Skips the
 * build when the library is newer than its source.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = join(PACKAGE, 'native', 'wal-coalesce.c');
const OUTPUT = join(PACKAGE, 'dist', 'native', 'wal-coalesce.so');
const compiler = process.env.CC || 'cc';

function skip(reason) {
  process.stderr.write(
    `store-sqlite: wal-coalesce not built (${reason}); the SQLite store works without it, writing two system calls per WAL page. ` +
      `Install a C compiler (Debian: apt-get install gcc) and run npm run build to build it.\n`,
  );
  process.exit(0);
}

if (process.platform !== 'linux' && process.platform !== 'darwin') skip(`platform ${process.platform}`);
if (existsSync(OUTPUT) && statSync(OUTPUT).mtimeMs >= statSync(SOURCE).mtimeMs) process.exit(0);
let include;
try {
  include = join(dirname(createRequire(join(PACKAGE, 'package.json')).resolve('better-sqlite3/package.json')), 'deps', 'sqlite3');
} catch (error) {
  skip(`better-sqlite3 not found: ${error.message}`);
}
if (!existsSync(join(include, 'sqlite3ext.h'))) skip(`no sqlite3ext.h in ${include}`);
mkdirSync(dirname(OUTPUT), { recursive: true });
const args = [
  '-O2',
  '-Wall',
  '-Wextra',
  '-fPIC',
  '-shared',
  ...(process.platform === 'darwin' ? ['-undefined', 'dynamic_lookup'] : []),
  '-I',
  include,
  SOURCE,
  '-o',
  OUTPUT,
];
const result = spawnSync(compiler, args, { encoding: 'utf8' });
if (result.error) skip(`${compiler}: ${result.error.code === 'ENOENT' ? 'not found' : result.error.message}`);
if (result.status !== 0) skip(`${compiler} failed: ${(result.stderr || result.stdout).trim().split('\n').slice(0, 5).join(' | ')}`);
