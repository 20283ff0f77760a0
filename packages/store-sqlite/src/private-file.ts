/** Files only their owner can read, whatever the process's umask. */
import { closeSync, fchmodSync, openSync } from 'node:fs';

/**
 * Creates `path` empty with mode 0600 if it does not exist (an existing file is left as it is).
 * The mode is set with fchmod after the create, since the create's mode is filtered by the umask.
 * Returns whether the file was created.
 */
export function createPrivateFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
  return true;
}
