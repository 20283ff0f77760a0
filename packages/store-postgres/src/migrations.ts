/**
 * The PostgreSQL schema as numbered migration files (`migrations/NNNN_<what>.sql` in this package).
 * A database records each applied version in `schema_migrations`; `applyMigrations` runs the newer
 * ones in order, all in one transaction, under an advisory lock so that two servers starting at
 * once against one database apply each migration exactly once.
 *
 * Invariants: a released file is never edited (add a new one instead); versions are consecutive
 * from 1.
 */
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type pg from 'pg';
import { ErrorCode, UnavailableError } from '@shipmate/core';
import { inTransaction } from './sql.js';

/** One schema step. */
export interface Migration {
  version: number;
  /** The file name without `.sql`, e.g. `0001_initial`. */
  name: string;
  sql: string;
}

/** The package's `migrations` folder (beside `src` and `dist`). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/**
 * Key of the transaction-level advisory lock that serializes migrations (advisory locks are per
 * database, so other databases on the server are not affected). An arbitrary constant that only
 * this code uses.
 */
export const MIGRATION_LOCK_KEY = '5316494970226130001';

/**
 * Reads the migration files of `dir`, oldest first. Throws when a `.sql` file is not named
 * `NNNN_<lowercase name>.sql` or the versions are not 1, 2, 3, … without gaps or repeats.
 */
export async function readMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_NAME.exec(file);
    if (!match?.[1] || !match[2]) {
      throw new Error(`migration file '${file}' in ${dir} is not named NNNN_<name>.sql (e.g. 0002_add_claims.sql)`);
    }
    const version = Number(match[1]);
    const expected = migrations.length + 1;
    if (version !== expected) {
      throw new Error(`migration file '${file}' in ${dir} has version ${version}, expected ${expected}: versions run 1, 2, 3, … once each`);
    }
    migrations.push({ version, name: file.slice(0, -'.sql'.length), sql: await readFile(join(dir, file), 'utf8') });
  }
  return migrations;
}

/**
 * Brings the database to the newest of `migrations`. Takes the advisory lock first and reads the
 * applied versions inside the transaction, so concurrent callers apply each migration once; a
 * failing migration rolls the whole run back. Returns the version found before migrating.
 */
export async function applyMigrations(pool: pg.Pool, migrations: readonly Migration[], where: string): Promise<number> {
  return inTransaction(pool, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version    integer PRIMARY KEY,
         name       text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const found = await tx.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
    const current = found.rows[0]?.version ?? 0;
    const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
    if (current > latest) {
      throw new UnavailableError(
        ErrorCode.storeUnavailable,
        `PostgreSQL database ${where} has schema version ${current}, newer than ${latest} that this Shipmate knows; upgrade Shipmate or use a backup made by this version`,
      );
    }
    for (const migration of [...migrations].filter((m) => m.version > current).sort((a, b) => a.version - b.version)) {
      await tx.query(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
    return current;
  });
}
