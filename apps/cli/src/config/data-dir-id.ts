/**
 * The id of a data dir (`<data dir>/data-dir.id`, a random UUID written on first use, mode 0600).
 * Replicas on one PostgreSQL database must share one data dir (the configuration repositories, the
 * secret key, the token hash); the database records the id of the first one, and a replica on
 * another data dir is refused at start instead of keeping repositories and keys of its own.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config-error.js';

/** The file holding the id. */
export const DATA_DIR_ID_FILE = 'data-dir.id';

/** The data dir's id, written first when it has none. */
export function dataDirId(dataDir: string): string {
  const file = join(dataDir, DATA_DIR_ID_FILE);
  if (!existsSync(file)) {
    try {
      writeFileSync(file, `${randomUUID()}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another replica on the same (shared) data dir wrote it first: read theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const id = readFileSync(file, 'utf8').trim();
  if (id === '') throw new ConfigError(`${file} is empty: remove it, and the server writes a new id at its next start`);
  return id;
}

/**
 * Refuses (exit 2) a data dir whose id is not the one the database recorded for its replicas.
 * `recorded` is what the database holds after recording `id` when it held none.
 */
export function checkSharedDataDir(dataDir: string, id: string, recorded: string, database: string): void {
  if (recorded === id) return;
  const file = join(dataDir, DATA_DIR_ID_FILE);
  throw new ConfigError(
    `the replicas on ${database} use another data dir (id ${recorded}) than ${dataDir} (id ${id}, ${file}): ` +
      'replicas on one database must share one data dir (its repositories and keys, docs/replicas.md); ' +
      `start this one with the others' data dir (--data-dir, a volume all replicas mount), or give it another database. ` +
      `If this data dir replaces theirs for good (a restored copy), write ${recorded} into ${file}`,
  );
}
