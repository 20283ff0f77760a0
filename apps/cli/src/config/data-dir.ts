/**
 * The data dir of `shipmate server`, private to its owner: created with mode 0700, and an existing
 * one that group or others can enter is changed to 0700 with a line saying so. Everything inside
 * (the store, its WAL, the git repositories, the token hash and the secret key) is then out of
 * other users' reach, whatever modes the files themselves got from git or an old umask.
 *
 * Tightening, not refusing: data dirs made by earlier versions are 0755, so refusing would stop
 * every upgraded server at its first start, while a data dir only the server's own user can enter
 * is what it needs. (A world-readable `secret.key` is refused instead, by secret-key.ts: a key
 * that others may have read calls for a rotation, which is a person's decision.) A data dir this
 * process cannot chmod (another owner) stops the start with the command to run.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from './config-error.js';

/** Mode of the data dir. */
export const DATA_DIR_MODE = 0o700;

/** Creates or tightens the data dir `path`; returns its absolute path. `log` gets one line when an existing dir was changed. */
export function prepareDataDir(path: string, log: (line: string) => void): string {
  const dir = resolve(path);
  let created: boolean;
  try {
    created = mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE }) !== undefined;
  } catch (error) {
    throw new ConfigError(
      `data dir '${dir}' cannot be created (${(error as NodeJS.ErrnoException).code ?? String(error)}): give a directory this user can create or write with --data-dir or SHIPMATE_DATA_DIR`,
    );
  }
  const stats = statSync(dir);
  if (!stats.isDirectory()) {
    throw new ConfigError(`data dir '${dir}' is not a directory: give a directory with --data-dir or SHIPMATE_DATA_DIR`);
  }
  const mode = stats.mode & 0o777;
  if (mode === DATA_DIR_MODE) return dir;
  if (!created && (mode & 0o077) === 0) return dir; // stricter for group/other already; the owner's bits are the owner's call
  try {
    chmodSync(dir, DATA_DIR_MODE);
  } catch (error) {
    throw new ConfigError(
      `data dir '${dir}' has mode 0${mode.toString(8)}, open to other users, and cannot be changed to 0700 (${(error as NodeJS.ErrnoException).code ?? String(error)}): run 'chmod 700 ${dir}' as its owner, or choose another data dir`,
    );
  }
  if (!created) {
    log(
      `data dir '${dir}' had mode 0${mode.toString(8)}, so other users could reach the store, the git repositories and the keys; changed it to 0700`,
    );
  }
  return dir;
}
