/**
 * The PostgreSQL server of the figures p1–p6: whether it answers, asked once before they start (an
 * unreachable server skips them with one line in the log, their figures absent, instead of failing
 * each one after its own connect timeout), and a throwaway database on it per scenario, dropped
 * afterwards also when the scenario fails.
 */
import pg from 'pg';
import { createTestPostgresDatabase } from '@shipmate/testing/postgres-database';
import type { TestPostgresDatabase } from '@shipmate/testing/postgres-database';

/** Connects to `adminUrl` and runs `SELECT 1`; resolves with why it failed, or undefined when it answered. */
export async function postgresUnreachableReason(adminUrl: string, timeoutMs = 3000): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: timeoutMs });
  // A connection the server drops later must not crash the bench.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('ANALYZE');
    return undefined;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `url` with its password replaced by `***`, for log lines. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * Creates an empty database on the server `adminUrl` names, runs `use` on it, and drops it unless
 * `keep` (BENCH_KEEP_DATA=1, to look at the data afterwards; `log` says its name).
 */
export async function withBenchDatabase<T>(
  adminUrl: string,
  use: (database: TestPostgresDatabase) => Promise<T>,
  keep?: { log: (line: string) => void },
): Promise<T> {
  const database = await createTestPostgresDatabase({ adminUrl });
  try {
    return await use(database);
  } finally {
    if (keep) keep.log(`database kept: ${database.name}`);
    else await database.drop();
  }
}

/**
 * Runs `VACUUM (ANALYZE)` on the database `url` names, as autovacuum does on a live database after
 * a bulk load (its insert threshold): the planner's statistics then describe the loaded table and
 * not the small one of before, and the visibility map marks its pages all-visible, which lets the
 * root list count through the index alone (migration 0006) instead of fetching each row. The
 * history figures are taken in that steady state, also where a PostgreSQL runs with autovacuum off
 * (as this project's CI machine does).
 */
export async function vacuumAnalyzeDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('VACUUM (ANALYZE)');
  } finally {
    await client.end().catch(() => undefined);
  }
}
