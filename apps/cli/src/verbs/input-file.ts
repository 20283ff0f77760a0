/** Files a verb reads from flags (`--shipyard`, `--resource`, `--file`): a failure is a usage error naming the flag. */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/config-error.js';

/** The bytes of `path`; an unreadable file is a ConfigError naming `flag`, the reason and what to give. */
export function readInputFile(path: string, flag: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : error instanceof Error
              ? error.message
              : String(error);
    throw new ConfigError(`${flag} '${path}' cannot be read (${reason}): give the path of ${what}`);
  }
}
